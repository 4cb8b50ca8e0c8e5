// Cholesky factorization (lower, reading A's lower triangle) and triangular solves: the JS reference kernels.
import type { Kernel } from '../../backend.js';
import { LinAlgError } from '../../../core/errors.js';
import { batchSize, isBatched, readMatrix, writeMatrix } from './dense.js';

/** The text PyTorch uses for a matrix that is not positive-definite at leading minor `order` (1-based). */
export const notPositiveDefinite = (order: number) =>
  `The factorization could not be completed because the input is not positive-definite (the leading minor of order ${order} is not positive-definite).`;

/**
 * L with A = L L^T from A's lower triangle (row-major n x n), in place in a new array. Returns the failing
 * 0-based minor or -1; on failure L[k:, k:] is zero.
 */
export function choleskyInPlace(a: Float64Array, n: number): { L: Float64Array; fail: number } {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
    if (!(d > 0)) {
      for (let i = j; i < n; i++) for (let c = j; c < n; c++) L[i * n + c] = 0;
      return { L, fail: j };
    }
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = s / ljj;
    }
  }
  return { L, fail: -1 };
}

export const choleskyKernel: Kernel<'cholesky'> = ([a], out, { check }) => {
  const n = a.shape[a.shape.length - 1];
  const B = batchSize(a);
  for (let b = 0; b < B; b++) {
    const { L, fail } = choleskyInPlace(readMatrix(a, b), n);
    if (fail >= 0 && check)
      throw new LinAlgError('linalg.cholesky', b, isBatched(a), notPositiveDefinite(fail + 1));
    writeMatrix(out, b, L);
  }
};

/** The text for a triangular matrix with a zero on its diagonal at `index` (1-based). */
export const zeroDiagonal = (index: number, what: string) =>
  `The diagonal element ${index} is zero, the ${what} could not be completed because the input matrix is singular.`;

/** Solves A X = B in place in `x` (n x k) for triangular A; returns the first zero diagonal (0-based) or -1. */
export function triangularSolveInPlace(
  A: Float64Array,
  x: Float64Array,
  n: number,
  k: number,
  upper: boolean,
  unit: boolean,
): number {
  if (!unit) for (let i = 0; i < n; i++) if (A[i * n + i] === 0) return i;
  for (let c = 0; c < k; c++) {
    if (upper) {
      for (let i = n - 1; i >= 0; i--) {
        let s = x[i * k + c];
        for (let j = i + 1; j < n; j++) s -= A[i * n + j] * x[j * k + c];
        x[i * k + c] = unit ? s : s / A[i * n + i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        let s = x[i * k + c];
        for (let j = 0; j < i; j++) s -= A[i * n + j] * x[j * k + c];
        x[i * k + c] = unit ? s : s / A[i * n + i];
      }
    }
  }
  return -1;
}

export const triangularSolveKernel: Kernel<'triangularSolve'> = ([a, rhs], out, { upper, unitriangular }) => {
  const n = a.shape[a.shape.length - 1];
  const k = rhs.shape[rhs.shape.length - 1];
  const B = batchSize(a);
  for (let b = 0; b < B; b++) {
    const x = readMatrix(rhs, b);
    const fail = triangularSolveInPlace(readMatrix(a, b), x, n, k, upper, unitriangular);
    if (fail >= 0)
      throw new LinAlgError('linalg.solve_triangular', b, isBatched(a), zeroDiagonal(fail + 1, 'solve'));
    writeMatrix(out, b, x);
  }
};
