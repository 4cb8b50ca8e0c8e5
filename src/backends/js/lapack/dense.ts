// Matrices of a batched strided view as row-major Float64Arrays: how the JS factorization kernels read and write.
import type { TensorView } from '../../backend.js';
import type { JsStorage } from '../index.js';

/** Number of matrices in a view whose last two dims are the matrix. */
export function batchSize(v: TensorView): number {
  let b = 1;
  for (let i = 0; i < v.shape.length - 2; i++) b *= v.shape[i];
  return b;
}

/** Storage offset of matrix `b` (row-major over the leading dims). */
function matrixOffset(v: TensorView, b: number): number {
  let off = v.offset;
  for (let d = v.shape.length - 3; d >= 0; d--) {
    const i = b % v.shape[d];
    b = (b - i) / v.shape[d];
    off += i * v.strides[d];
  }
  return off;
}

/** Matrix `b` of `v` as a fresh row-major Float64Array (rows x cols). */
export function readMatrix(v: TensorView, b: number): Float64Array {
  const r = v.shape.length;
  const [m, n] = [v.shape[r - 2], v.shape[r - 1]];
  const [sm, sn] = [v.strides[r - 2], v.strides[r - 1]];
  const src = (v.storage as JsStorage).data;
  const out = new Float64Array(m * n);
  const base = matrixOffset(v, b);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = src[base + i * sm + j * sn] as number;
  return out;
}

/** Writes `data` as matrix `b` of the contiguous output view `out`. */
export function writeMatrix(out: TensorView, b: number, data: ArrayLike<number>): void {
  const dst = (out.storage as JsStorage).data as Float64Array | Float32Array;
  const size = data.length;
  const base = out.offset + b * size;
  for (let i = 0; i < size; i++) dst[base + i] = data[i];
}

/** Whether the view holds more than one matrix's worth of leading dims (the error then names the element). */
export const isBatched = (v: TensorView): boolean => v.shape.length > 2;
