// Flat float64 host vectors for the curvature probes: dot products, seeded random directions, a small symmetric eigensolver.
import { Generator, sampleHost } from '../../core/random/generator.js';

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** a += s * b, in place. */
export function axpy(a: Float64Array, s: number, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += s * b[i];
}

export function scale(a: Float64Array, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * s;
  return out;
}

/** Removes from w its components along each (unit) vector of `basis`, twice (classical Gram-Schmidt, reorthogonalised). */
export function orthogonalize(w: Float64Array, basis: readonly Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) for (const q of basis) axpy(w, -dot(w, q), q);
}

/** A seeded stream of random directions on the host (Philox, the library's generator), the same on every backend. */
export class Directions {
  private readonly gen: Generator;
  constructor(seed: number) {
    this.gen = new Generator(seed);
  }
  /** A standard normal vector of length n. */
  normal(n: number): Float64Array {
    return sampleHost(this.gen, n, 'normal');
  }
  /** A Rademacher (±1) vector of length n. */
  rademacher(n: number): Float64Array {
    const u = sampleHost(this.gen, n, 'uniform');
    for (let i = 0; i < n; i++) u[i] = u[i] < 0.5 ? -1 : 1;
    return u;
  }
  /** A random unit vector of length n. */
  unit(n: number): Float64Array {
    const v = this.normal(n);
    return scale(v, 1 / norm(v));
  }
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns, row-major m x m) of a small symmetric matrix by cyclic
 * Jacobi rotations, to machine precision. Used for Lanczos' tridiagonal matrices (m of at most a few hundred).
 */
export function symmetricEigen(a0: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(a0);
  const v = new Float64Array(m * m);
  for (let i = 0; i < m; i++) v[i * m + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        total += a[i * m + j] ** 2;
        if (i !== j) off += a[i * m + j] ** 2;
      }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < m - 1; p++)
      for (let q = p + 1; q < m; q++) {
        const apq = a[p * m + q];
        if (apq === 0) continue;
        const theta = (a[q * m + q] - a[p * m + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[k * m + p];
          const akq = a[k * m + q];
          a[k * m + p] = c * akp - s * akq;
          a[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[p * m + k];
          const aqk = a[q * m + k];
          a[p * m + k] = c * apk - s * aqk;
          a[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = v[k * m + p];
          const vkq = v[k * m + q];
          v[k * m + p] = c * vkp - s * vkq;
          v[k * m + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => a[i * m + i] - a[j * m + j]);
  const values = Float64Array.from(order, (i) => a[i * m + i]);
  const vectors = new Float64Array(m * m);
  order.forEach((src, dst) => {
    for (let k = 0; k < m; k++) vectors[k * m + dst] = v[k * m + src];
  });
  return { values, vectors };
}
