// The fused entry conv2dEpilogue: activation(conv2d(x, w) + bias) with the bias and activation applied as the convolution stores its output.
import { ShapeError, fmtShape } from './errors.js';
import type { Conv2dEpilogueParams, EpilogueActivation } from './fused-kernels.js';
import { runMap, type MapEntry } from './fused.js';
import { EPILOGUE, fusedMap } from './fused-map.js';
import { inferKernel } from './infer.js';
import { pconv2d, preshape } from './primitive-calls.js';
import type { Conv2dParams } from './primitives.js';
import { releaseIntermediate, type Tensor } from './tensor.js';

/** The convolution's own parameters (without the activation). */
const geometry = (p: Conv2dParams): Conv2dParams => ({
  stride: p.stride,
  padding: p.padding,
  dilation: p.dilation,
  groups: p.groups,
});

/** The entry: inputs [x [N, C, H, W], w [O, C/groups, kh, kw], bias [O]]; result [N, O, Ho, Wo]. */
export const conv2dEpilogueEntry: MapEntry<Conv2dEpilogueParams> = {
  infer: ([x, w, bias], p) => {
    const out = inferKernel.conv2d([x, w], geometry(p));
    if (bias.ndim !== 1 || bias.shape[0] !== w.shape[0] || bias.dtype !== x.dtype)
      throw new ShapeError(
        `conv2dEpilogue: expected a bias [${w.shape[0]}] of ${x.dtype}, got ${fmtShape(bias.shape)} of ${bias.dtype}`,
      );
    return { shape: out.shape, dtype: out.dtype };
  },
  composite([x, w, bias], p) {
    // the convolution, then bias and activation as one expression (one elementwise kernel where the backend fuses it)
    const h = pconv2d(x, w, geometry(p));
    const y = fusedMap(EPILOGUE[p.activation], [h, preshape(bias, [bias.shape[0], 1, 1])]);
    releaseIntermediate(h); // reached by nothing else (the expression's ops save no input of theirs)
    return y;
  },
};

/**
 * activation(conv2d(x, w) + bias) for x [N, C, H, W], w [O, C/groups, kh, kw], bias [O]: one backend
 * kernel (the convolution storing bias and activation) where nothing is recorded and the backend has
 * one, the ops otherwise.
 * @example const y = conv2dEpilogueOp(x, w, b, { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }, 'relu')
 */
export function conv2dEpilogueOp(
  x: Tensor,
  w: Tensor,
  bias: Tensor,
  p: Conv2dParams,
  activation: EpilogueActivation = 'none',
): Tensor {
  const params: Conv2dEpilogueParams = { ...geometry(p), activation };
  conv2dEpilogueEntry.infer([x, w, bias], params); // the same shape errors on every path
  return runMap('conv2dEpilogue', conv2dEpilogueEntry, [x, w, bias], params);
}
