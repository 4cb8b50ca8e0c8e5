// The shared metadata block: JS writes shapes, offsets and strides here before each addon call.
import type { TensorView } from '../backend.js';

/** Shapes/strides/offsets of the next call (the addon keeps a pointer to it, see setMeta). */
export const meta = new Int32Array(1024);
/** Float parameters of the next call. */
export const scalars = new Float64Array(16);

/** Largest offset or stride the int32 block can carry. */
const LIMIT = 0x7fffffff;

/** True when every number of these views fits the int32 metadata (else the JS kernel runs). */
export function fitsMeta(views: readonly TensorView[]): boolean {
  for (const v of views) if (v.storage.size > LIMIT || v.shape.length > 16) return false;
  return true;
}

/**
 * Writes [nd, shape, then for each view: offset, strides] starting at `at`; views are read over
 * `shape` (their own shape must equal it, or the strides given must be laid over it).
 * @returns the next free index
 */
export function writeStrided(
  shape: readonly number[],
  operands: readonly { offset: number; strides: readonly number[] }[],
  at = 0,
): number {
  const nd = shape.length;
  meta[at++] = nd;
  for (let d = 0; d < nd; d++) meta[at++] = shape[d];
  for (const v of operands) {
    meta[at++] = v.offset;
    const st = v.strides;
    for (let d = 0; d < nd; d++) meta[at++] = st[d];
  }
  return at;
}

// row-major strides: core's view helper, under the name the kernels use
export { contiguousStrides as denseStrides } from '../../core/shape.js';
