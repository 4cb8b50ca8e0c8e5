// Cholesky, solves, inverse and determinants: gl.linalg's factorization-based functions (torch.linalg names).
import { apply } from '../../core/engine.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import { pcast } from '../../core/primitive-calls.js';
import type { Tensor } from '../../core/tensor.js';
import { add, exp, le, mul } from '../elementwise.js';
import { amax, argmax, sum } from '../reduce.js';
import { expand, select, squeeze, unsqueeze } from '../shape.js';
import { broadcastBatch, checkMatrix, eyeLike, mT, reportAs, sameDType } from './common.js';

/** Options of {@link cholesky}. */
export interface CholeskyOptions {
  /** Return the upper factor U = L^T (A = U^T U) instead of L (default false). */
  upper?: boolean;
}

/**
 * The Cholesky factor of symmetric positive-definite matrices: lower L with A = L L^T (only A's lower
 * triangle is read). Batched over leading dims; a matrix that is not positive-definite raises
 * LinAlgError naming its index in the batch.
 * @example const L = gl.linalg.cholesky(gl.tensor([[4, 2], [2, 3]], { dtype: 'float64' }));
 */
export function cholesky(A: Tensor, opts: CholeskyOptions = {}): Tensor {
  checkMatrix('linalg.cholesky', A);
  const L = reportAs('linalg.cholesky', () => apply('cholesky', [A], { check: true }));
  return opts.upper ? mT(L) : L;
}

/** Options of {@link choleskyEx}. */
export interface CholeskyExOptions extends CholeskyOptions {
  /** Raise LinAlgError on failure, as {@link cholesky} does (default false: report it in `info`). */
  checkErrors?: boolean;
}

/**
 * Cholesky without raising: `info` (int32, one per matrix) is 0 where the factorization succeeded and k
 * where the leading minor of order k is not positive-definite (L is then only partly computed).
 * @example const { L, info } = gl.linalg.choleskyEx(A); // info.dataSync() -> [0] when A is positive-definite
 */
export function choleskyEx(A: Tensor, opts: CholeskyExOptions = {}): { L: Tensor; info: Tensor } {
  checkMatrix('linalg.cholesky_ex', A);
  const L = reportAs('linalg.cholesky_ex', () =>
    apply('cholesky', [A], { check: opts.checkErrors ?? false }),
  );
  const n = A.shape[A.ndim - 1];
  // a failed minor k leaves L[k, k] = 0 (every computed pivot is > 0): info = k + 1 for the first one, else 0
  const diag = sum(mul(L.detach(), eyeLike(A, n)), -1);
  let info: Tensor;
  if (n === 0) info = pcast(sum(diag, -1), 'int32');
  else {
    const bad = pcast(le(diag, 0), A.dtype);
    const first = add(pcast(argmax(bad, -1), A.dtype), 1);
    info = pcast(mul(amax(bad, -1), first), 'int32');
  }
  return { L: opts.upper ? mT(L) : L, info };
}

/** PyTorch's words for a singular system in linalg.solve. */
const SOLVER_FAILED = () => 'The solver failed because the input matrix is singular.';

/** Options of {@link solve}. */
export interface SolveOptions {
  /** Solve A X = B (true, default) or X A = B (false). */
  left?: boolean;
}

/**
 * The solution X of A X = B for square, invertible A (LU with partial pivoting). B may be a batch of
 * vectors [..., n] or matrices [..., n, k]; batch dims broadcast. A singular matrix raises LinAlgError.
 * @example const x = gl.linalg.solve(A, b); // A [3, 3], b [3]
 */
export function solve(A: Tensor, B: Tensor, opts: SolveOptions = {}): Tensor {
  const op = 'linalg.solve';
  checkMatrix(op, A);
  sameDType(op, A, B);
  const left = opts.left ?? true;
  const n = A.shape[A.ndim - 1];
  // PyTorch: B is a vector when 1-D, or when it is A's shape without the last dim
  const vector = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((d, i) => d === A.shape[i]));
  let b = vector ? unsqueeze(B, left ? -1 : -2) : B;
  if (b.ndim < 2 || b.shape[b.ndim - (left ? 2 : 1)] !== n)
    throw new ShapeError(
      `${op}: A ${fmtShape(A.shape)} and B ${fmtShape(B.shape)} do not fit (B needs ${n} ${left ? 'rows' : 'columns'})`,
    );
  let a = A;
  if (!left) {
    a = mT(A);
    b = mT(b);
  }
  const [aa, bb] = broadcastBatch(op, a, b);
  let x = reportAs(op, () => apply('solve', [aa, bb], null), SOLVER_FAILED);
  if (!left) x = mT(x);
  return vector ? squeeze(x, left ? -1 : -2) : x;
}

/** Options of {@link solveTriangular}. */
export interface SolveTriangularOptions {
  /** A is upper triangular (true) or lower (false); the other triangle is not read. */
  upper: boolean;
  /** Solve A X = B (true, default) or X A = B (false). */
  left?: boolean;
  /** Assume ones on A's diagonal (it is not read; default false). */
  unitriangular?: boolean;
}

/**
 * The solution X of A X = B (or X A = B) for triangular A. A zero on A's diagonal raises LinAlgError
 * (PyTorch returns inf/NaN there). Batch dims broadcast.
 * @example const x = gl.linalg.solveTriangular(L, b, { upper: false }); // L [n, n], b [n, k]
 */
export function solveTriangular(A: Tensor, B: Tensor, opts: SolveTriangularOptions): Tensor {
  const op = 'linalg.solve_triangular';
  checkMatrix(op, A);
  checkMatrix(op, B, false);
  sameDType(op, A, B);
  if (typeof opts?.upper !== 'boolean')
    throw new ShapeError(`${op}: the option 'upper' (true or false) is required, as in PyTorch`);
  const left = opts.left ?? true;
  const n = A.shape[A.ndim - 1];
  if (B.shape[B.ndim - (left ? 2 : 1)] !== n)
    throw new ShapeError(
      `${op}: A ${fmtShape(A.shape)} and B ${fmtShape(B.shape)} do not fit (B needs ${n} ${left ? 'rows' : 'columns'})`,
    );
  const unitriangular = opts.unitriangular ?? false;
  if (left) {
    const [a, b] = broadcastBatch(op, A, B);
    return reportAs(op, () => apply('triangularSolve', [a, b], { upper: opts.upper, unitriangular }));
  }
  const [a, b] = broadcastBatch(op, mT(A), mT(B));
  return mT(reportAs(op, () => apply('triangularSolve', [a, b], { upper: !opts.upper, unitriangular })));
}

/**
 * The inverse of square, invertible matrices (batched). A singular matrix raises LinAlgError.
 * @example const Ainv = gl.linalg.inv(A);
 */
export function inv(A: Tensor): Tensor {
  const op = 'linalg.inv';
  checkMatrix(op, A);
  const I = expand(eyeLike(A, A.shape[A.ndim - 1]), A.shape);
  return reportAs(
    op,
    () => apply('solve', [A, I], null),
    (d) => d.replace('the solve', 'the inversion'),
  );
}

/**
 * Sign and natural log of the absolute determinant: { sign, logabsdet }, each of A's batch shape.
 * A singular matrix gives sign 0 and logabsdet -Infinity (as PyTorch); its gradient then raises LinAlgError.
 * @example const { sign, logabsdet } = gl.linalg.slogdet(A);
 */
export function slogdet(A: Tensor): { sign: Tensor; logabsdet: Tensor } {
  checkMatrix('linalg.slogdet', A);
  const out = apply('slogdet', [A], null);
  return { sign: select(out, -1, 0).detach(), logabsdet: select(out, -1, 1) };
}

/**
 * The determinant of square matrices (batched): sign * exp(logabsdet) from an LU factorization.
 * @example gl.linalg.det(gl.tensor([[1, 2], [3, 4]])).item() // -2
 */
export function det(A: Tensor): Tensor {
  checkMatrix('linalg.det', A);
  const out = reportAs('linalg.det', () => apply('slogdet', [A], null));
  return mul(select(out, -1, 0).detach(), exp(select(out, -1, 1)));
}
