// LU with partial pivoting: general solves and sign/log|det|, the JS reference kernels.
import type { Kernel } from '../../backend.js';
import { LinAlgError } from '../../../core/errors.js';
import { zeroDiagonal } from './cholesky.js';
import { batchSize, isBatched, readMatrix, writeMatrix } from './dense.js';

/**
 * Factors P A = L U in place (row-major n x n, unit L below the diagonal, U on and above). Returns the
 * row swaps (`piv[j]` swapped with j, as LAPACK's getrf) and the first exactly zero pivot (0-based) or -1.
 */
export function luInPlace(a: Float64Array, n: number): { piv: Int32Array; zero: number } {
  const piv = new Int32Array(n);
  let zero = -1;
  for (let j = 0; j < n; j++) {
    let p = j;
    let best = Math.abs(a[j * n + j]);
    for (let i = j + 1; i < n; i++) {
      const v = Math.abs(a[i * n + j]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    piv[j] = p;
    if (p !== j)
      for (let c = 0; c < n; c++) {
        const t = a[j * n + c];
        a[j * n + c] = a[p * n + c];
        a[p * n + c] = t;
      }
    const d = a[j * n + j];
    if (d === 0) {
      if (zero < 0) zero = j;
      continue;
    }
    for (let i = j + 1; i < n; i++) {
      const f = (a[i * n + j] /= d);
      if (f !== 0) for (let c = j + 1; c < n; c++) a[i * n + c] -= f * a[j * n + c];
    }
  }
  return { piv, zero };
}

/**
 * X with A X = B. Like PyTorch (and LAPACK on a row-major A), it factors A^T = P L U, so a singular A is
 * reported at the same diagonal element as there; then A = U^T L^T P.
 */
export const solveKernel: Kernel<'solve'> = ([a, rhs], out) => {
  const n = a.shape[a.shape.length - 1];
  const k = rhs.shape[rhs.shape.length - 1];
  const B = batchSize(a);
  for (let b = 0; b < B; b++) {
    const at = readMatrix(a, b);
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const t = at[i * n + j];
        at[i * n + j] = at[j * n + i];
        at[j * n + i] = t;
      }
    const { piv, zero } = luInPlace(at, n);
    if (zero >= 0) throw new LinAlgError('linalg.solve', b, isBatched(a), zeroDiagonal(zero + 1, 'solve'));
    const x = readMatrix(rhs, b);
    for (let c = 0; c < k; c++) {
      // U^T y = b (lower, diagonal U[i][i])
      for (let i = 0; i < n; i++) {
        let s = x[i * k + c];
        for (let j = 0; j < i; j++) s -= at[j * n + i] * x[j * k + c];
        x[i * k + c] = s / at[i * n + i];
      }
      // L^T z = y (upper, unit diagonal)
      for (let i = n - 1; i >= 0; i--) {
        let s = x[i * k + c];
        for (let j = i + 1; j < n; j++) s -= at[j * n + i] * x[j * k + c];
        x[i * k + c] = s;
      }
    }
    // X = P^T z: undo the row swaps in reverse order
    for (let j = n - 1; j >= 0; j--)
      if (piv[j] !== j)
        for (let c = 0; c < k; c++) {
          const t = x[j * k + c];
          x[j * k + c] = x[piv[j] * k + c];
          x[piv[j] * k + c] = t;
        }
    writeMatrix(out, b, x);
  }
};

export const slogdetKernel: Kernel<'slogdet'> = ([a], out) => {
  const n = a.shape[a.shape.length - 1];
  const B = batchSize(a);
  const res = new Float64Array(2);
  for (let b = 0; b < B; b++) {
    const lu = readMatrix(a, b);
    const { piv, zero } = luInPlace(lu, n);
    if (zero >= 0) {
      res[0] = 0;
      res[1] = -Infinity;
    } else {
      let sign = 1;
      let lad = 0;
      for (let j = 0; j < n; j++) {
        const d = lu[j * n + j];
        if (piv[j] !== j) sign = -sign;
        if (d < 0) sign = -sign;
        lad += Math.log(Math.abs(d));
      }
      res[0] = sign;
      res[1] = lad;
    }
    writeMatrix(out, b, res);
  }
};
