// Movement ops: reshaping and views, joining and splitting, indexing (gather/scatter), padding, flips.
import { apply } from '../core/engine.js';
import { ArgumentError, DTypeError, IndexOutOfRangeError, ShapeError, fmtShape } from '../core/errors.js';
import { checkIndexRange } from '../core/index-check.js';
import { pcast, pexpand } from '../core/primitive-calls.js';
import { normDim, normDims, numel } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { arange } from './creation.js';
import { eq, ge, le, logicalAnd, where } from './elementwise.js';
import { asTensor, type TensorLike } from './tensor-like.js';

/** Resolves one -1 in a requested shape. */
function resolveShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (neg >= 0) {
    const known = out.reduce((a, d, i) => (i === neg ? a : a * d), 1);
    if (known === 0 || x.numel % known !== 0)
      throw new ShapeError(
        `${op}: cannot reshape ${fmtShape(x.shape)} (${x.numel} elements) into ${fmtShape(shape)}`,
      );
    out[neg] = x.numel / known;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0) || numel(out) !== x.numel)
    throw new ShapeError(
      `${op}: cannot reshape ${fmtShape(x.shape)} (${x.numel} elements) into ${fmtShape(shape)}`,
    );
  return out;
}

/**
 * A contiguous copy when `x` is not contiguous, else `x`.
 * @example gl.contiguous(gl.ones([2, 3]).transpose(0, 1)).isContiguous; // true
 */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous ? x : apply('copy', [x], null);
}

/**
 * A copy with its own memory (differentiable).
 * @example const copy = gl.clone(gl.tensor([1, 2]));
 */
export function clone(x: Tensor): Tensor {
  return apply('copy', [x], null);
}

/**
 * Same data, new shape (one dim may be -1). A view when `x` is contiguous, a copy otherwise.
 * @example gl.reshape(gl.arange(6), [2, -1]).shape; // [2, 3]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = resolveShape('reshape', x, shape);
  return apply('reshape', [contiguous(x)], { shape: s });
}

/**
 * Like reshape, but only for contiguous tensors (always a view).
 * @example gl.view(gl.arange(6), [2, 3]).shape; // [2, 3]
 */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  if (!x.isContiguous)
    throw new ShapeError(`view: tensor of shape ${fmtShape(x.shape)} is not contiguous; use reshape()`);
  return apply('reshape', [x], { shape: resolveShape('view', x, shape) });
}

/**
 * Flattens dims startDim..endDim into one.
 * @example gl.flatten(gl.ones([2, 3, 4]), 1).shape; // [2, 12]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim('flatten', startDim, x.ndim);
  const e = normDim('flatten', endDim, x.ndim);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/**
 * Reorders dims (a view).
 * @example gl.permute(gl.ones([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const d = dims.map((i) => normDim('permute', i, x.ndim));
  if (d.length !== x.ndim || new Set(d).size !== d.length)
    throw new ArgumentError(`permute: dims ${fmtShape(dims)} are not a permutation of ${x.ndim} dims`);
  return apply('permute', [x], { dims: d });
}

/**
 * Swaps two dims (a view).
 * @example gl.transpose(gl.ones([2, 3]), 0, 1).shape; // [3, 2]
 */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim < 2) return x;
  const a = normDim('transpose', dim0, x.ndim);
  const b = normDim('transpose', dim1, x.ndim);
  const dims = Array.from({ length: x.ndim }, (_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return apply('permute', [x], { dims });
}

/**
 * Inserts a size-1 dim at `dim`.
 * @example gl.unsqueeze(gl.tensor([1, 2]), 0).shape; // [1, 2]
 */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/**
 * Removes size-1 dims (all, or those listed).
 * @example gl.squeeze(gl.ones([1, 3, 1])).shape; // [3]
 */
export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  const dims = dim === undefined ? x.shape.map((_, i) => i) : normDims('squeeze', dim, x.ndim);
  return reshape(
    x,
    x.shape.filter((s, i) => !(s === 1 && dims.includes(i))),
  );
}

/**
 * Broadcasts to `shape` (-1 keeps a dim) without copying.
 * @example gl.expand(gl.tensor([[1], [2]]), [-1, 3]); // [[1, 1, 1], [2, 2, 2]]
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  const s = shape.map((d, i) => (d === -1 ? (i < lead ? -1 : x.shape[i - lead]) : d));
  if (s.includes(-1))
    throw new ShapeError(`expand: -1 is not allowed for new leading dims, got ${fmtShape(shape)}`);
  return pexpand(x, s);
}

/**
 * Tiles the tensor `repeats[i]` times along each dim.
 * @example gl.repeat(gl.tensor([1, 2]), [2]); // [1, 2, 1, 2]
 */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim)
    throw new ArgumentError(`repeat: need at least ${x.ndim} repeat counts, got ${repeats.length}`);
  const lead = repeats.length - x.ndim;
  const shape = [...Array(lead).fill(1), ...x.shape];
  const inter: number[] = [];
  const big: number[] = [];
  shape.forEach((d, i) => {
    inter.push(1, d);
    big.push(repeats[i], d);
  });
  const out = expand(reshape(x, inter), big);
  return reshape(
    out,
    shape.map((d, i) => d * repeats[i]),
  );
}

/**
 * Joins tensors along an existing dim.
 * @example gl.cat([gl.ones([2, 3]), gl.zeros([1, 3])]).shape; // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('cat: expected a non-empty list of tensors');
  const d = normDim('cat', dim, tensors[0].ndim);
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0 && tensors[0].ndim !== 1));
  if (parts.length === 1) return parts[0];
  return apply('cat', parts, { dim: d });
}

/**
 * Joins tensors along a new dim.
 * @example gl.stack([gl.tensor([1, 2]), gl.tensor([3, 4])], 1); // [[1, 3], [2, 4]]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('stack: expected a non-empty list of tensors');
  const d = normDim('stack', dim, tensors[0].ndim + 1);
  for (const t of tensors)
    if (t.shape.join() !== tensors[0].shape.join())
      throw new ShapeError(
        `stack: all tensors must have the same shape, got ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`,
      );
  return apply(
    'cat',
    tensors.map((t) => unsqueeze(t, d)),
    { dim: d },
  );
}

/**
 * Narrowed view: `length` elements of `dim` starting at `start`.
 * @example gl.narrow(gl.ones([3, 4]), 1, 0, 2).shape; // [3, 2]
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim('narrow', dim, x.ndim);
  const n = x.shape[d];
  const s = start < 0 ? start + n : start;
  if (s < 0 || length < 0 || s + length > n)
    throw new IndexOutOfRangeError(
      `narrow: start ${start} and length ${length} out of range for dim ${d} of size ${n}`,
    );
  return slice(x, d, s, s + length);
}

/**
 * A strided view of `dim`: elements start, start+step, ... < end (negative bounds count from the end).
 * @example gl.slice(gl.arange(10), 0, 2, 8, 3); // [2, 5]
 */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normDim('slice', dim, x.ndim);
  const n = x.shape[d];
  if (!Number.isInteger(step) || step <= 0)
    throw new ArgumentError(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = Math.max(s, clampIdx(end ?? n));
  return apply('slice', [x], {
    starts: x.shape.map((_, i) => (i === d ? s : 0)),
    ends: x.shape.map((m, i) => (i === d ? e : m)),
    steps: x.shape.map((_, i) => (i === d ? step : 1)),
  });
}

/**
 * The slice at `index` of `dim`, with that dim removed.
 * @example gl.select(gl.tensor([[1, 2], [3, 4]]), 1, 0); // [1, 3]
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim('select', dim, x.ndim);
  return squeeze(narrow(x, d, index, 1), d);
}

/**
 * Splits into pieces of `size` (or the listed sizes) along `dim`.
 * @example gl.split(gl.arange(5), [2, 3]).map((t) => t.shape); // [[2], [3]]
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim('split', dim, x.ndim);
  const n = x.shape[d];
  let sizes: number[];
  if (typeof splitSizeOrSections === 'number') {
    if (splitSizeOrSections <= 0)
      throw new ArgumentError(`split: size must be positive, got ${splitSizeOrSections}`);
    sizes = [];
    for (let at = 0; at < n; at += splitSizeOrSections) sizes.push(Math.min(splitSizeOrSections, n - at));
    if (n === 0) sizes = [0];
  } else {
    sizes = [...splitSizeOrSections];
    if (sizes.reduce((a, b) => a + b, 0) !== n)
      throw new ShapeError(
        `split: sizes ${fmtShape(sizes)} do not add up to ${n} (dim ${d} of ${fmtShape(x.shape)})`,
      );
  }
  let at = 0;
  return sizes.map((s) => {
    const part = slice(x, d, at, at + s);
    at += s;
    return part;
  });
}

/**
 * Splits into `chunks` nearly equal pieces along `dim`.
 * @example gl.chunk(gl.arange(5), 2).map((t) => t.shape); // [[3], [2]]
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normDim('chunk', dim, x.ndim);
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new ArgumentError(`chunk: chunks must be a positive integer, got ${chunks}`);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

/** Index values must lie in [0, size): thrown at the op, or on webgpu by the next read (same error). */
function checkIndexValues(op: string, index: Tensor, size: number): void {
  checkIndexRange(index, { op, size });
}

/**
 * Picks values along `dim` at `index` (same rank as x): out[i][j] = x[i][index[i][j]] for dim 1.
 * @example gl.gather(logits, 1, target.unsqueeze(1))
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim('gather', dim, x.ndim);
  checkIndexValues('gather', index, x.shape[d] ?? 1);
  return apply('gather', [x, index], { dim: d });
}

/**
 * Out-of-place scatter-add: x with src added at `index` along `dim` (repeated indices accumulate).
 * @example gl.scatterAdd(gl.zeros([2]), 0, gl.tensor([1, 1, 0], { dtype: 'int32' }), gl.tensor([1, 2, 3])); // [3, 3]
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normDim('scatterAdd', dim, x.ndim);
  checkIndexValues('scatterAdd', index, x.shape[d] ?? 1);
  return apply('scatterAdd', [x, index, pcast(src, x.dtype)], { dim: d });
}

/**
 * Out-of-place scatter: x with values of src written at `index` along `dim`.
 * @example gl.scatter(gl.zeros([3]), 0, gl.tensor([2, 0], { dtype: 'int32' }), gl.tensor([7, 8])); // [8, 0, 7]
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  const d = normDim('scatter', dim, x.ndim);
  const s = src instanceof Tensor ? src : expand(asTensor(src, x), index.shape);
  const zeros = apply('full', [], { shape: [...x.shape], dtype: x.dtype, value: 0 }, x.storage.backend);
  const hit = scatterAdd(
    zeros,
    d,
    index,
    expand(apply('full', [], { shape: [], dtype: x.dtype, value: 1 }, x.storage.backend), index.shape),
  );
  const placed = scatterAdd(zeros, d, index, s);
  return where(pcast(hit, 'bool'), placed, x);
}

function expandedIndex(x: Tensor, dim: number, index: Tensor, op: string): Tensor {
  if (index.ndim !== 1) throw new ShapeError(`${op}: index must be 1-D, got ${fmtShape(index.shape)}`);
  const shape = x.shape.map((s, i) => (i === dim ? index.shape[0] : s));
  const viewShape = x.shape.map((_, i) => (i === dim ? index.shape[0] : 1));
  return expand(reshape(index, viewShape), shape);
}

/**
 * Rows (or entries along `dim`) of x picked by a 1-D int32 index.
 * @example gl.indexSelect(gl.tensor([[1, 2], [3, 4], [5, 6]]), 0, gl.tensor([2, 0], { dtype: 'int32' })); // [[5, 6], [1, 2]]
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim('indexSelect', dim, x.ndim);
  checkIndexValues('indexSelect', index, x.shape[d]);
  const shape = x.shape.map((s, i) => (i === d ? index.shape[0] : s));
  if (index.ndim !== 1) throw new ShapeError(`indexSelect: index must be 1-D, got ${fmtShape(index.shape)}`);
  const viewShape = x.shape.map((_, i) => (i === d ? index.shape[0] : 1));
  return apply('gather', [x, contiguous(expand(reshape(index, viewShape), shape))], { dim: d });
}

/**
 * Out-of-place index_add: adds alpha * source slices into x at the entries of `index` along `dim`.
 * @example gl.indexAdd(gl.zeros([3]), 0, gl.tensor([0, 0, 2], { dtype: 'int32' }), gl.tensor([1, 2, 3])); // [3, 0, 3]
 */
export function indexAdd(
  x: Tensor,
  dim: number,
  index: Tensor,
  source: Tensor,
  opts: { alpha?: number } = {},
): Tensor {
  const d = normDim('indexAdd', dim, x.ndim);
  checkIndexValues('indexAdd', index, x.shape[d]);
  let src = source;
  if (opts.alpha !== undefined && opts.alpha !== 1)
    src = apply('mul', [src, asTensor(opts.alpha, src)], null);
  return apply(
    'scatterAdd',
    [x, contiguous(expandedIndex(source, d, index, 'indexAdd')), pcast(src, x.dtype)],
    { dim: d },
  );
}

/**
 * Pads with a constant; `pad` lists (before, after) pairs starting from the last dim, as in
 * torch.nn.functional.pad.
 * @example gl.pad(gl.ones([1, 2, 2]), [1, 1, 2, 2], { value: 0 }).shape; // [1, 6, 4]
 */
export function pad(
  x: Tensor,
  padding: readonly number[],
  opts: { mode?: 'constant'; value?: number } = {},
): Tensor {
  if ((opts.mode ?? 'constant') !== 'constant')
    throw new ArgumentError(`pad: only mode 'constant' is supported, got '${opts.mode}'`);
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim)
    throw new ArgumentError(`pad: expected pairs for at most ${x.ndim} dims, got ${padding.length} values`);
  const pads = x.shape.map(() => ({ lo: 0, hi: 0, interior: 0 }));
  const crops = x.shape.map((n) => [0, n]);
  for (let k = 0; k < padding.length / 2; k++) {
    const d = x.ndim - 1 - k;
    const [lo, hi] = [padding[2 * k], padding[2 * k + 1]];
    pads[d] = { lo: Math.max(lo, 0), hi: Math.max(hi, 0), interior: 0 };
    crops[d] = [Math.max(-lo, 0), x.shape[d] - Math.max(-hi, 0)];
  }
  let y = x;
  if (crops.some(([s, e], d) => s !== 0 || e !== x.shape[d]))
    y = apply('slice', [x], {
      starts: crops.map((c) => c[0]),
      ends: crops.map((c) => c[1]),
      steps: crops.map(() => 1),
    });
  return apply('pad', [y], { pads, value: opts.value ?? 0 });
}

/**
 * Reverses the order along `dims`.
 * @example gl.flip(gl.tensor([1, 2, 3]), 0); // [3, 2, 1]
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  return apply('flip', [x], { dims: normDims('flip', dims as number[], x.ndim) });
}

/**
 * Rotates elements along dims (flattened when dims is omitted).
 * @example gl.roll(gl.tensor([1, 2, 3, 4]), 1); // [4, 1, 2, 3]
 */
export function roll(
  x: Tensor,
  shifts: number | readonly number[],
  dims?: number | readonly number[],
): Tensor {
  if (dims === undefined) return reshape(roll(flatten(x), shifts, 0), x.shape);
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  const ds = typeof dims === 'number' ? [dims] : [...dims];
  if (sh.length !== ds.length) throw new ArgumentError(`roll: ${sh.length} shifts for ${ds.length} dims`);
  let y = x;
  sh.forEach((s, k) => {
    const d = normDim('roll', ds[k], x.ndim);
    const n = x.shape[d];
    if (n === 0) return;
    const r = ((s % n) + n) % n;
    if (r === 0) return;
    y = cat([slice(y, d, n - r, n), slice(y, d, 0, n - r)], d);
  });
  return y;
}

function triMask(x: Tensor, diagonal: number, lower: boolean): Tensor {
  if (x.ndim < 2)
    throw new ShapeError(`${lower ? 'tril' : 'triu'}: expected at least 2 dims, got ${fmtShape(x.shape)}`);
  const [r, c] = x.shape.slice(-2);
  const rows = reshape(arange(r), [r, 1]);
  const cols = reshape(arange(c), [1, c]);
  const diff = apply('sub', [expand(cols, [r, c]), expand(rows, [r, c])], null);
  return lower ? le(diff, diagonal) : ge(diff, diagonal);
}

/**
 * Lower triangle (entries with col - row <= diagonal), zeros elsewhere.
 * @example gl.tril(gl.ones([3, 3])); // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return where(triMask(x, diagonal, true), x, 0);
}

/**
 * Upper triangle (entries with col - row >= diagonal), zeros elsewhere.
 * @example gl.triu(gl.ones([3, 3]), 1); // [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return where(triMask(x, diagonal, false), x, 0);
}

/**
 * One-hot encoding of int32 class indices as int32 (numClasses inferred from the max when omitted).
 * @example gl.oneHot(labels, 10).float()
 */
export function oneHot(index: Tensor, numClasses = -1): Tensor {
  if (index.dtype !== 'int32')
    throw new DTypeError(`oneHot: expected int32 class indices, got ${index.dtype}`);
  if (numClasses < 0 && !index.storage.backend.capabilities.syncRead)
    throw new ArgumentError(
      `oneHot: numClasses must be given on the ${index.storage.backend.name} backend (inferring it would read the data back synchronously)`,
    );
  const n = numClasses < 0 ? Math.max(-1, ...index.dataSync()) + 1 : numClasses;
  checkIndexValues('oneHot', index, n);
  const classes = reshape(arange(n), [...index.shape.map(() => 1), n]);
  return pcast(eq(unsqueeze(index, -1), classes), 'int32');
}

/** @internal both-bounds mask helper used by losses. */
export function inRange(x: Tensor, lo: number, hi: number): Tensor {
  return logicalAnd(ge(x, lo), le(x, hi));
}
