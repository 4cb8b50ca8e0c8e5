// nn.init: in-place, seeded initialisation schemes (uniform, normal, Xavier/Glorot, Kaiming/He, orthogonal).
import { numel } from '../core/shape.js';
import { isFloat } from '../core/dtype.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { defaultGenerator, sampleHost, type Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { full, rand, randn } from '../ops/creation.js';
import { add, mul } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { fromTypedArray } from '../ops/tensor-like.js';

/** Options shared by the random schemes. */
export interface InitOptions {
  /** The stream to draw from (default: the global one, seeded by gl.manualSeed). */
  generator?: Generator;
}

/** The activations calculateGain knows (PyTorch's names, camelCase). */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu';

/** Which fan kaiming initialisation preserves: 'fanIn' (forward, default) or 'fanOut' (backward). */
export type FanMode = 'fanIn' | 'fanOut';

/**
 * The recommended gain for a nonlinearity (PyTorch's calculate_gain table): 1 for linear, conv and
 * sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leakyRelu (slope `param`,
 * default 0.01), 3/4 for selu.
 * @example gl.nn.init.calculateGain('leakyRelu', 0.2)
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'convTranspose1d':
    case 'convTranspose2d':
    case 'convTranspose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ArgumentError(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'`);
  }
}

/**
 * fanIn = shape[1] * receptive field, fanOut = shape[0] * receptive field (receptive field = the
 * product of the dims after the first two), as PyTorch computes them.
 * @example gl.nn.init.calculateFanInAndFanOut([32, 16, 3, 3]); // { fanIn: 144, fanOut: 288 }
 */
export function calculateFanInAndFanOut(t: Tensor | readonly number[]): {
  /** Inputs per output unit: shape[1] * receptive field. */
  fanIn: number;
  /** Outputs per input unit: shape[0] * receptive field. */
  fanOut: number;
} {
  const shape = Array.isArray(t) ? (t as readonly number[]) : (t as Tensor).shape;
  if (shape.length < 2)
    throw new ShapeError(
      `init: fan in and fan out need a tensor with at least 2 dims, got ${fmtShape(shape)}`,
    );
  const receptive = numel(shape.slice(2));
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function checkFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new DTypeError(`init.${op}: expected a float tensor, got ${t.dtype}`);
}

/** Writes `value` into `t` without recording (returns t). */
function fill(t: Tensor, make: () => Tensor): Tensor {
  noGrad(() => copyInto(t, make()));
  return t;
}

/**
 * Fills `t` in place with U(a, b).
 * @example gl.nn.init.uniform(w, -0.1, 0.1, { generator: new gl.Generator(0) })
 */
export function uniform(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  checkFloat('uniform', t);
  if (!(b >= a)) throw new ArgumentError(`init.uniform: expected a <= b, got a=${a}, b=${b}`);
  return fill(t, () => add(mul(rand(t.shape, { dtype: t.dtype, generator: opts.generator }), b - a), a));
}

/**
 * Fills `t` in place with N(mean, std^2).
 * @example
 * const fc = new gl.nn.Linear(64, 10);
 * gl.nn.init.normal(fc.weight, 0, 0.02, { generator: new gl.Generator(0) }); // in place, as nn.init.normal_
 */
export function normal(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  checkFloat('normal', t);
  if (!(std >= 0)) throw new ArgumentError(`init.normal: std must be >= 0, got ${std}`);
  return fill(t, () => add(mul(randn(t.shape, { dtype: t.dtype, generator: opts.generator }), std), mean));
}

/**
 * Fills `t` in place with `value`.
 * @example
 * const fc = new gl.nn.Linear(64, 10);
 * gl.nn.init.constant(fc.bias!, 0.1);
 */
export function constant(t: Tensor, value: number): Tensor {
  return fill(t, () => full([], value, { dtype: t.dtype }));
}

/**
 * Fills t with 0 in place and returns it.
 * @example nn.init.zeros(fc.bias!)
 */
export const zeros = (t: Tensor): Tensor => constant(t, 0);
/**
 * Fills t with 1 in place and returns it.
 * @example nn.init.ones(bn.weight)
 */
export const ones = (t: Tensor): Tensor => constant(t, 1);

/**
 * Xavier/Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)).
 * @example gl.nn.init.xavierUniform(linear.weight, { gain: gl.nn.init.calculateGain('tanh') })
 */
export function xavierUniform(t: Tensor, opts: InitOptions & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -a, a, opts);
}

/**
 * Xavier/Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fanIn + fanOut)).
 * @example
 * const fc = new gl.nn.Linear(64, 10);
 * gl.nn.init.xavierNormal(fc.weight); // std = √(2 / (64 + 10))
 */
export function xavierNormal(t: Tensor, opts: InitOptions & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal(t, 0, (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky ReLU after this layer (only used with 'leakyRelu'; default 0). */
  a?: number;
  /** Preserve the variance of the forward ('fanIn', default) or backward ('fanOut') pass. */
  mode?: FanMode;
  /** The nonlinearity after this layer (default 'leakyRelu', as PyTorch). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut')
    throw new ArgumentError(`init.kaiming: mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const fans = calculateFanInAndFanOut(t);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * Kaiming/He uniform: U(-b, b) with b = gain * sqrt(3 / fan).
 * @example gl.nn.init.kaimingUniform(conv.weight, { mode: 'fanOut', nonlinearity: 'relu' })
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const b = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform(t, -b, b, opts);
}

/**
 * Kaiming/He normal: N(0, std^2) with std = gain / sqrt(fan).
 * @example
 * const conv = new gl.nn.Conv2d(3, 16, 3);
 * gl.nn.init.kaimingNormal(conv.weight, { mode: 'fanOut', nonlinearity: 'relu' });
 */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, opts), opts);
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix (signs fixed so the
 * distribution is uniform), scaled by `gain`. Tensors with more than 2 dims are flattened to
 * [shape[0], rest].
 * @example
 * const w = gl.nn.init.orthogonal(gl.zeros([4, 4], { dtype: 'float64' }));
 * w.matmul(w.transpose(0, 1)); // ≈ the identity
 */
export function orthogonal(t: Tensor, opts: InitOptions & { gain?: number } = {}): Tensor {
  checkFloat('orthogonal', t);
  if (t.ndim < 2) throw new ShapeError(`init.orthogonal: expected at least 2 dims, got ${fmtShape(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.numel / rows;
  const transposed = rows < cols;
  const [m, n] = transposed ? [cols, rows] : [rows, cols];
  const g = sampleHost(opts.generator ?? defaultGenerator, m * n, 'normal');
  const q = householderQ(g, m, n);
  const out = new Float64Array(rows * cols);
  const gain = opts.gain ?? 1;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const v = q[i * n + j] * gain;
      if (transposed) out[j * cols + i] = v;
      else out[i * cols + j] = v;
    }
  return fill(t, () => fromTypedArray(out, t.shape, t.dtype, t.storage.backend));
}

/** The m x n Q factor (m >= n) of `a` with R's diagonal made positive, by Householder reflections. */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = new Float64Array(m);
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const alpha = r[k * n + k] > 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k];
    v[k] -= alpha;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i] * v[i];
    if (vn > 0) {
      for (let j = 0; j < n; j++) {
        let d = 0;
        for (let i = k; i < m; i++) d += v[i] * r[i * n + j];
        const f = (2 * d) / vn;
        for (let i = k; i < m; i++) r[i * n + j] -= f * v[i];
      }
    }
    vs.push(vn > 0 ? v.map((x) => x / Math.sqrt(vn)) : v);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    for (let j = 0; j < n; j++) {
      let d = 0;
      for (let i = k; i < m; i++) d += v[i] * q[i * n + j];
      for (let i = k; i < m; i++) q[i * n + j] -= 2 * d * v[i];
    }
  }
  for (let j = 0; j < n; j++) {
    if (r[j * n + j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}

/** xavierUniform under its other name. */
export const glorotUniform = xavierUniform;
/** xavierNormal under its other name. */
export const glorotNormal = xavierNormal;
/** kaimingUniform under its other name. */
export const heUniform = kaimingUniform;
/** kaimingNormal under its other name. */
export const heNormal = kaimingNormal;
