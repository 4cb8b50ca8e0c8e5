// Datasets: the indexable Dataset interface, TensorDataset over tensors sharing dim 0, Subset and map.
import { ArgumentError, IndexOutOfRangeError, ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { select } from '../ops/shape.js';
import { gatherRows } from './host.js';

/** One example and its index in the dataset it was read from. */
export interface Example<T> {
  /** The example itself. */
  example: T;
  /** Its index in the dataset that returned it. */
  index: number;
}

/**
 * An indexable collection of examples. `get(i)` returns the example and `i`.
 * @example
 * const ds: gl.data.Dataset<number> = { length: 3, get: (i) => ({ example: i * i, index: i }) };
 */
export interface Dataset<T> {
  /** Number of examples. */
  readonly length: number;
  /**
   * The example at `index` (negative counts from the end; out of range: IndexOutOfRangeError).
   * @example
   * const ds = new gl.data.TensorDataset(gl.randn([10, 3]), gl.randint(0, 2, [10]));
   * const { example: [x, y], index } = ds.get(-1); // the last example: x [3], y [], index 9
   */
  get(index: number): Example<T>;
  /**
   * Optional fast path: the collated batch of `indices` (used by DataLoader when present).
   * @example
   * const ds = new gl.data.TensorDataset(gl.randn([10, 3]));
   * const [xb] = ds.getBatch(Int32Array.of(0, 5, 9)); // [3, 3], gathered in one copy
   */
  getBatch?(indices: Int32Array): T;
}

/** Throws IndexOutOfRangeError unless 0 <= i < length (negative indices count from the end). */
export function checkIndex(who: string, i: number, length: number): number {
  const j = i < 0 ? i + length : i;
  if (!Number.isInteger(i) || j < 0 || j >= length)
    throw new IndexOutOfRangeError(`${who}: index ${i} out of range for a dataset of length ${length}`);
  return j;
}

/**
 * Examples are the rows (dim 0) of tensors that share their first dimension.
 * Batches are gathered from the whole tensors at once (no per-example stacking).
 * @example
 * const ds = new gl.data.TensorDataset(x, y);   // x: [n, 784], y: [n]
 * const { example: [xi, yi], index } = ds.get(0);
 */
export class TensorDataset implements Dataset<Tensor[]> {
  /** The tensors, sharing dim 0. */
  readonly tensors: readonly Tensor[];
  /** Their common dim 0. */
  readonly length: number;

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ArgumentError('TensorDataset: expected at least one tensor');
    for (const t of tensors)
      if (t.ndim === 0 || t.shape[0] !== tensors[0].shape[0])
        throw new ShapeError(
          `TensorDataset: all tensors must share dim 0, got ${tensors.map((x) => fmtShape(x.shape)).join(', ')}`,
        );
    this.tensors = tensors;
    this.length = tensors[0].shape[0];
  }

  /** Views of row `index` of every tensor. */
  get(index: number): Example<Tensor[]> {
    const i = checkIndex('TensorDataset.get', index, this.length);
    return { example: this.tensors.map((t) => select(t, 0, i)), index: i };
  }

  /** Rows `indices` of every tensor, gathered in one copy per tensor. */
  getBatch(indices: Int32Array): Tensor[] {
    for (const i of indices) checkIndex('TensorDataset.getBatch', i, this.length);
    return this.tensors.map((t) => gatherRows(t, indices));
  }
}

/**
 * The examples of `dataset` at `indices`, renumbered 0..indices.length-1 (`indices` maps back).
 * @example const firstTen = new gl.data.Subset(ds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 */
export class Subset<T> implements Dataset<T> {
  /** The indices into `dataset`, one per example of the subset. */
  readonly indices: Int32Array;
  /** Number of examples (indices.length). */
  readonly length: number;
  readonly getBatch?: (indices: Int32Array) => T;

  /**
   * @param dataset - The dataset drawn from.
   * @param indices - The indices taken (each checked: out of range is an IndexOutOfRangeError).
   */
  constructor(
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    this.indices = Int32Array.from(indices, (i) => checkIndex('Subset', i, dataset.length));
    this.length = this.indices.length;
    if (dataset.getBatch) {
      const inner = dataset.getBatch.bind(dataset);
      this.getBatch = (idx) =>
        inner(idx.map((i) => this.indices[checkIndex('Subset.getBatch', i, this.length)]));
    }
  }

  /** Example `index` of the subset (dataset example indices[index]); `index` is the subset's. */
  get(index: number): Example<T> {
    const i = checkIndex('Subset.get', index, this.length);
    return { example: this.dataset.get(this.indices[i]).example, index: i };
  }
}

/**
 * A dataset whose examples are `fn(example, index)` of `dataset`'s (a per-example transform).
 * @example const scaled = gl.data.mapDataset(ds, ([x, y]) => [x.div(255), y]);
 */
export function mapDataset<T, U>(dataset: Dataset<T>, fn: (example: T, index: number) => U): Dataset<U> {
  return {
    length: dataset.length,
    get(index: number): Example<U> {
      const { example, index: i } = dataset.get(index);
      return { example: fn(example, i), index: i };
    },
  };
}
