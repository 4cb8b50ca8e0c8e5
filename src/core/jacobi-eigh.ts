// Symmetric eigendecomposition of a small host float64 matrix by cyclic Jacobi rotations (the js linalg kernel and Lanczos' Ritz step share it).

/**
 * Eigenvalues (ascending) and eigenvectors (columns of V, row-major n x n) of symmetric A (lower triangle read).
 * @example const { w, V } = jacobiEigh(Float64Array.of(2, 1, 1, 2), 2); // w = [1, 3]
 */
export function jacobiEigh(a: Float64Array, n: number): { w: Float64Array; V: Float64Array } {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = a[i * n + j];
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const x = A[i * n + j] * A[i * n + j];
        total += x;
        if (i !== j) off += x;
      }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => A[x * n + x] - A[y * n + y]);
  const w = new Float64Array(n);
  const Vs = new Float64Array(n * n);
  order.forEach((src, dst) => {
    w[dst] = A[src * n + src];
    for (let k = 0; k < n; k++) Vs[k * n + dst] = V[k * n + src];
  });
  return { w, V: Vs };
}
