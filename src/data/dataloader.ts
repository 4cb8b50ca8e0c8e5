// DataLoader: batches of a dataset in a seeded, resumable order (epoch and position can be saved/restored).
import { ArgumentError } from '../core/errors.js';
import type { Generator } from '../core/random/generator.js';
import { Tensor } from '../core/tensor.js';
import { defaultCollate } from './collate.js';
import type { Dataset } from './dataset.js';
import { generatorFrom, permutation } from './random.js';

/** Options of DataLoader: batching, shuffling, collation. */
export interface DataLoaderOptions<T, B> {
  /** Examples per batch (default 1). */
  batchSize?: number;
  /** Visit the examples in a new random order every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle stream (default 0); ignored when `generator` is given. */
  seed?: number;
  /** The stream the shuffle draws from (one permutation per epoch). */
  generator?: Generator;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of examples into a batch (default: defaultCollate, which stacks tensors). */
  collate?: (examples: T[]) => B;
  /** Applied to every collated batch (e.g. normalization or augmentation). */
  transform?: (batch: B) => B;
}

/** One batch: the collated data, the dataset indices of its examples, and where it sits in the run. */
export interface Batch<B> {
  /** The collated (and transformed) examples, e.g. [x, y] tensors for a TensorDataset. */
  data: B;
  /** Dataset indices of the examples, in batch order. */
  indices: Int32Array;
  /** Epoch (from 0) and position of the batch within the epoch (from 0). */
  epoch: number;
  /** Position of the batch within its epoch (from 0). */
  iteration: number;
  /** Disposes every tensor in `data`. */
  dispose(): void;
}

/** Where a loader stands: the next batch to hand out, and the shuffle stream at the start of its epoch. */
export interface DataLoaderState {
  /** The epoch of the next batch (from 0). */
  epoch: number;
  /** The position of the next batch within that epoch (from 0). */
  iteration: number;
  /** The shuffle generator's state at the start of that epoch (null without shuffle). */
  generator: {
    /** The Philox key. */
    key: [number, number];
    /** The block counter. */
    counter: number;
  } | null;
}

function disposeAll(v: unknown, depth = 0): void {
  if (depth > 8 || v === null || typeof v !== 'object') return;
  if (v instanceof Tensor) v.dispose();
  else for (const x of Array.isArray(v) ? v : Object.values(v)) disposeAll(x, depth + 1);
}

/**
 * Iterates a dataset in batches; each `for...of` runs one epoch, starting where the last one stopped.
 * With `shuffle`, epoch e's order is a permutation drawn from the seeded generator, so a run is
 * reproducible, and `state()` / `loadState()` resume mid-epoch on exactly the same batches.
 * TensorDatasets (and their Subsets) are batched by gathering rows from the whole tensors.
 * @example
 * const loader = new gl.data.DataLoader(new gl.data.TensorDataset(x, y), { batchSize: 64, shuffle: true, seed: 1 });
 * for (const batch of loader) {
 *   const [xb, yb] = batch.data;
 *   // ... train step ...
 *   batch.dispose();
 * }
 */
export class DataLoader<T, B = T> implements Iterable<Batch<B>> {
  /** The dataset batched. */
  readonly dataset: Dataset<T>;
  /** Examples per batch (the last batch may be smaller unless dropLast). */
  readonly batchSize: number;
  /** Whether each epoch visits the examples in a fresh seeded permutation. */
  readonly shuffle: boolean;
  /** Whether a last, incomplete batch is skipped. */
  readonly dropLast: boolean;
  private readonly generator: Generator | null;
  private readonly collate: ((examples: T[]) => B) | null;
  private readonly transform: ((batch: B) => B) | null;
  private epoch = 0;
  private iteration = 0;
  private order: Int32Array | null = null;
  private epochStart: DataLoaderState['generator'] = null;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    if (!dataset || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length))
      throw new ArgumentError('DataLoader: expected a Dataset (an object with length and get(i))');
    const bs = opts.batchSize ?? 1;
    if (!Number.isInteger(bs) || bs < 1)
      throw new ArgumentError(`DataLoader: batchSize must be a positive integer, got ${bs}`);
    this.dataset = dataset;
    this.batchSize = bs;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = this.shuffle ? generatorFrom(opts, 'DataLoader') : null;
    this.collate = opts.collate ?? null;
    this.transform = opts.transform ?? null;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * The position of the next batch (an epoch handed out completely counts as the start of the next).
   * @example
   * const loader = new gl.data.DataLoader(new gl.data.TensorDataset(gl.randn([10, 2])), { batchSize: 4, shuffle: true, seed: 1 });
   * const it = loader[Symbol.iterator]();
   * it.next(); // the first batch
   * const saved = loader.state(); // saved in checkpoints: epoch, position, shuffle state
   */
  state(): DataLoaderState {
    this.normalize();
    const gen = this.generator ? (this.epochStart ?? this.generator.getState()) : null;
    return {
      epoch: this.epoch,
      iteration: this.iteration,
      generator: gen && { key: [...gen.key], counter: gen.counter },
    };
  }

  /**
   * Restores a position saved by state(): the next batch is the one that followed it.
   * @example
   * const make = () => new gl.data.DataLoader(new gl.data.TensorDataset(gl.randn([10, 2])), { batchSize: 4, shuffle: true, seed: 1 });
   * const loader = make();
   * loader[Symbol.iterator]().next();
   * const resumed = make().loadState(loader.state()); // continues with the second batch of the same epoch
   */
  loadState(s: DataLoaderState): this {
    if (!s || !Number.isInteger(s.epoch) || !Number.isInteger(s.iteration) || s.epoch < 0 || s.iteration < 0)
      throw new ArgumentError(
        `DataLoader.loadState: expected { epoch, iteration, generator }, got ${JSON.stringify(s)}`,
      );
    if (s.iteration > this.length)
      throw new ArgumentError(
        `DataLoader.loadState: iteration ${s.iteration} is past the ${this.length} batches of an epoch`,
      );
    if (this.generator) {
      if (!s.generator)
        throw new ArgumentError(
          'DataLoader.loadState: this loader shuffles but the state has no generator state',
        );
      this.generator.setState(s.generator);
    }
    this.epoch = s.epoch;
    this.iteration = s.iteration;
    this.order = null;
    this.epochStart = null;
    return this;
  }

  /** Rolls over to the next epoch once every batch of the current one was handed out. */
  private normalize(): void {
    if (this.iteration >= this.length && this.length > 0) {
      this.epoch++;
      this.iteration = 0;
      this.order = null;
      this.epochStart = null;
    }
  }

  private orderOfEpoch(): Int32Array {
    if (this.order) return this.order;
    const n = this.dataset.length;
    if (this.generator) {
      this.epochStart = this.generator.getState();
      this.order = permutation(n, this.generator);
    } else {
      this.order = new Int32Array(n);
      for (let i = 0; i < n; i++) this.order[i] = i;
    }
    return this.order;
  }

  /** The batch at position `iteration` of the current epoch. */
  private makeBatch(order: Int32Array, iteration: number): Batch<B> {
    const start = iteration * this.batchSize;
    const indices = order.slice(start, Math.min(start + this.batchSize, order.length));
    let data: B;
    if (!this.collate && this.dataset.getBatch) data = this.dataset.getBatch(indices) as unknown as B;
    else {
      const examples = Array.from(indices, (i) => this.dataset.get(i).example);
      data = this.collate ? this.collate(examples) : defaultCollate<B>(examples);
    }
    if (this.transform) data = this.transform(data);
    return { data, indices, epoch: this.epoch, iteration, dispose: () => disposeAll(data) };
  }

  /**
   * One epoch of batches, from where the loader stands (mid-epoch after loadState); then the next epoch begins.
   * @example
   * const loader = new gl.data.DataLoader(new gl.data.TensorDataset(gl.randn([10, 2]), gl.randint(0, 2, [10])), { batchSize: 4 });
   * for (const batch of loader) {
   *   const [xb, yb] = batch.data; // [4, 2] and [4], then [4, 2], then [2, 2]
   * }
   */
  *[Symbol.iterator](): Iterator<Batch<B>> {
    this.normalize();
    const order = this.orderOfEpoch();
    const nb = this.length;
    try {
      while (this.iteration < nb) {
        const k = this.iteration;
        const batch = this.makeBatch(order, k);
        this.iteration = k + 1;
        yield batch;
      }
    } finally {
      this.normalize();
    }
  }
}
