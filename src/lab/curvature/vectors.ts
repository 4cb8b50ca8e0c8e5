// Flat float64 host vectors for the curvature probes: dot products, seeded random directions, a small symmetric eigensolver.
import { jacobiEigh } from '../../core/jacobi-eigh.js';
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
 * Jacobi rotations, to machine precision (core's `jacobiEigh`, which gl.linalg's js kernel uses too). Used for Lanczos'
 * tridiagonal matrices (m of at most a few hundred).
 */
export function symmetricEigen(a0: Float64Array, m: number): { values: Float64Array; vectors: Float64Array } {
  const { w, V } = jacobiEigh(a0, m);
  return { values: w, vectors: V };
}
