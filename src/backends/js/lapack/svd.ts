// Thin SVD of tall matrices by one-sided (Hestenes) Jacobi rotations: the JS reference kernel.
import type { Kernel } from '../../backend.js';
import { batchSize, readMatrix, writeMatrix } from './dense.js';

/**
 * A = U diag(S) V^T for row-major A (m x n, m >= n): U (m x n) with orthonormal columns, S descending,
 * Vt (n x n). Columns of U for zero singular values are completed to an orthonormal set.
 */
export function jacobiSvd(
  a: Float64Array,
  m: number,
  n: number,
): { U: Float64Array; S: Float64Array; Vt: Float64Array } {
  const W = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = W[i * n + p];
          const y = W[i * n + q];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = W[i * n + p];
          const y = W[i * n + q];
          W[i * n + p] = c * x - s * y;
          W[i * n + q] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = V[i * n + p];
          const y = V[i * n + q];
          V[i * n + p] = c * x - s * y;
          V[i * n + q] = s * x + c * y;
        }
      }
    if (!rotated) break;
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += W[i * n + j] * W[i * n + j];
    norms[j] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => norms[y] - norms[x]);
  const U = new Float64Array(m * n);
  const S = new Float64Array(n);
  const Vt = new Float64Array(n * n);
  const tiny = (norms[order[0]] || 0) * Math.max(m, n) * 2.3e-16;
  const filled: number[] = [];
  order.forEach((src, dst) => {
    S[dst] = norms[src];
    for (let k = 0; k < n; k++) Vt[dst * n + k] = V[k * n + src];
    if (norms[src] > tiny && norms[src] > 0) {
      for (let i = 0; i < m; i++) U[i * n + dst] = W[i * n + src] / norms[src];
      filled.push(dst);
    }
  });
  // complete U's columns for (numerically) zero singular values with unit vectors orthogonalised against the rest
  for (let dst = 0, e = 0; dst < n; dst++) {
    if (filled.includes(dst)) continue;
    for (; e < m; e++) {
      const u = new Float64Array(m);
      u[e] = 1;
      for (const f of filled) {
        let d = 0;
        for (let i = 0; i < m; i++) d += U[i * n + f] * u[i];
        for (let i = 0; i < m; i++) u[i] -= d * U[i * n + f];
      }
      let s = 0;
      for (let i = 0; i < m; i++) s += u[i] * u[i];
      if (s > 0.25) {
        const r = Math.sqrt(s);
        for (let i = 0; i < m; i++) U[i * n + dst] = u[i] / r;
        filled.push(dst);
        e++;
        break;
      }
    }
  }
  return { U, S, Vt };
}

/** Output packed as [U (m rows); Vh (n rows); S (1 row)]. */
export const svdKernel: Kernel<'svd'> = ([a], out) => {
  const r = a.shape.length;
  const [m, n] = [a.shape[r - 2], a.shape[r - 1]];
  const B = batchSize(a);
  for (let b = 0; b < B; b++) {
    const { U, S, Vt } = jacobiSvd(readMatrix(a, b), m, n);
    const packed = new Float64Array((m + n + 1) * n);
    packed.set(U, 0);
    packed.set(Vt, m * n);
    packed.set(S, (m + n) * n);
    writeMatrix(out, b, packed);
  }
};
