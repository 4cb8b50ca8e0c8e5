// Shape and view arithmetic: sizes, contiguous strides, broadcasting (of shapes and views), dimension normalization.
import type { TensorView } from './backend.js';
import { BroadcastError, IndexOutOfRangeError, ArgumentError, fmtShape } from './errors.js';

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** True when `strides` are the row-major strides of `shape` (size-1 dims may have any stride). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== s) return false;
    s *= shape[i];
  }
  return true;
}

/**
 * `v` seen with `shape` (NumPy broadcasting: new leading dims and size-1 dims get stride 0); `v`
 * itself when it already has that shape. For backend kernels.
 * @example broadcastView(bias, [batch, features]) // bias [features]: strides [0, 1]
 */
export function broadcastView(v: TensorView, shape: readonly number[]): TensorView {
  if (shapesEqual(v.shape, shape)) return v;
  const lead = shape.length - v.shape.length;
  const strides = shape.map((d, i) => (i < lead || v.shape[i - lead] !== d ? 0 : v.strides[i - lead]));
  return { storage: v.storage, shape, strides, offset: v.offset, dtype: v.dtype };
}

/** True when both shapes have the same dims. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy/PyTorch broadcast of two shapes; throws BroadcastError naming `op`. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else
      throw new BroadcastError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dimension ${i}: ${da} vs ${db})`,
      );
  }
  return out;
}

/** Normalizes a possibly negative dimension index for a tensor of rank `ndim`. */
export function normDim(op: string, dim: number, ndim: number): number {
  if (!Number.isInteger(dim)) throw new ArgumentError(`${op}: dim must be an integer, got ${dim}`);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (dim < lo || dim > hi)
    throw new IndexOutOfRangeError(
      `${op}: dim ${dim} out of range for a tensor of rank ${ndim} (expected ${lo}..${hi})`,
    );
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalizes an optional dim or dim list into sorted unique dims (all dims when undefined). */
export function normDims(
  op: string,
  dim: number | readonly number[] | undefined | null,
  ndim: number,
): number[] {
  if (dim === undefined || dim === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const out = [...new Set(list.map((d) => normDim(op, d, ndim)))].sort((x, y) => x - y);
  if (ndim === 0) return [];
  return out;
}

/** Checks a user shape: non-negative integers. */
export function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape))
    throw new ArgumentError(`${op}: shape must be an array of integers, got ${String(shape)}`);
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0)
      throw new ArgumentError(`${op}: shape ${fmtShape(shape)} must hold non-negative integers`);
  return [...shape];
}
