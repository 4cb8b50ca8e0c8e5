// Small helpers shared by the layers: uninitialised parameter storage, pair normalisation.
import type { DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { zeros } from '../ops/creation.js';

/** A zero-filled tensor for a parameter that an init scheme fills next. */
export function empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return zeros(shape, { dtype });
}

export type Pair = number | readonly [number, number];

/** [a, a] for a number, the pair itself otherwise. */
export function pair(v: Pair): [number, number] {
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}
