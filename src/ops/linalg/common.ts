// Helpers shared by gl.linalg's functions: input checks, batch broadcasting, constant masks, error relabelling.
import { DTypeError, LinAlgError, ShapeError, fmtShape } from '../../core/errors.js';
import { withLinAlgRelabel } from '../../core/linalg-report.js';
import { broadcastShapes } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { fromTypedArray } from '../tensor-like.js';
import { mul } from '../elementwise.js';
import { expand, transpose } from '../shape.js';

/** Checks a float matrix (or batch of matrices), square when asked. */
export function checkMatrix(op: string, a: Tensor, square = true): void {
  if (a.dtype !== 'float32' && a.dtype !== 'float64')
    throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${a.dtype}`);
  if (a.ndim < 2)
    throw new ShapeError(
      `${op}: expected a matrix or a batch of matrices [..., m, n], got shape ${fmtShape(a.shape)}`,
    );
  if (square && a.shape[a.ndim - 1] !== a.shape[a.ndim - 2])
    throw new ShapeError(`${op}: expected square matrices [..., n, n], got shape ${fmtShape(a.shape)}`);
}

/** Checks that two tensors share a dtype. */
export function sameDType(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype)
    throw new DTypeError(`${op}: A is ${a.dtype} but B is ${b.dtype} (convert one of them first)`);
}

/** A and B expanded to their common batch dims (the dims before the last two). */
export function broadcastBatch(op: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const batch = broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  return [expand(a, [...batch, ...a.shape.slice(-2)]), expand(b, [...batch, ...b.shape.slice(-2)])];
}

/** Swaps the last two dims. */
export const mT = (x: Tensor): Tensor => transpose(x, -2, -1);

/** A constant [n, m] matrix on `like`'s backend and dtype, entry (i, j) = f(i, j). */
export function constMatrix(like: Tensor, n: number, m: number, f: (i: number, j: number) => number): Tensor {
  const data = like.dtype === 'float64' ? new Float64Array(n * m) : new Float32Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) data[i * m + j] = f(i, j);
  return fromTypedArray(data, [n, m], like.dtype, like.storage.backend);
}

/** The n x n identity on `like`'s backend and dtype. */
export const eyeLike = (like: Tensor, n: number): Tensor =>
  constMatrix(like, n, n, (i, j) => (i === j ? 1 : 0));

/** The upper (col - row >= k) or lower (col - row <= k) triangle of the last two dims, zeros elsewhere. */
export function triangle(x: Tensor, upper: boolean, k = 0): Tensor {
  const [r, c] = x.shape.slice(-2);
  return mul(
    x,
    constMatrix(x, r, c, (i, j) => ((upper ? j - i >= k : j - i <= k) ? 1 : 0)),
  );
}

/**
 * Runs `f`, reporting a LinAlgError raised inside it under `op` (the function the user called), its text
 * rewritten by `detail` when given (PyTorch words a singular matrix differently for solve and inv).
 * A failure an asynchronous backend reports at the next read is relabelled the same way.
 */
export function reportAs<T>(op: string, f: () => T, detail?: (d: string) => string): T {
  return withLinAlgRelabel(
    (e) =>
      e.op !== op || detail
        ? new LinAlgError(op, e.batchIndex, e.batched, detail ? detail(e.detail) : e.detail)
        : e,
    f,
  );
}
