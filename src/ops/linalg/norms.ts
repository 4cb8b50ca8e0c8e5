// Vector and matrix norms with torch.linalg.vector_norm / matrix_norm's orders and gradients (0 at zero).
import { ArgumentError, DTypeError } from '../../core/errors.js';
import { normDims } from '../../core/shape.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, cast, eq, mul, ne, pow, sqrt, where } from '../elementwise.js';
import { amax, amin, sum } from '../reduce.js';
import { permute, squeeze, unsqueeze } from '../shape.js';
import { svdvals } from './decompose.js';

/** sum(|x|^p)^(1/p) over dims, with gradient 0 where the norm is 0 (as PyTorch, not NaN). */
function powerNorm(x: Tensor, p: number, dims: number[], keepdim: boolean): Tensor {
  const a = abs(x);
  const s = sum(p === 2 ? mul(a, a) : p === 1 ? a : pow(a, p), dims, keepdim);
  if (p === 1) return s;
  const zero = eq(s, 0);
  const safe = where(zero, 1, s);
  return where(zero, 0, p === 2 ? sqrt(safe) : pow(safe, 1 / p));
}

function floatInput(op: string, x: Tensor): void {
  if (x.dtype !== 'float32' && x.dtype !== 'float64')
    throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${x.dtype}`);
}

/**
 * The vector norm of x over `dim` (all elements by default): ord 2 (default), any p > 0, Infinity (max |x|),
 * -Infinity (min |x|) or 0 (number of non-zeros), as torch.linalg.vector_norm.
 * @example gl.linalg.vectorNorm(gl.tensor([3, 4])) // 5
 */
export function vectorNorm(
  x: Tensor,
  ord = 2,
  dim: number | number[] | null = null,
  keepdim = false,
): Tensor {
  const op = 'linalg.vector_norm';
  floatInput(op, x);
  const dims =
    dim === null ? x.shape.map((_, i) => i) : normDims(op, typeof dim === 'number' ? [dim] : dim, x.ndim);
  if (ord === Infinity) return amax(abs(x), dims, keepdim);
  if (ord === -Infinity) return amin(abs(x), dims, keepdim);
  if (ord === 0) return sum(cast(where(ne(x, 0), 1, 0), x.dtype), dims, keepdim);
  if (!(ord > 0) && !(ord < 0)) throw new ArgumentError(`${op}: ord must be a number, got ${ord}`);
  if (ord < 0) return pow(sum(pow(abs(x), ord), dims, keepdim), 1 / ord);
  return powerNorm(x, ord, dims, keepdim);
}

/** The orders {@link matrixNorm} accepts. */
export type MatrixNormOrd = 'fro' | 'nuc' | number;

/**
 * The matrix norm over the two dims `dim` (the last two by default): 'fro' (default), 'nuc' (sum of
 * singular values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min column sum of |a|),
 * Infinity / -Infinity (max / min row sum), as torch.linalg.matrix_norm.
 * @example gl.linalg.matrixNorm(gl.tensor([[1, 2], [3, 4]]), 1) // 6
 */
export function matrixNorm(
  A: Tensor,
  ord: MatrixNormOrd = 'fro',
  dim: [number, number] = [-2, -1],
  keepdim = false,
): Tensor {
  const op = 'linalg.matrix_norm';
  floatInput(op, A);
  if (A.ndim < 2) throw new ArgumentError(`${op}: expected at least 2 dims, got ${A.ndim}`);
  const [r, c] = normDims(op, dim, A.ndim);
  if (r === c) throw new ArgumentError(`${op}: dim must name two different dims, got [${dim}]`);
  if (ord === 'fro') return powerNorm(A, 2, [r, c], keepdim);
  if (ord === 'nuc' || ord === 2 || ord === -2) {
    // move (r, c) to the end, then reduce the singular values
    const rest = A.shape.map((_, i) => i).filter((i) => i !== r && i !== c);
    const S = svdvals(permute(A, [...rest, r, c]));
    let out = ord === 'nuc' ? sum(S, -1) : ord === 2 ? amax(S, -1) : amin(S, -1);
    if (keepdim) for (const d of [Math.min(r, c), Math.max(r, c)]) out = unsqueeze(out, d);
    return out;
  }
  const absA = abs(A);
  if (ord === 1 || ord === -1) {
    const colSums = sum(absA, r, true);
    const out = ord === 1 ? amax(colSums, c, true) : amin(colSums, c, true);
    return keepdim ? out : squeeze(out, [r, c]);
  }
  if (ord === Infinity || ord === -Infinity) {
    const rowSums = sum(absA, c, true);
    const out = ord === Infinity ? amax(rowSums, r, true) : amin(rowSums, r, true);
    return keepdim ? out : squeeze(out, [r, c]);
  }
  throw new ArgumentError(
    `${op}: ord must be 'fro', 'nuc', 2, -2, 1, -1, Infinity or -Infinity, got ${String(ord)}`,
  );
}
