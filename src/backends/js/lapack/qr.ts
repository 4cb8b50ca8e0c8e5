// Householder QR with LAPACK's sign conventions (geqrf + orgqr), so Q and R match LAPACK's and PyTorch's.
import type { Kernel } from '../../backend.js';
import { batchSize, readMatrix, writeMatrix } from './dense.js';

/** Q (m x qc, qc = min(m, n) or m when complete) of A = Q R for row-major A (m x n). */
export function householderQ(a: Float64Array, m: number, n: number, qc: number): Float64Array {
  const k = Math.min(m, n);
  const vs: Float64Array[] = [];
  const taus: number[] = [];
  for (let j = 0; j < k; j++) {
    const alpha = a[j * n + j];
    let xs = 0;
    for (let i = j + 1; i < m; i++) xs += a[i * n + j] * a[i * n + j];
    const v = new Float64Array(m - j);
    v[0] = 1;
    if (xs === 0) {
      vs.push(v);
      taus.push(0);
      continue;
    }
    const norm = Math.hypot(alpha, Math.sqrt(xs));
    const beta = alpha >= 0 ? -norm : norm;
    const tau = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) v[i - j] = a[i * n + j] * scale;
    a[j * n + j] = beta;
    for (let i = j + 1; i < m; i++) a[i * n + j] = 0;
    // apply H = I - tau v v^T to the remaining columns
    for (let c = j + 1; c < n; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i - j] * a[i * n + c];
      s *= tau;
      for (let i = j; i < m; i++) a[i * n + c] -= s * v[i - j];
    }
    vs.push(v);
    taus.push(tau);
  }
  const q = new Float64Array(m * qc);
  for (let i = 0; i < Math.min(m, qc); i++) q[i * qc + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j];
    const tau = taus[j];
    if (tau === 0) continue;
    for (let c = 0; c < qc; c++) {
      let s = 0;
      for (let i = j; i < m; i++) s += v[i - j] * q[i * qc + c];
      s *= tau;
      for (let i = j; i < m; i++) q[i * qc + c] -= s * v[i - j];
    }
  }
  return q;
}

export const qrKernel: Kernel<'qr'> = ([a], out, { complete }) => {
  const r = a.shape.length;
  const [m, n] = [a.shape[r - 2], a.shape[r - 1]];
  const qc = complete ? m : Math.min(m, n);
  const B = batchSize(a);
  for (let b = 0; b < B; b++) writeMatrix(out, b, householderQ(readMatrix(a, b), m, n, qc));
};
