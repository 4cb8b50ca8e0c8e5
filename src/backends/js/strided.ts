// Offsets of strided views in row-major order: the one helper every JS kernel reads memory through.
import type { TensorView } from '../backend.js';
import type { TypedArray } from '../../core/dtype.js';

/** Flat storage offsets of every element of (shape, strides, offset), in row-major order. */
export function offsetsOf(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  let n = 1;
  for (const d of shape) n *= d;
  const out = new Int32Array(n);
  if (n === 0) return out;
  const nd = shape.length;
  if (nd === 0) {
    out[0] = offset;
    return out;
  }
  const last = nd - 1;
  const lastSize = shape[last];
  const lastStride = strides[last];
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  let i = 0;
  for (;;) {
    for (let j = 0, o = base; j < lastSize; j++, o += lastStride) out[i++] = o;
    if (i >= n) break;
    let d = last - 1;
    for (; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
    if (d < 0) break;
  }
  return out;
}

/** True when the view reads `storage[offset .. offset+numel)` in order. */
export function isDense(v: TensorView): boolean {
  let s = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== s) return false;
    s *= v.shape[i];
  }
  return true;
}

/** Offsets of a view, or null when it is dense (then element i sits at offset + i). */
export function indexer(v: TensorView): Int32Array | null {
  return isDense(v) ? null : offsetsOf(v.shape, v.strides, v.offset);
}

/** The typed array behind a JS-backend view. */
export function dataOf(v: TensorView): TypedArray {
  return (v.storage as unknown as { data: TypedArray }).data;
}

/** Contiguous copy of a view's elements as numbers in a typed array of the same kind. */
export function gatherDense(v: TensorView): TypedArray {
  const src = dataOf(v);
  const ix = indexer(v);
  let n = 1;
  for (const d of v.shape) n *= d;
  if (!ix) return src.subarray(v.offset, v.offset + n) as TypedArray;
  const out = new (src.constructor as { new (n: number): TypedArray })(n);
  for (let i = 0; i < n; i++) out[i] = src[ix[i]];
  return out;
}

/** Splits a view's dims into kept (outer) and listed (inner) groups; offsets of each group. */
export function splitOffsets(
  v: TensorView,
  innerDims: readonly number[],
): { outer: Int32Array; inner: Int32Array } {
  const isInner = new Array<boolean>(v.shape.length).fill(false);
  for (const d of innerDims) isInner[d] = true;
  const oShape: number[] = [];
  const oStrides: number[] = [];
  const iShape: number[] = [];
  const iStrides: number[] = [];
  for (let d = 0; d < v.shape.length; d++) {
    if (isInner[d]) {
      iShape.push(v.shape[d]);
      iStrides.push(v.strides[d]);
    } else {
      oShape.push(v.shape[d]);
      oStrides.push(v.strides[d]);
    }
  }
  return { outer: offsetsOf(oShape, oStrides, v.offset), inner: offsetsOf(iShape, iStrides, 0) };
}
