// SNNK random features (paper 41): seeded Gaussian or orthogonal projections and the feature maps Φ(x), Ψ(w) whose inner
// product estimates f(xᵀw) for f = exp, cos (universal random features) and the ReLU arc-cosine kernel.
import { ArgumentError } from '../core/errors.js';
import type { DType } from '../core/dtype.js';
import type { Generator } from '../core/random/generator.js';
import type { Tensor } from '../core/tensor.js';
import { noGrad } from '../core/state.js';
import { randn } from '../ops/creation.js';
import { cos, exp, mul, relu, sqrt, sub } from '../ops/elementwise.js';
import { cholesky, solveTriangular } from '../ops/linalg/index.js';
import { matmul } from '../ops/matmul.js';
import { sum } from '../ops/reduce.js';
import { cat, narrow, transpose, unsqueeze } from '../ops/shape.js';

/** How the projection's rows are drawn: i.i.d. N(0, I), or orthogonal within blocks of d (norms chi-distributed). */
export type ProjectionKind = 'gaussian' | 'orthogonal';
/** The function f whose f(xᵀw) the features estimate. */
export type FeatureKind = 'exp' | 'cos' | 'relu';

/**
 * The orthonormal Q of A = QR (A [n, k], full column rank), by CholeskyQR twice (gl.linalg.cholesky + solveTriangular).
 * @example
 * const q = gl.rules.orthonormalColumns(gl.randn([8, 3], { dtype: 'float64' }));
 * q.transpose(0, 1).matmul(q); // ≈ the 3×3 identity
 */
export function orthonormalColumns(a: Tensor): Tensor {
  let q = a;
  for (let pass = 0; pass < 2; pass++) {
    const r = transpose(cholesky(matmul(transpose(q, 0, 1), q)), 0, 1); // upper R with QᵀQ = RᵀR
    q = solveTriangular(r, q, { upper: true, left: false }); // Q R⁻¹
  }
  return q;
}

/**
 * A seeded projection G [m, d]. `'gaussian'`: i.i.d. N(0, 1) entries. `'orthogonal'`: ⌈m/d⌉ blocks of d orthonormal
 * rows (each block from a fresh Gaussian matrix), every row rescaled by the norm of an independent N(0, I_d) vector,
 * so each row is still marginally N(0, I) but rows within a block are orthogonal (Yu et al. 2016, Performer's
 * `gaussian_orthogonal_random_matrix`). Orthogonalisation is CholeskyQR2 through gl.linalg (float64 recommended).
 * @example const G = gl.rules.randomProjection(64, 16, 'orthogonal', new gl.Generator(0), 'float64');
 */
export function randomProjection(
  m: number,
  d: number,
  kind: ProjectionKind,
  generator: Generator,
  dtype: DType = 'float32',
): Tensor {
  if (!Number.isInteger(m) || m < 1 || !Number.isInteger(d) || d < 1)
    throw new ArgumentError(`randomProjection: m and d must be positive integers, got ${m}, ${d}`);
  if (kind === 'gaussian') return randn([m, d], { generator, dtype });
  if (kind !== 'orthogonal')
    throw new ArgumentError(
      `randomProjection: kind must be 'gaussian' or 'orthogonal', got '${String(kind)}'`,
    );
  return noGrad(() => {
    const blocks: Tensor[] = [];
    for (let rows = 0; rows < m; rows += d) {
      const q = transpose(orthonormalColumns(randn([d, d], { generator, dtype })), 0, 1); // rows orthonormal
      blocks.push(narrow(q, 0, 0, Math.min(d, m - rows)));
    }
    const chi = randn([m, d], { generator, dtype });
    const norms = sqrt(sum(mul(chi, chi), 1));
    return mul(cat(blocks, 0), unsqueeze(norms, 1));
  });
}

/**
 * Random features of the rows of `z` [n, d] under projection `g` [m, d], such that
 * E[Φ(x)·Ψ(w)] = f(xᵀw) for `Φ = features(kind, 'input', x, g)` and `Ψ = features(kind, 'weight', w, g)`:
 * - exp: Φ = Ψ = exp(Gz − ‖z‖²/2)/√m (positive random features; the Gaussian MGF identity);
 * - cos: Φ = cos(Gx)·exp(‖x‖²/2)/√m, Ψ = exp(Gw − ‖w‖²/2)/√m — the real part of the MGF identity
 *   E[exp(i gᵀx + ‖x‖²/2) · exp(gᵀw − ‖w‖²/2)] = exp(i xᵀw), a universal random feature with a = i, b = 1;
 * - relu: Φ = Ψ = ReLU(Gz)/√m, whose inner product estimates the first-order arc-cosine kernel
 *   ‖x‖‖w‖(sin θ + (π − θ) cos θ)/(2π).
 * @example const est = gl.sum(gl.mul(features('exp', 'input', x, G), features('exp', 'weight', w, G)), 1);
 */
export function features(kind: FeatureKind, side: 'input' | 'weight', z: Tensor, g: Tensor): Tensor {
  const m = g.shape[0];
  const proj = matmul(z, transpose(g, 0, 1)); // [n, m]
  const half = unsqueeze(mul(sum(mul(z, z), 1), 0.5), 1); // ‖z‖²/2 [n, 1]
  const scale = 1 / Math.sqrt(m);
  if (kind === 'relu') return mul(relu(proj), scale);
  if (kind === 'exp' || side === 'weight') return mul(exp(sub(proj, half)), scale);
  if (kind === 'cos') return mul(mul(cos(proj), exp(half)), scale);
  throw new ArgumentError(`features: kind must be 'exp', 'cos' or 'relu', got '${String(kind)}'`);
}

/**
 * The exact kernel f(xᵀw) of the exp and cos features, row by row (x, w [n, d]).
 * @example
 * const x = gl.randn([4, 8]).mul(0.1);
 * const w = gl.randn([4, 8]).mul(0.1);
 * gl.rules.exactKernel('exp', x, w); // exp(xᵢ · wᵢ), shape [4]
 */
export function exactKernel(kind: 'exp' | 'cos', x: Tensor, w: Tensor): Tensor {
  const dot = sum(mul(x, w), 1);
  if (kind === 'exp') return exp(dot);
  if (kind === 'cos') return cos(dot);
  throw new ArgumentError(`exactKernel: kind must be 'exp' or 'cos', got '${String(kind)}'`);
}
