// The public curvature probes: Hessian-vector products, top eigenpairs (Lanczos or power iteration), SLQ spectral density, Hutchinson trace.
import { ArgumentError, ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { lanczos, ritz, ritzVector } from './lanczos.js';
import { HessianOperator, type CurvatureOptions, type LossClosure, type ParamsLike } from './operator.js';
import { Directions, dot, norm, orthogonalize, scale } from './vectors.js';

/** Options of gl.curvature.topEigen. */
export interface TopEigenOptions extends CurvatureOptions {
  /** How many of the largest eigenvalues (default 1). */
  k?: number;
  /** 'lanczos' (default; full reorthogonalisation) or 'power' (power iteration with deflation). */
  method?: 'lanczos' | 'power';
  /**
   * Lanczos steps (default min(n, max(30, 3k))), or the most power iterations per eigenpair (default 100).
   */
  iters?: number;
  /** Power iteration stops when the eigenvalue estimate changes by at most tol·|λ| (default 1e-6). */
  tol?: number;
  /** Seed of the random start vector (default 0). */
  seed?: number;
}

/** Eigenvalues (largest first) and their unit eigenvectors, each split into tensors shaped like the parameters. */
export interface TopEigenResult {
  /** The k largest eigenvalues, largest first. */
  eigenvalues: number[];
  /** eigenvectors[i]: the unit eigenvector of eigenvalues[i], one tensor per parameter. */
  eigenvectors: Tensor[][];
  /** Hessian-vector products used. */
  products: number;
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 1)
    throw new ArgumentError(`curvature: ${name} must be a positive integer, got ${String(v)}`);
  return x;
}

/**
 * Hessian-vector products of a scalar loss with respect to parameters (a Module's, or a list): H·v as tensors
 * shaped like the parameters. The loss closure is re-run with its first evaluation's random draws.
 * @example const hv = gl.curvature.hvp(() => gl.mseLoss(model.forward(x), y), model, vs);
 */
export function hvp(
  loss: LossClosure,
  params: ParamsLike,
  vectors: readonly Tensor[],
  opts: CurvatureOptions = {},
): Tensor[] {
  const op = new HessianOperator(loss, params, opts);
  if (vectors.length !== op.params.length)
    throw new ArgumentError(
      `curvature.hvp: expected ${op.params.length} vectors (one per parameter), got ${vectors.length}`,
    );
  const flat = new Float64Array(op.n);
  let off = 0;
  vectors.forEach((v, k) => {
    const p = op.params[k];
    if (v.numel !== p.numel || v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i]))
      throw new ShapeError(
        `curvature.hvp: vector ${k} has shape ${fmtShape(v.shape)}, its parameter ${fmtShape(p.shape)}`,
      );
    flat.set(v.dataSync(), off);
    off += p.numel;
  });
  return op.toTensors(op.apply(flat));
}

/**
 * The k largest eigenvalues of the Hessian of `loss` with respect to `params`, and their eigenvectors, by Lanczos
 * with full reorthogonalisation (default) or by power iteration with deflation (which finds the eigenvalues
 * largest in magnitude — the same ones when the top of the spectrum is positive, as for sharpness).
 * Throws TrainModeBatchNormError for a Module with BatchNorm in training mode unless allowed.
 * @example const { eigenvalues } = gl.curvature.topEigen(() => lossFn(model.forward(x), y), model, { k: 3 });
 */
export function topEigen(loss: LossClosure, params: ParamsLike, opts: TopEigenOptions = {}): TopEigenResult {
  const method = opts.method ?? 'lanczos';
  if (method !== 'lanczos' && method !== 'power')
    throw new ArgumentError(
      `curvature.topEigen: method must be 'lanczos' or 'power', got '${String(method)}'`,
    );
  const op = new HessianOperator(loss, params, opts);
  const k = positiveInt('k', opts.k, 1);
  if (k > op.n)
    throw new ArgumentError(
      `curvature.topEigen: k must be at most the number of parameters (${op.n}), got ${k}`,
    );
  const dirs = new Directions(opts.seed ?? 0);
  if (method === 'power') {
    const iters = positiveInt('iters', opts.iters, 100);
    const found: Float64Array[] = [];
    const values: number[] = [];
    for (let i = 0; i < k; i++) {
      const r = powerIterate(op, dirs.unit(op.n), iters, opts.tol ?? 1e-6, found);
      found.push(r.vector);
      values.push(r.value);
    }
    const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
    return {
      eigenvalues: order.map((i) => values[i]),
      eigenvectors: order.map((i) => op.toTensors(found[i])),
      products: op.products,
    };
  }
  const steps = Math.min(op.n, positiveInt('iters', opts.iters, Math.min(op.n, Math.max(30, 3 * k))));
  const run = lanczos(op, steps, dirs.normal(op.n));
  const { values, vectors, m } = ritz(run);
  const take = Math.min(k, m);
  const eigenvalues: number[] = [];
  const eigenvectors: Tensor[][] = [];
  for (let i = 0; i < take; i++) {
    const col = m - 1 - i;
    eigenvalues.push(values[col]);
    eigenvectors.push(op.toTensors(ritzVector(run, vectors, m, col)));
  }
  return { eigenvalues, eigenvectors, products: op.products };
}

/** Power iteration on the complement of `deflate` (unit vectors): the eigenpair of largest |λ| there. */
export function powerIterate(
  op: { n: number; apply(v: Float64Array): Float64Array },
  start: Float64Array,
  iters: number,
  tol: number,
  deflate: readonly Float64Array[] = [],
): { value: number; vector: Float64Array; iterations: number } {
  let v: Float64Array = Float64Array.from(start);
  orthogonalize(v, deflate);
  v = scale(v, 1 / norm(v));
  let value = 0;
  for (let it = 1; it <= iters; it++) {
    const w = op.apply(v);
    orthogonalize(w, deflate);
    const next = dot(w, v);
    const size = norm(w);
    if (size === 0) return { value: 0, vector: v, iterations: it };
    v = scale(w, 1 / size);
    if (it > 1 && Math.abs(next - value) <= tol * Math.abs(next))
      return { value: next, vector: v, iterations: it };
    value = next;
  }
  return { value, vector: v, iterations: iters };
}

/** Options of gl.curvature.spectralDensity. */
export interface DensityOptions extends CurvatureOptions {
  /** Lanczos steps per probe (default min(n, 30)). */
  iters?: number;
  /** Random probe vectors (default 4). */
  probes?: number;
  /** Seed of the probes (default 0). */
  seed?: number;
}

/** Stochastic Lanczos quadrature: per probe, Gauss quadrature nodes (Ritz values) and weights (summing to 1). */
export interface SpectralDensity {
  /** nodes[p]: the Ritz values of probe p (ascending). */
  nodes: number[][];
  /** weights[p][i]: the quadrature weight of nodes[p][i] (each probe's sum to 1). */
  weights: number[][];
  /** The number of parameters n (the density integrates to 1; n times it counts eigenvalues). */
  n: number;
  /** The density smoothed by a Gaussian of width sigma at each point of `grid` (PyHessian's estimate). */
  at(grid: readonly number[], sigma: number): number[];
}

/**
 * The Hessian's spectral density by stochastic Lanczos quadrature (Ghorbani et al. 2019, PyHessian): each
 * Rademacher probe v gives Lanczos' T; its eigenvalues θᵢ are the nodes and the squared first components of
 * its eigenvectors the weights, so Σᵢ wᵢ f(θᵢ) ≈ vᵀ f(H) v / n.
 * @example const d = gl.curvature.spectralDensity(loss, model, { iters: 40 }); d.at(grid, 0.01);
 */
export function spectralDensity(
  loss: LossClosure,
  params: ParamsLike,
  opts: DensityOptions = {},
): SpectralDensity {
  const op = new HessianOperator(loss, params, opts);
  const steps = Math.min(op.n, positiveInt('iters', opts.iters, Math.min(op.n, 30)));
  const probes = positiveInt('probes', opts.probes, 4);
  const dirs = new Directions(opts.seed ?? 0);
  const nodes: number[][] = [];
  const weights: number[][] = [];
  for (let p = 0; p < probes; p++) {
    const run = lanczos(op, steps, dirs.rademacher(op.n));
    const { values, vectors } = ritz(run);
    nodes.push(Array.from(values));
    weights.push(Array.from(values, (_, i) => vectors[i] ** 2));
  }
  return {
    nodes,
    weights,
    n: op.n,
    at(grid, sigma) {
      if (!(sigma > 0)) throw new ArgumentError(`spectralDensity.at: sigma must be positive, got ${sigma}`);
      return grid.map((t) => {
        let s = 0;
        nodes.forEach((ns, p) =>
          ns.forEach((th, i) => (s += weights[p][i] * Math.exp(-((t - th) ** 2) / (2 * sigma * sigma)))),
        );
        return s / (probes * sigma * Math.sqrt(2 * Math.PI));
      });
    },
  };
}

/** Options of gl.curvature.trace. */
export interface TraceOptions extends CurvatureOptions {
  /** Rademacher probes (default 100). */
  samples?: number;
  /** Seed of the probes (default 0). */
  seed?: number;
}

/** Hutchinson's estimate of tr(H): the mean of zᵀHz over Rademacher z, its standard error and each sample. */
export interface TraceEstimate {
  /** The mean of the samples. */
  trace: number;
  /** Its standard error (sample standard deviation / √samples). */
  stdError: number;
  /** zᵀHz for each probe z. */
  samples: number[];
}

/**
 * Hutchinson's trace estimator: tr(H) ≈ mean of zᵀ H z over Rademacher vectors z (unbiased; variance
 * 2·Σ_{i≠j} H_ij²).
 * @example const { trace, stdError } = gl.curvature.trace(loss, model, { samples: 50 });
 */
export function trace(loss: LossClosure, params: ParamsLike, opts: TraceOptions = {}): TraceEstimate {
  const op = new HessianOperator(loss, params, opts);
  const count = positiveInt('samples', opts.samples, 100);
  const dirs = new Directions(opts.seed ?? 0);
  const samples: number[] = [];
  for (let s = 0; s < count; s++) {
    const z = dirs.rademacher(op.n);
    samples.push(dot(z, op.apply(z)));
  }
  const mean = samples.reduce((a, b) => a + b, 0) / count;
  const variance = count > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (count - 1) : 0;
  return { trace: mean, stdError: Math.sqrt(variance / count), samples };
}
