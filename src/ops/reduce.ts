// Reductions and scans: sum, mean, prod, max/min (with indices), arg-reductions, var/std, logsumexp, cumsum, norm.
import { isFloat } from '../core/dtype.js';
import { apply } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { pcast } from '../core/primitive-calls.js';
import { normDim, normDims } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { abs, add, div, eq, exp, isfinite, log, mul, pow, sqrt, sub, where } from './elementwise.js';
import { gather, reshape, squeeze } from './shape.js';

/** A dim or a list of dims (negative counts from the end). */
export type Dims = number | readonly number[];

function dimsOf(op: string, x: Tensor, dim: Dims | undefined | null): number[] {
  return normDims(op, dim as number[] | undefined, x.ndim);
}

function countOf(x: Tensor, dims: number[]): number {
  return dims.reduce((a, d) => a * x.shape[d], 1);
}

/**
 * Sum over `dim` (all dims when omitted). Bool tensors sum as int32.
 * @example gl.sum(gl.tensor([[1, 2], [3, 4]]), 1, true); // [[3], [7]]
 */
export function sum(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  const src = x.dtype === 'bool' ? pcast(x, 'int32') : x;
  return apply('sum', [src], { dims: dimsOf('sum', x, dim), keepdim });
}

/**
 * Mean over `dim` (all dims when omitted).
 * @example gl.mean(gl.tensor([[1, 2], [3, 4]]), 1); // [1.5, 3.5]
 */
export function mean(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  if (!isFloat(x.dtype))
    throw new ArgumentError(`mean: expected a float tensor, got ${x.dtype}; cast it with .float()`);
  const dims = dimsOf('mean', x, dim);
  return div(apply('sum', [x], { dims, keepdim }), countOf(x, dims));
}

/**
 * Product over one dim (all elements when omitted).
 * @example gl.prod(gl.tensor([[1, 2], [3, 4]]), 1); // [2, 12]
 */
export function prod(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return apply('prod', [x], { dims: dimsOf('prod', x, dim ?? undefined), keepdim });
}

/**
 * Maximum over `dim`; the gradient is shared evenly among ties.
 * @example gl.amax(gl.tensor([[1, 5], [3, 2]]), 1); // [5, 3]
 */
export function amax(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  return apply('amax', [x], { dims: dimsOf('amax', x, dim), keepdim });
}

/**
 * Minimum over `dim`; the gradient is shared evenly among ties.
 * @example gl.amin(gl.tensor([[1, 5], [3, 2]]), 1); // [1, 2]
 */
export function amin(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  return apply('amin', [x], { dims: dimsOf('amin', x, dim), keepdim });
}

/**
 * Index of the maximum along `dim` (over the flattened tensor when omitted), int32.
 * @example gl.argmax(gl.tensor([[1, 5], [3, 2]]), 1); // [1, 0] (int32)
 */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim === undefined || dim === null)
    return apply('argmax', [reshape(x, [x.numel])], { dim: 0, keepdim: false });
  return apply('argmax', [x], { dim: normDim('argmax', dim, x.ndim), keepdim });
}

/**
 * Index of the minimum along `dim` (over the flattened tensor when omitted), int32.
 * @example gl.argmin(gl.tensor([[1, 5], [3, 2]]), 1); // [0, 1] (int32)
 */
export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim === undefined || dim === null)
    return apply('argmin', [reshape(x, [x.numel])], { dim: 0, keepdim: false });
  return apply('argmin', [x], { dim: normDim('argmin', dim, x.ndim), keepdim });
}

/** Values and int32 indices of a max/min along a dim. */
export interface ValuesIndices {
  /** The extreme values. */
  values: Tensor;
  /** Their positions along the dim (int32). */
  indices: Tensor;
}

function extremum(op: 'max' | 'min', x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return op === 'max' ? amax(x) : amin(x);
  const d = normDim(op, dim, x.ndim);
  const idx = op === 'max' ? argmax(x, d, true) : argmin(x, d, true);
  const values = gather(x, d, idx);
  return keepdim ? { values, indices: idx } : { values: squeeze(values, d), indices: squeeze(idx, d) };
}

/**
 * `max(x)` is the largest element; `max(x, dim, keepdim?)` returns { values, indices } along dim
 * (the gradient goes to the returned index, as in PyTorch).
 * @example const { values, indices } = gl.max(logits, 1);
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremum('max', x, dim, keepdim);
}

/**
 * `min(x)`, or { values, indices } along dim.
 * @example
 * gl.min(gl.tensor([[1, 5], [3, 2]])); // 1
 * const { values, indices } = gl.min(gl.tensor([[1, 5], [3, 2]]), 1); // [1, 2] and [0, 1]
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  return extremum('min', x, dim, keepdim);
}

/** Options of var and std. */
export interface VarOptions {
  /** Bessel's correction: divide by N - correction (default 1, the unbiased estimate). */
  correction?: number;
  /** Keep the reduced dims with size 1 (default false). */
  keepdim?: boolean;
}

/**
 * Variance over `dim` (all dims when omitted).
 * @example gl.var(gl.tensor([1, 2, 3, 4]), null, { correction: 0 }); // 1.25
 */
export function variance(x: Tensor, dim?: Dims | null, opts: VarOptions = {}): Tensor {
  const dims = dimsOf('var', x, dim);
  const n = countOf(x, dims);
  const mu = mean(x, dims, true);
  const sq = apply('sum', [pow(sub(x, mu), 2)], { dims, keepdim: opts.keepdim ?? false });
  return div(sq, Math.max(0, n - (opts.correction ?? 1)));
}

/**
 * Standard deviation over `dim`.
 * @example gl.std(gl.tensor([1, 2, 3, 4])); // 1.291 (unbiased, as torch.std)
 */
export function std(x: Tensor, dim?: Dims | null, opts: VarOptions = {}): Tensor {
  return sqrt(variance(x, dim, opts));
}

/**
 * log(sum(exp(x))) over `dim`, computed stably.
 * @example gl.logsumexp(gl.tensor([[0, 0], [1, 1]]), 1); // [log 2, 1 + log 2]
 */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const dims = dimsOf('logsumexp', x, dim);
  const m = amax(x, dims, true).detach();
  const safeM = where(isfinite(m), m, 0); // all -inf lanes stay -inf instead of NaN
  const s = log(apply('sum', [exp(sub(x, safeM))], { dims, keepdim: true }));
  const out = add(s, safeM);
  return keepdim ? out : squeeze(out, dims);
}

/**
 * Running sum along `dim`.
 * @example gl.cumsum(gl.tensor([1, 2, 3]), 0); // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number): Tensor {
  const src = x.dtype === 'bool' ? pcast(x, 'int32') : x;
  return apply('cumsum', [src], { dim: normDim('cumsum', dim, x.ndim) });
}

/**
 * p-norm over `dim` (all elements when omitted); p = 2 by default, also 1, Infinity or any p > 0.
 * @example gl.norm(grad)  // Euclidean norm
 */
export function norm(x: Tensor, p: number | 'fro' = 2, dim?: Dims | null, keepdim = false): Tensor {
  const dims = dimsOf('norm', x, dim);
  const q = p === 'fro' ? 2 : p;
  if (q === Infinity) return amax(abs(x), dims, keepdim);
  if (q === 1) return apply('sum', [abs(x)], { dims, keepdim });
  const s =
    q === 2
      ? apply('sum', [mul(x, x)], { dims, keepdim })
      : apply('sum', [pow(abs(x), q)], { dims, keepdim });
  // at a zero norm the root's derivative is infinite: route those lanes around it so the gradient is 0, as PyTorch gives
  const zero = eq(s, 0);
  const safe = where(zero, 1, s);
  return where(zero, 0, q === 2 ? sqrt(safe) : pow(safe, 1 / q));
}
