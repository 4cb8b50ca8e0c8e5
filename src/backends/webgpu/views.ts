// Views the webgpu kernels build over their own buffers (row-major, offset 0).
import type { Storage, TensorView } from '../../core/backend.js';
import { contiguousStrides } from '../../core/shape.js';

/** A row-major view of all of `storage` with `shape`. */
export function contiguousView(storage: Storage, shape: readonly number[]): TensorView {
  return { storage, shape, strides: contiguousStrides(shape), offset: 0, dtype: storage.dtype };
}
