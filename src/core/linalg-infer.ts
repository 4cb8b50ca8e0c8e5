// Shape and dtype inference of the matrix factorization primitives (named errors before any kernel runs).
import { DTypeError, ShapeError, fmtShape } from './errors.js';
import type { Inferred } from './infer.js';
import type { LinalgPrimitive, PrimitiveParams } from './primitives.js';
import type { Tensor } from './tensor.js';

type InferLinalg<P extends LinalgPrimitive> = (
  inputs: readonly Tensor[],
  params: PrimitiveParams[P],
) => Inferred;

function floatMatrix(op: string, a: Tensor, square: boolean): void {
  if (a.dtype !== 'float32' && a.dtype !== 'float64')
    throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${a.dtype}`);
  const r = a.shape.length;
  if (r < 2)
    throw new ShapeError(`${op}: expected a matrix or a batch of matrices, got shape ${fmtShape(a.shape)}`);
  if (square && a.shape[r - 1] !== a.shape[r - 2])
    throw new ShapeError(`${op}: expected square matrices, got shape ${fmtShape(a.shape)}`);
}

/** A [..., n, n] and B [..., n, k] with the same batch dims (ops broadcast them first). */
function system(op: string, [a, b]: readonly Tensor[]): Inferred {
  floatMatrix(op, a, true);
  floatMatrix(op, b, false);
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: A is ${a.dtype} but B is ${b.dtype}`);
  const r = a.shape.length;
  const ok =
    b.shape.length === r &&
    b.shape[r - 2] === a.shape[r - 1] &&
    a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
  if (!ok)
    throw new ShapeError(
      `${op}: A ${fmtShape(a.shape)} and B ${fmtShape(b.shape)} do not form a system (expected B [..., ${a.shape[r - 1]}, k] with A's batch dims)`,
    );
  return { shape: [...b.shape], dtype: a.dtype };
}

/** Inference of each factorization primitive. */
export const linalgInfer: { [P in LinalgPrimitive]: InferLinalg<P> } = {
  cholesky: ([a]) => {
    floatMatrix('cholesky', a, true);
    return { shape: [...a.shape], dtype: a.dtype };
  },
  triangularSolve: (inputs) => system('triangularSolve', inputs),
  solve: (inputs) => system('solve', inputs),
  slogdet: ([a]) => {
    floatMatrix('slogdet', a, true);
    return { shape: [...a.shape.slice(0, -2), 2], dtype: a.dtype };
  },
  qr: ([a], { complete }) => {
    floatMatrix('qr', a, false);
    const [m, n] = a.shape.slice(-2);
    return { shape: [...a.shape.slice(0, -1), complete ? m : Math.min(m, n)], dtype: a.dtype };
  },
  eigh: ([a]) => {
    floatMatrix('eigh', a, true);
    const n = a.shape[a.shape.length - 1];
    return { shape: [...a.shape.slice(0, -2), n + 1, n], dtype: a.dtype };
  },
  svd: ([a]) => {
    floatMatrix('svd', a, false);
    const [m, n] = a.shape.slice(-2);
    if (m < n)
      throw new ShapeError(`svd: the primitive takes tall matrices (m >= n), got ${fmtShape(a.shape)}`);
    return { shape: [...a.shape.slice(0, -2), m + n + 1, n], dtype: a.dtype };
  },
};
