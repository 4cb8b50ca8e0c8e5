// Convolution gradients written with unfold, fold and matmul, so they are themselves differentiable.
// Each is one GEMM per group over all images (k or n = N*Ho*Wo), which BLAS runs far better than N small ones.
// They are the composites of the fused entries conv2dInputGrad / conv2dWeightGrad: off the tape (a first-order
// backward) a backend's kernel for the entry runs instead.
import type { Conv2dGradParams } from './fused-kernels.js';
import { runMap, type MapEntry } from './fused.js';
import type { Conv2dParams } from './primitives.js';
import { pfold, pmatmul, ppermute, preshape, ptransposeLast, punfold } from './primitive-calls.js';
import type { Tensor } from './tensor.js';

function geometry(p: Conv2dParams, kh: number, kw: number) {
  return { kernel: [kh, kw] as [number, number], stride: p.stride, padding: p.padding, dilation: p.dilation };
}

/** g [N, G*Og, Ho, Wo] laid out as [G, Og, N*Ho*Wo] (a copy of whole rows of Ho*Wo). */
function groupMajor(g: Tensor, G: number): Tensor {
  const [N, O, Ho, Wo] = g.shape;
  const perm = ppermute(preshape(g, [N, G, O / G, Ho * Wo]), [1, 2, 0, 3]);
  return preshape(perm, [G, O / G, N * Ho * Wo]);
}

/** Gradient of conv2d with respect to its input, composed: a transposed convolution of `g` with `w`. */
function inputGradComposite(g: Tensor, w: Tensor, inputShape: readonly number[], p: Conv2dParams): Tensor {
  const [N, , Ho, Wo] = g.shape;
  const [O, Cg, kh, kw] = w.shape;
  const G = p.groups;
  const K = Cg * kh * kw;
  const L = Ho * Wo;
  const wg = ptransposeLast(preshape(w, [G, O / G, K])); // [G, K, Og]
  const cols = pmatmul(wg, groupMajor(g, G)); // [G, K, N*L]
  const perImage = ppermute(preshape(cols, [G, K, N, L]), [2, 0, 1, 3]); // [N, G, K, L]
  return pfold(preshape(perImage, [N, G * K, L]), {
    ...geometry(p, kh, kw),
    outputSize: [inputShape[2], inputShape[3]],
  });
}

/** Gradient of conv2d with respect to its weight, composed: correlation of the unfolded input with `g`. */
function weightGradComposite(x: Tensor, g: Tensor, weightShape: readonly number[], p: Conv2dParams): Tensor {
  const [N, , Ho, Wo] = g.shape;
  const [, Cg, kh, kw] = weightShape;
  const G = p.groups;
  const K = Cg * kh * kw;
  const L = Ho * Wo;
  const cols = preshape(punfold(x, { ...geometry(p, kh, kw), padValue: 0 }), [N, G, K, L]);
  const colsG = preshape(ppermute(cols, [1, 2, 0, 3]), [G, K, N * L]); // whole rows of L copied
  const gw = pmatmul(groupMajor(g, G), ptransposeLast(colsG)); // [G, Og, K]
  return preshape(gw, weightShape);
}

/** The entry conv2dInputGrad: inputs [g, w], result [N, C, H, W] = params.outShape. */
export const conv2dInputGradEntry: MapEntry<Conv2dGradParams> = {
  infer: ([g], p) => ({ shape: [...p.outShape], dtype: g.dtype }),
  composite: ([g, w], p) => inputGradComposite(g, w, p.outShape, p),
};

/** The entry conv2dWeightGrad: inputs [x, g], result [O, C/groups, kh, kw] = params.outShape. */
export const conv2dWeightGradEntry: MapEntry<Conv2dGradParams> = {
  infer: ([, g], p) => ({ shape: [...p.outShape], dtype: g.dtype }),
  composite: ([x, g], p) => weightGradComposite(x, g, p.outShape, p),
};

/** Gradient of conv2d with respect to its input (shape `inputShape`) from g and w. */
export function conv2dInputGrad(
  g: Tensor,
  w: Tensor,
  inputShape: readonly number[],
  p: Conv2dParams,
): Tensor {
  return runMap('conv2dInputGrad', conv2dInputGradEntry, [g, w], { ...p, outShape: [...inputShape] });
}

/** Gradient of conv2d with respect to its weight (shape `weightShape`) from x and g. */
export function conv2dWeightGrad(
  x: Tensor,
  g: Tensor,
  weightShape: readonly number[],
  p: Conv2dParams,
): Tensor {
  return runMap('conv2dWeightGrad', conv2dWeightGradEntry, [x, g], { ...p, outShape: [...weightShape] });
}
