// Seeded synthetic datasets: spirals, moons, circles, blobs, XOR clusters, regressions, random sequences.
import { ArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { generatorFrom, normals, permutation, uniforms, type SeedOptions } from './random.js';

/** Features `x` (float32 [n, d]) and targets `y` (int32 [n] class labels, or float32 for regression). */
export interface XY {
  /** Features, float32 [n, d]. */
  x: Tensor;
  /** Targets: int32 [n] labels, or float32 for regression. */
  y: Tensor;
}

/** Options of the synthetic classification sets: a seed (or generator) and the noise level. */
export interface ClassificationOptions extends SeedOptions {
  /** Standard deviation of the Gaussian noise added to every coordinate. */
  noise?: number;
  /** Probability that a label is replaced by a uniformly drawn other class (default 0). */
  labelNoise?: number;
  /** Shuffle the examples (default true); otherwise they are grouped by class. */
  shuffle?: boolean;
}

function checkCount(who: string, n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError(`${who}: n must be a positive integer, got ${n}`);
}

/** Class of example i when n examples are spread as evenly as possible over k classes. */
function classOf(i: number, n: number, k: number): number {
  return Math.min(k - 1, Math.floor((i * k) / n));
}

/** Adds noise, flips labels, shuffles, and wraps as tensors (all draws from `opts`' stream, in that order). */
function finish(
  who: string,
  pts: Float64Array,
  labels: Int32Array,
  d: number,
  k: number,
  opts: ClassificationOptions,
): XY {
  const n = labels.length;
  const gen = generatorFrom(opts, who);
  const noise = opts.noise ?? 0;
  if (noise < 0) throw new ArgumentError(`${who}: noise must be >= 0, got ${noise}`);
  const z = normals(gen, n * d);
  for (let i = 0; i < n * d; i++) pts[i] += noise * z[i];
  const p = opts.labelNoise ?? 0;
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`${who}: labelNoise must be in [0, 1], got ${p}`);
  if (p > 0) {
    const u = uniforms(gen, 2 * n);
    for (let i = 0; i < n; i++)
      if (u[2 * i] < p) labels[i] = (labels[i] + 1 + Math.floor(u[2 * i + 1] * (k - 1))) % k;
  }
  let x = Float32Array.from(pts);
  let y = labels;
  if (opts.shuffle ?? true) {
    const order = permutation(n, gen);
    const xs = new Float32Array(n * d);
    const ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ys[i] = labels[order[i]];
      for (let j = 0; j < d; j++) xs[i * d + j] = x[order[i] * d + j];
    }
    x = xs;
    y = ys;
  }
  return { x: fromTypedArray(x, [n, d], 'float32'), y: fromTypedArray(y, [n], 'int32') };
}

/**
 * Two interleaved spirals in 2-D (classes 0 and 1), `turns` revolutions each.
 * @example const { x, y } = gl.data.twoSpirals(400, { noise: 0.1, seed: 0 });
 */
export function twoSpirals(n: number, opts: ClassificationOptions & { turns?: number } = {}): XY {
  checkCount('twoSpirals', n);
  const gen = generatorFrom(opts, 'twoSpirals');
  const turns = opts.turns ?? 1.5;
  const u = uniforms(gen, n);
  const pts = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf(i, n, 2);
    const t = Math.sqrt(u[i]) * turns * 2 * Math.PI;
    const r = t / (turns * 2 * Math.PI);
    pts[2 * i] = r * Math.cos(t + c * Math.PI);
    pts[2 * i + 1] = r * Math.sin(t + c * Math.PI);
    labels[i] = c;
  }
  return finish('twoSpirals', pts, labels, 2, 2, { ...opts, generator: gen });
}

/**
 * Two interleaving half circles (class 0 the upper moon, class 1 the lower one).
 * @example const { x, y } = gl.data.moons(200, { noise: 0.1 });
 */
export function moons(n: number, opts: ClassificationOptions = {}): XY {
  checkCount('moons', n);
  const gen = generatorFrom(opts, 'moons');
  const u = uniforms(gen, n);
  const pts = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf(i, n, 2);
    const t = u[i] * Math.PI;
    pts[2 * i] = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
    pts[2 * i + 1] = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    labels[i] = c;
  }
  return finish('moons', pts, labels, 2, 2, { ...opts, generator: gen });
}

/**
 * Two concentric circles: class 0 of radius 1, class 1 of radius `factor` (default 0.5).
 * @example const { x, y } = gl.data.circles(200, { noise: 0.05, factor: 0.4 });
 */
export function circles(n: number, opts: ClassificationOptions & { factor?: number } = {}): XY {
  checkCount('circles', n);
  const factor = opts.factor ?? 0.5;
  if (!(factor > 0 && factor < 1))
    throw new ArgumentError(`circles: factor must be in (0, 1), got ${factor}`);
  const gen = generatorFrom(opts, 'circles');
  const u = uniforms(gen, n);
  const pts = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf(i, n, 2);
    const r = c === 0 ? 1 : factor;
    pts[2 * i] = r * Math.cos(2 * Math.PI * u[i]);
    pts[2 * i + 1] = r * Math.sin(2 * Math.PI * u[i]);
    labels[i] = c;
  }
  return finish('circles', pts, labels, 2, 2, { ...opts, generator: gen });
}

/**
 * Isotropic Gaussian blobs: `centers` given as points, or a count of centers drawn uniformly in
 * [-box, box]^dim (default 3 centers, dim 2, box 10). `std` (default 1) is each blob's spread.
 * @example const { x, y } = gl.data.blobs(300, { centers: 4, std: 0.5, seed: 1 });
 */
export function blobs(
  n: number,
  opts: ClassificationOptions & {
    centers?: number | number[][];
    dim?: number;
    std?: number;
    box?: number;
  } = {},
): XY & {
  /** The blob centers, one point per class. */
  centers: number[][];
} {
  checkCount('blobs', n);
  const gen = generatorFrom(opts, 'blobs');
  let centers: number[][];
  if (Array.isArray(opts.centers)) {
    centers = opts.centers;
    if (centers.length === 0 || centers.some((c) => c.length !== centers[0].length))
      throw new ArgumentError('blobs: centers must be a non-empty list of points of equal dimension');
  } else {
    const k = opts.centers ?? 3;
    const dim = opts.dim ?? 2;
    const box = opts.box ?? 10;
    if (!Number.isInteger(k) || k < 1)
      throw new ArgumentError(`blobs: centers must be a positive integer, got ${k}`);
    const u = uniforms(gen, k * dim);
    centers = Array.from({ length: k }, (_, c) =>
      Array.from({ length: dim }, (_, j) => (2 * u[c * dim + j] - 1) * box),
    );
  }
  const k = centers.length;
  const d = centers[0].length;
  const pts = new Float64Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf(i, n, k);
    for (let j = 0; j < d; j++) pts[i * d + j] = centers[c][j];
    labels[i] = c;
  }
  const out = finish('blobs', pts, labels, d, k, { ...opts, generator: gen, noise: opts.std ?? 1 });
  return { ...out, centers };
}

/**
 * Four Gaussian clusters at (±1, ±1); the label is 1 where the signs differ (XOR), with optional label
 * noise. `noise` (default 0.25) is the clusters' standard deviation.
 * @example const { x, y } = gl.data.xorClusters(400, { labelNoise: 0.05, seed: 3 });
 */
export function xorClusters(n: number, opts: ClassificationOptions = {}): XY {
  checkCount('xorClusters', n);
  const gen = generatorFrom(opts, 'xorClusters');
  const pts = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const q = classOf(i, n, 4);
    const sx = q & 1 ? 1 : -1;
    const sy = q & 2 ? 1 : -1;
    pts[2 * i] = sx;
    pts[2 * i + 1] = sy;
    labels[i] = sx === sy ? 0 : 1;
  }
  return finish('xorClusters', pts, labels, 2, 2, { ...opts, generator: gen, noise: opts.noise ?? 0.25 });
}

/** Options of the synthetic regressions: a seed (or generator) and the noise level. */
export interface RegressionOptions extends SeedOptions {
  /** Standard deviation of the Gaussian noise added to y (default 0.1). */
  noise?: number;
}

/**
 * y = x·w + b + noise with x ~ N(0, 1)^dim; w and b are drawn from N(0, 1) unless given.
 * Returns x float32 [n, dim], y float32 [n, 1] and the true weights.
 * @example const { x, y, weights, bias } = gl.data.linearRegression(100, { dim: 3, seed: 0 });
 */
export function linearRegression(
  n: number,
  opts: RegressionOptions & { dim?: number; weights?: number[]; bias?: number } = {},
): XY & {
  /** The true weights w. */
  weights: number[];
  /** The true bias b. */
  bias: number;
} {
  checkCount('linearRegression', n);
  const gen = generatorFrom(opts, 'linearRegression');
  const dim = opts.weights?.length ?? opts.dim ?? 1;
  const wb = normals(gen, dim + 1);
  const weights = opts.weights ?? Array.from(wb.subarray(0, dim));
  const bias = opts.bias ?? wb[dim];
  const x = normals(gen, n * dim);
  const z = normals(gen, n);
  const noise = opts.noise ?? 0.1;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = bias;
    for (let j = 0; j < dim; j++) s += x[i * dim + j] * weights[j];
    y[i] = s + noise * z[i];
  }
  return {
    x: fromTypedArray(Float32Array.from(x), [n, dim], 'float32'),
    y: fromTypedArray(y, [n, 1], 'float32'),
    weights,
    bias,
  };
}

/**
 * y = sum_k c_k x^k + noise with x uniform in [-1, 1]; coefficients (lowest degree first) are drawn
 * from N(0, 1) unless given. Returns x and y as float32 [n, 1].
 * @example const { x, y, coefficients } = gl.data.polynomialRegression(200, { degree: 3 });
 */
export function polynomialRegression(
  n: number,
  opts: RegressionOptions & { degree?: number; coefficients?: number[] } = {},
): XY & {
  /** The true coefficients c_0..c_degree (lowest degree first). */
  coefficients: number[];
} {
  checkCount('polynomialRegression', n);
  const gen = generatorFrom(opts, 'polynomialRegression');
  const degree = opts.coefficients ? opts.coefficients.length - 1 : (opts.degree ?? 3);
  if (!Number.isInteger(degree) || degree < 0)
    throw new ArgumentError(`polynomialRegression: degree must be a non-negative integer, got ${degree}`);
  const drawn = normals(gen, degree + 1);
  const coefficients = opts.coefficients ?? Array.from(drawn);
  const u = uniforms(gen, n);
  const z = normals(gen, n);
  const noise = opts.noise ?? 0.1;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = 2 * u[i] - 1;
    let s = 0;
    for (let k = degree; k >= 0; k--) s = s * xi + coefficients[k];
    x[i] = xi;
    y[i] = s + noise * z[i];
  }
  return { x: fromTypedArray(x, [n, 1], 'float32'), y: fromTypedArray(y, [n, 1], 'float32'), coefficients };
}

/** What randomSequences asks a model to predict from a sequence. */
export type SequenceTask = 'copy' | 'reverse' | 'sort' | 'sum-mod';

/**
 * Random token sequences (int32 [n, length], tokens in 0..vocabSize-1) with a target: the same sequence
 * ('copy'), reversed ('reverse', default), sorted ('sort'), or the sum of its tokens modulo vocabSize
 * ('sum-mod', int32 [n]).
 * @example const { x, y } = gl.data.randomSequences(64, { length: 8, vocabSize: 10, task: 'sort' });
 */
export function randomSequences(
  n: number,
  opts: SeedOptions & { length?: number; vocabSize?: number; task?: SequenceTask } = {},
): XY {
  checkCount('randomSequences', n);
  const len = opts.length ?? 10;
  const vocab = opts.vocabSize ?? 10;
  const task = opts.task ?? 'reverse';
  if (!Number.isInteger(len) || len < 1)
    throw new ArgumentError(`randomSequences: length must be a positive integer, got ${len}`);
  if (!Number.isInteger(vocab) || vocab < 2)
    throw new ArgumentError(`randomSequences: vocabSize must be an integer >= 2, got ${vocab}`);
  if (!['copy', 'reverse', 'sort', 'sum-mod'].includes(task))
    throw new ArgumentError(
      `randomSequences: task must be copy, reverse, sort or sum-mod, got ${JSON.stringify(task)}`,
    );
  const u = uniforms(generatorFrom(opts, 'randomSequences'), n * len);
  const x = Int32Array.from(u, (v) => Math.min(vocab - 1, Math.floor(v * vocab)));
  if (task === 'sum-mod') {
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < len; j++) s += x[i * len + j];
      y[i] = s % vocab;
    }
    return { x: fromTypedArray(x, [n, len], 'int32'), y: fromTypedArray(y, [n], 'int32') };
  }
  const y = new Int32Array(n * len);
  for (let i = 0; i < n; i++) {
    const row = x.slice(i * len, (i + 1) * len);
    if (task === 'reverse') row.reverse();
    if (task === 'sort') row.sort();
    y.set(row, i * len);
  }
  return { x: fromTypedArray(x, [n, len], 'int32'), y: fromTypedArray(y, [n, len], 'int32') };
}
