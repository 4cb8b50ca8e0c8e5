// The fused entry matmulEpilogue: activation(a @ b + bias) with the bias and activation applied in the GEMM's pass.
import { ShapeError, fmtShape } from './errors.js';
import type { EpilogueActivation, MatmulEpilogueParams } from './fused-kernels.js';
import { runMap, type MapEntry } from './fused.js';
import { EPILOGUE, fusedMap } from './fused-map.js';
import { pmatmul } from './primitive-calls.js';
import { releaseIntermediate, type Tensor } from './tensor.js';

/** The entry: inputs [a [..., m, k], b [k, n], bias [n]]; result [..., m, n]. */
export const matmulEpilogueEntry: MapEntry<MatmulEpilogueParams> = {
  infer: ([a, b, bias]) => {
    if (
      a.ndim < 2 ||
      b.ndim !== 2 ||
      bias.ndim !== 1 ||
      a.shape[a.ndim - 1] !== b.shape[0] ||
      bias.shape[0] !== b.shape[1]
    )
      throw new ShapeError(
        `matmulEpilogue: expected a [..., m, k], b [k, n] and bias [n], got ${fmtShape(a.shape)}, ${fmtShape(b.shape)} and ${fmtShape(bias.shape)}`,
      );
    return { shape: [...a.shape.slice(0, -1), b.shape[1]], dtype: a.dtype };
  },
  composite([a, b, bias], { activation }) {
    // bias and activation as one expression: one elementwise kernel where the backend fuses it
    const h = pmatmul(a, b);
    const y = fusedMap(EPILOGUE[activation], [h, bias]);
    releaseIntermediate(h); // reached by nothing else (the expression's ops save no input of theirs)
    return y;
  },
};

/**
 * activation(a @ b + bias) for a [..., m, k], b [k, n], bias [n]: one backend kernel (the GEMM, then bias
 * and activation in the same call) where nothing is recorded and the backend has one, the ops otherwise.
 * @example const y = matmulEpilogue(x, wT, bias, 'relu')
 */
export function matmulEpilogue(
  a: Tensor,
  b: Tensor,
  bias: Tensor,
  activation: EpilogueActivation = 'none',
): Tensor {
  matmulEpilogueEntry.infer([a, b, bias], { activation }); // the same shape errors on every path
  return runMap('matmulEpilogue', matmulEpilogueEntry, [a, b, bias], { activation });
}
