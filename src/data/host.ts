// Row gathering for in-memory datasets: one copy per batch straight from the backing store.
import { numel } from '../core/shape.js';
import { allocArray, type TypedArray } from '../core/dtype.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { indexSelect } from '../ops/shape.js';
import { fromTypedArray } from '../ops/tensor-like.js';

/** The elements of a contiguous tensor in host memory without a copy, or null for other tensors. */
function hostView(t: Tensor): TypedArray | null {
  const b = t.storage.backend;
  if (!b.capabilities.hostMemory || !b.hostArray || !t.isContiguous || t.storage.disposed) return null;
  return b.hostArray(t.storage).subarray(t.offset, t.offset + t.numel) as TypedArray;
}

/**
 * Rows `indices` of `t` along dim 0 as a new contiguous tensor: one row copy per index from the
 * storage on backends with host memory; other backends use indexSelect on the device.
 */
export function gatherRows(t: Tensor, indices: Int32Array): Tensor {
  const src = hostView(t);
  const rest = t.shape.slice(1);
  if (src === null) {
    return tidy(() =>
      indexSelect(t, 0, fromTypedArray(indices, [indices.length], 'int32', t.storage.backend)),
    );
  }
  const row = numel(rest);
  const out = allocArray(t.dtype, indices.length * row);
  if (row === 1) for (let k = 0; k < indices.length; k++) out[k] = src[indices[k]];
  else if (row < 16)
    for (let k = 0; k < indices.length; k++) {
      const s = indices[k] * row;
      for (let j = 0; j < row; j++) out[k * row + j] = src[s + j];
    }
  else
    for (let k = 0; k < indices.length; k++)
      out.set(src.subarray(indices[k] * row, (indices[k] + 1) * row) as never, k * row);
  return fromTypedArray(out, [indices.length, ...rest], t.dtype, t.storage.backend);
}
