// Lanczos tridiagonalisation with full reorthogonalisation, and its Ritz pairs.
import { ArgumentError } from '../../core/errors.js';
import { axpy, dot, norm, orthogonalize, scale, symmetricEigen } from './vectors.js';

/** A symmetric linear operator on flat vectors of length n (e.g. a HessianOperator). */
export interface SymmetricOperator {
  /** The dimension. */
  readonly n: number;
  /** The product A·v (a new vector). */
  apply(v: Float64Array): Float64Array;
}

/** The result of `iters` Lanczos steps from a unit start vector: T = tridiag(beta, alpha, beta) = Qᵀ H Q. */
export interface LanczosRun {
  /** Diagonal of T. */
  alpha: number[];
  /** Off-diagonal of T (length alpha.length − 1). */
  beta: number[];
  /** The orthonormal Lanczos vectors (columns of Q). */
  basis: Float64Array[];
}

/**
 * `steps` Lanczos steps on `op` from the unit vector `start`, each new vector reorthogonalised against all
 * earlier ones (twice), so Ritz values do not repeat. Stops early when the Krylov space is exhausted
 * (β below 1e-12 of the largest |α|, β): T is then exact for that invariant subspace.
 * @example
 * const diag = Float64Array.of(1, 2, 3, 4);
 * const op = { n: 4, apply: (v: Float64Array) => v.map((x, i) => diag[i] * x) };
 * const { alpha, beta } = gl.curvature.lanczos(op, 4, Float64Array.of(1, 1, 1, 1)); // T's diagonal and off-diagonal
 */
export function lanczos(op: SymmetricOperator, steps: number, start: Float64Array): LanczosRun {
  if (!Number.isInteger(steps) || steps < 1)
    throw new ArgumentError(`lanczos: steps must be a positive integer, got ${steps}`);
  const m = Math.min(steps, op.n);
  const alpha: number[] = [];
  const beta: number[] = [];
  const basis: Float64Array[] = [];
  let q = scale(start, 1 / norm(start));
  let scaleEst = 0;
  for (let j = 0; j < m; j++) {
    basis.push(q);
    const w = op.apply(q);
    const a = dot(w, q);
    alpha.push(a);
    axpy(w, -a, q);
    if (j > 0) axpy(w, -beta[j - 1], basis[j - 1]);
    orthogonalize(w, basis);
    const b = norm(w);
    scaleEst = Math.max(scaleEst, Math.abs(a), b);
    if (j === m - 1 || b <= 1e-12 * scaleEst) break;
    beta.push(b);
    q = scale(w, 1 / b);
  }
  return { alpha, beta, basis };
}

/** Ritz values (ascending) of a Lanczos run, with the coordinates of the Ritz vectors in the Lanczos basis. */
export function ritz(run: LanczosRun): { values: Float64Array; vectors: Float64Array; m: number } {
  const m = run.alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = run.alpha[i];
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = run.beta[i];
  }
  const { values, vectors } = symmetricEigen(t, m);
  return { values, vectors, m };
}

/** The Ritz vector of column `col` (coordinates y in the basis) as a flat vector Q·y. */
export function ritzVector(run: LanczosRun, vectors: Float64Array, m: number, col: number): Float64Array {
  const out = new Float64Array(run.basis[0].length);
  for (let j = 0; j < m; j++) axpy(out, vectors[j * m + col], run.basis[j]);
  return out;
}
