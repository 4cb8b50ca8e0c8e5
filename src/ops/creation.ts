// Creation functions: zeros, ones, full, arange, linspace, eye, and seeded random tensors.
import { isFloat } from '../core/dtype.js';
import { apply } from '../core/engine.js';
import { ArgumentError, DTypeError } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/random/generator.js';
import { checkShape, numel } from '../core/shape.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { fromTypedArray, type CreateOptions } from './tensor-like.js';
import { allocArray } from '../core/dtype.js';

/** Options of the random creation functions (rand, randn, randint...): dtype, requiresGrad and the generator. */
export interface RandomOptions extends CreateOptions {
  /** The stream to draw from (default: the global one seeded by manualSeed). */
  generator?: Generator;
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

/**
 * A tensor of `shape` filled with `value`.
 * @example gl.full([2, 3], 7)
 */
export function full(shape: readonly number[], value: number | boolean, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  return finish(apply('full', [], { shape: checkShape('full', shape), dtype, value: Number(value) }), opts);
}

/** @example gl.zeros([2, 3]) */
export function zeros(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** @example gl.ones([3]) */
export function ones(shape: readonly number[], opts: CreateOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/**
 * Zeros with `x`'s shape and dtype (unless overridden).
 * @example gl.zerosLike(gl.ones([2, 3])).shape; // [2, 3]
 */
export function zerosLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  return full(x.shape, 0, { dtype: x.dtype, ...opts });
}

/**
 * Ones with `x`'s shape and dtype (unless overridden).
 * @example gl.onesLike(gl.zeros([2]), { dtype: 'float64' }); // [1, 1] float64
 */
export function onesLike(x: Tensor, opts: CreateOptions = {}): Tensor {
  return full(x.shape, 1, { dtype: x.dtype, ...opts });
}

/**
 * `value` with `x`'s shape and dtype (unless overridden).
 * @example gl.fullLike(gl.zeros([2]), 7); // [7, 7]
 */
export function fullLike(x: Tensor, value: number, opts: CreateOptions = {}): Tensor {
  return full(x.shape, value, { dtype: x.dtype, ...opts });
}

/**
 * Values from `start` to `end` (exclusive) by `step`; `arange(n)` counts 0..n-1. Integer arguments
 * give int32, otherwise float32.
 * @example gl.arange(5)  // [0,1,2,3,4]
 */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new ArgumentError('arange: step must be non-zero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = opts.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(fromTypedArray(data, [n], dtype), opts);
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive.
 * @example gl.linspace(0, 1, 5)
 */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new ArgumentError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = opts.dtype ?? 'float32';
  const data = allocArray(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) data[i] = i === steps - 1 && steps > 1 ? end : start + i * step;
  return finish(fromTypedArray(data, [steps], dtype), opts);
}

/**
 * Identity matrix (n x m).
 * @example gl.eye(3)
 */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  const dtype = opts.dtype ?? 'float32';
  const data = allocArray(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(fromTypedArray(data, [n, m], dtype), opts);
}

function random(
  op: string,
  shape: readonly number[],
  dist: 'uniform' | 'normal',
  opts: RandomOptions,
): Tensor {
  const dtype = opts.dtype ?? 'float32';
  if (!isFloat(dtype)) throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const s = checkShape(op, shape);
  const gen = opts.generator ?? defaultGenerator;
  const n = numel(s);
  const counter = gen.reserve(n, dist);
  return finish(
    apply('random', [], { shape: s, dtype, dist, key: [...gen.key] as [number, number], counter }),
    opts,
  );
}

/**
 * Standard normal samples from the seeded Philox stream.
 * @example gl.manualSeed(0); const w = gl.randn([3, 2], { requiresGrad: true });
 */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return random('randn', shape, 'normal', opts);
}

/**
 * Uniform samples in [0, 1).
 * @example gl.rand([2, 3], { generator: new gl.Generator(0) }); // reproducible uniform samples
 */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  return random('rand', shape, 'uniform', opts);
}

/**
 * Random integers in [low, high) as int32.
 * @example gl.randint(0, 10, [5])
 */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  opts: RandomOptions = {},
): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low)
    throw new ArgumentError(`randint: expected integers low < high, got ${low}, ${high}`);
  return tidy(() => randintInt32(low, high, shape, opts));
}

/** Largest range the int32 path takes: every partial sum below stays under 2^31. */
const INT32_RANGE_MAX = 2 ** 31 - 2 ** 24;

/**
 * The draw floor(k * (high - low) / 2^24) from the 24-bit word k of each uniform, in int32 arithmetic
 * that is exact for every range and needs no float64, so every backend gives the same integers. With
 * r = a*4096 + b and k = c*4096 + d, floor(k*r / 2^24) = c*a + floor((d*a + c*b + floor(d*b / 4096)) / 4096).
 */
function randintInt32(low: number, high: number, shape: readonly number[], opts: RandomOptions): Tensor {
  const r = high - low;
  if (low < -(2 ** 31) || high > 2 ** 31 || r > INT32_RANGE_MAX)
    throw new ArgumentError(
      `randint: low and high must lie in int32 and high - low be at most ${INT32_RANGE_MAX}, got ${low}, ${high}`,
    );
  const int = (value: number) => apply('full', [], { shape: [], dtype: 'int32', value });
  const op = (name: 'add' | 'sub' | 'mul' | 'div', x: Tensor, y: Tensor) => apply(name, [x, y], null);
  // u = k / 2^24 exactly in float32; int32 division truncates, which is floor for these non-negative values
  const u = random('randint', shape, 'uniform', { generator: opts.generator, dtype: 'float32' });
  const k = apply(
    'cast',
    [op('mul', u, apply('full', [], { shape: [], dtype: 'float32', value: 2 ** 24 }))],
    {
      dtype: 'int32',
    },
  );
  const c = op('div', k, int(4096));
  const d = op('sub', k, op('mul', c, int(4096)));
  const a = int(Math.floor(r / 4096));
  const b = int(r % 4096);
  const carry = op('div', op('mul', d, b), int(4096));
  const mid = op('add', op('add', op('mul', d, a), op('mul', c, b)), carry);
  const q = op('add', op('mul', c, a), op('div', mid, int(4096)));
  const shifted = op('add', q, int(low));
  return (opts.dtype ?? 'int32') === 'int32' ? shifted : apply('cast', [shifted], { dtype: opts.dtype! });
}
