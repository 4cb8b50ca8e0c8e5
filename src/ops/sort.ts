// Sorting and order statistics: sort, argsort, topk, median, quantile (values gathered, so gradients scatter back).
import { isFloat } from '../core/dtype.js';
import { apply } from '../core/engine.js';
import { ArgumentError } from '../core/errors.js';
import { normDim } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, eq, gt, logicalNot, mul, sub, where } from './elementwise.js';
import { sum, type ValuesIndices } from './reduce.js';
import { expand, gather, narrow, permute, reshape, squeeze, unsqueeze } from './shape.js';
import { tensor } from './tensor-like.js';

/** Options of gl.sort and gl.argsort. */
export interface SortOptions {
  /** The dim to sort along (default -1, the last). */
  dim?: number;
  /** Largest first (default false). NaN sorts as the largest value: last ascending, first descending. */
  descending?: boolean;
  /**
   * Accepted for PyTorch compatibility: the sort is always stable (equal elements keep their order),
   * which is one of the orders PyTorch allows when `stable` is false.
   */
  stable?: boolean;
}

/** Options of gl.topk. */
export interface TopkOptions {
  /** The dim to select along (default -1). */
  dim?: number;
  /** The k largest (default true) or the k smallest elements. */
  largest?: boolean;
  /** Accepted for PyTorch compatibility: the result is always sorted (largest first when `largest`). */
  sorted?: boolean;
}

/** How gl.quantile picks a value between the two order statistics around q·(n − 1) (PyTorch's names). */
export type QuantileInterpolation = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';

/** Options of gl.quantile. */
export interface QuantileOptions {
  /** The dim to reduce (default: all elements, flattened). */
  dim?: number | null;
  /** Keep the reduced dim(s) with size 1 (default false). */
  keepdim?: boolean;
  /** Default 'linear'. */
  interpolation?: QuantileInterpolation;
}

const INTERPOLATIONS: readonly QuantileInterpolation[] = ['linear', 'lower', 'higher', 'midpoint', 'nearest'];

/** x with a 0-d tensor seen as [1] (sorting a 0-d tensor sorts one element). */
function atLeast1d(x: Tensor): Tensor {
  return x.ndim === 0 ? reshape(x, [1]) : x;
}

/**
 * Indices (int32) that sort `x` along `dim`, as torch.argsort. Stable; NaN sorts as the largest value.
 * @example gl.argsort(gl.tensor([3, 1, 2])) // [1, 2, 0]
 */
export function argsort(x: Tensor, opts: SortOptions = {}): Tensor {
  const x1 = atLeast1d(x);
  const dim = normDim('argsort', opts.dim ?? -1, x1.ndim);
  const idx = apply('argsort', [x1], { dim, descending: opts.descending ?? false });
  return x.ndim === 0 ? reshape(idx, []) : idx;
}

/**
 * Sorts `x` along `dim` (default the last): { values, indices } as torch.sort, with values = gather(x, dim, indices),
 * so the gradient of values scatters back to the elements' places. Stable; NaN sorts as the largest value.
 * @example const { values, indices } = gl.sort(gl.tensor([[3, 1, 2]]), { dim: 1, descending: true }); // [[3, 2, 1]], [[0, 2, 1]]
 */
export function sort(x: Tensor, opts: SortOptions = {}): ValuesIndices {
  const x1 = atLeast1d(x);
  const dim = normDim('sort', opts.dim ?? -1, x1.ndim);
  const indices = apply('argsort', [x1], { dim, descending: opts.descending ?? false });
  const values = gather(x1, dim, indices);
  return x.ndim === 0 ? { values: reshape(values, []), indices: reshape(indices, []) } : { values, indices };
}

/**
 * The k largest (or smallest) elements along `dim`, as torch.topk: { values, indices }, sorted. Among equal
 * elements the earlier index comes first; NaN counts as the largest value.
 * @example const { values, indices } = gl.topk(logits, 5); // top-5 classes per row
 */
export function topk(x: Tensor, k: number, opts: TopkOptions = {}): ValuesIndices {
  const x1 = atLeast1d(x);
  const dim = normDim('topk', opts.dim ?? -1, x1.ndim);
  const n = x1.shape[dim];
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new ArgumentError(`topk: k must be an integer in [0, ${n}] (the size of dim ${dim}), got ${k}`);
  const all = apply('argsort', [x1], { dim, descending: opts.largest ?? true });
  const indices = narrow(all, dim, 0, k);
  const values = gather(x1, dim, indices);
  return x.ndim === 0 ? { values: reshape(values, []), indices: reshape(indices, []) } : { values, indices };
}

/** Per-lane count of NaNs along dim (kept as size 1), or null for integer tensors (which hold none). */
function nanCount(x: Tensor, dim: number): Tensor | null {
  // not(x == x) rather than x != x: WGSL compilers may evaluate NaN != NaN as false (SwiftShader does)
  return isFloat(x.dtype) ? sum(logicalNot(eq(x, x)), dim, true) : null;
}

/** Per-lane positions into the sorted lane: `positions` along `dim` (size nq), `nanAt` instead in lanes holding a NaN. */
function positionsIndex(
  x: Tensor,
  dim: number,
  positions: readonly number[],
  nans: Tensor | null,
  nanAt: (nans: Tensor) => Tensor,
): Tensor {
  const shape = x.shape.map((_, d) => (d === dim ? positions.length : 1));
  let pos = reshape(tensor([...positions], { dtype: 'int32' }), shape);
  if (nans) pos = where(gt(nans, 0), nanAt(nans), pos);
  return expand(
    pos,
    x.shape.map((s, d) => (d === dim ? positions.length : s)),
  );
}

/** The lower median along dim, kept as size 1: { values, indices }; a lane with a NaN gives NaN and its first NaN's index. */
function medianAlong(x: Tensor, dim: number): ValuesIndices {
  const n = x.shape[dim];
  if (n === 0) throw new ArgumentError(`median: cannot take the median of an empty dim (input ${x.shape})`);
  const order = apply('argsort', [x], { dim, descending: false });
  const nans = nanCount(x, dim);
  // ascending order puts NaNs last, the first NaN (in index order) at position n - count
  const at = positionsIndex(x, dim, [Math.floor((n - 1) / 2)], nans, (c) => sub(n, c));
  const indices = gather(order, dim, at);
  return { values: gather(x, dim, indices), indices };
}

/**
 * The lower median (the ⌊(n−1)/2⌋-th order statistic, as torch.median): `median(x)` over all elements is a 0-d
 * tensor; `median(x, dim, keepdim?)` returns { values, indices } along dim. NaN anywhere in a lane gives NaN
 * (index: that lane's first NaN). Among equal values the index is the one a stable sort puts in the middle
 * (PyTorch leaves it unspecified). The gradient goes to the returned element.
 * @example gl.median(gl.tensor([3, 1, 4, 2])) // 2
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number | null, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined || dim === null) return reshape(medianAlong(reshape(x, [x.numel]), 0).values, []);
  const x1 = atLeast1d(x);
  const d = normDim('median', dim, x1.ndim);
  const { values, indices } = medianAlong(x1, d);
  if (x.ndim === 0) return { values: reshape(values, []), indices: reshape(indices, []) };
  return keepdim ? { values, indices } : { values: squeeze(values, d), indices: squeeze(indices, d) };
}

/** Rounds half to even (torch.round). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const r = v - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The q-th quantiles of `x` along `dim` (of all elements when dim is null), as torch.quantile: q is one number in
 * [0, 1] or a list of them (the result then has a leading dim of q's length). The rank q·(n−1) in the sorted lane
 * is interpolated by `interpolation`: 'linear' (default), 'lower', 'higher', 'midpoint' or 'nearest' (half to
 * even). A lane with a NaN gives NaN. Gradients flow to the (one or two) order statistics used.
 * @example gl.quantile(gl.rand([5, 100]), [0.25, 0.5, 0.75], { dim: 1 }).shape; // [3, 5]: one row per q
 */
export function quantile(x: Tensor, q: number | readonly number[], opts: QuantileOptions = {}): Tensor {
  if (!isFloat(x.dtype))
    throw new ArgumentError(`quantile: expected a float tensor, got ${x.dtype}; cast it with .float()`);
  const qs = typeof q === 'number' ? [q] : [...q];
  if (typeof q !== 'number' && !Array.isArray(q))
    throw new ArgumentError(`quantile: q must be a number or an array of numbers, got ${String(q)}`);
  for (const v of qs)
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new ArgumentError(`quantile: q values must be numbers in [0, 1], got ${String(v)}`);
  const interpolation = opts.interpolation ?? 'linear';
  if (!INTERPOLATIONS.includes(interpolation))
    throw new ArgumentError(
      `quantile: interpolation must be one of ${INTERPOLATIONS.join(', ')}, got '${String(interpolation)}'`,
    );
  const keepdim = opts.keepdim ?? false;
  const all = opts.dim === undefined || opts.dim === null;
  const xs = all ? reshape(x, [x.numel]) : atLeast1d(x);
  const dim = all ? 0 : normDim('quantile', opts.dim as number, xs.ndim);
  const n = xs.shape[dim];
  if (n === 0)
    throw new ArgumentError(`quantile: the input must be non-empty along the reduced dim (input ${x.shape})`);
  const round = x.dtype === 'float32' ? Math.fround : (v: number) => v;
  const ranks = qs.map((v) => round(round(v) * (n - 1)));
  const order = apply('argsort', [xs], { dim, descending: false });
  const nans = nanCount(xs, dim);
  const at = (positions: number[]) =>
    gather(
      xs,
      dim,
      gather(
        order,
        dim,
        positionsIndex(xs, dim, positions, nans, () => tensor(n - 1, { dtype: 'int32' })),
      ),
    );
  let g: Tensor;
  if (interpolation === 'lower') g = at(ranks.map(Math.floor));
  else if (interpolation === 'higher') g = at(ranks.map(Math.ceil));
  else if (interpolation === 'nearest') g = at(ranks.map(roundHalfEven));
  else {
    const below = at(ranks.map(Math.floor));
    const above = at(ranks.map(Math.ceil));
    const w = ranks.map((r) => (interpolation === 'midpoint' ? 0.5 : r - Math.floor(r)));
    const wShape = xs.shape.map((_, d) => (d === dim ? w.length : 1));
    g = add(below, mul(reshape(tensor(w, { dtype: x.dtype }), wShape), sub(above, below)));
  }
  // [.., nq at dim, ..] -> [nq, ..the other dims..]
  const perm = [dim, ...xs.shape.map((_, d) => d).filter((d) => d !== dim)];
  let out = permute(g, perm);
  if (keepdim) out = all ? reshape(out, [qs.length, ...x.shape.map(() => 1)]) : unsqueeze(out, dim + 1);
  if (x.ndim === 0 && !all && keepdim) out = reshape(out, [qs.length]);
  return typeof q === 'number' ? squeeze(out, 0) : out;
}
