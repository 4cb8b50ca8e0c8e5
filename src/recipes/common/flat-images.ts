// A flat-image classification task for the learning-rule recipes: MNIST-10k, else the embedded digits, flattened.
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import type { TaskSpec } from '../../rules/types.js';
import { imageData, type ImageData, type ImageSource } from './images.js';
import type { Split } from './train.js';

/** The data policy of the flat-image recipes (ff, drtp, tpsgd, auglocal, phyff): the notes' MNIST-10k, then the embedded digits. */
export const FLAT_IMAGE_POLICY: readonly ImageSource[] = ['mnist-10k', 'embedded'];

/** Options of {@link flatImageTask}. */
export interface FlatImageOptions {
  /** Training examples (the first ones of the set). */
  nTrain: number;
  /** Test examples. */
  nTest: number;
  /** A quick run (Fashion-MNIST then reads only its test file; see `imageData`). */
  quick?: boolean;
  /** A set to use instead of the first installed one (the recipe's `--data`); must be in the policy. */
  force?: string;
  /** The sets to try, best first (default {@link FLAT_IMAGE_POLICY}). */
  policy?: readonly ImageSource[];
  /** Applied to the [n, c, h, w] images before flattening (e.g. PhyFF's pooling of 28×28 images). */
  transform?: (x: Tensor) => Tensor;
}

/** A loaded flat task: splits [n, inputSize], the input width read from the data, and the rules' TaskSpec. */
export interface FlatImageTask {
  /** The loaded set: its name, whether it is a fallback, its provenance (for the result's `data`). */
  data: ImageData;
  /** Training split, x [nTrain, inputSize] contiguous, y int32 labels. */
  train: Split;
  /** Test split, like `train`. */
  test: Split;
  /** Features per example after `transform` and flattening: 784 on MNIST, 64 on the embedded digits. */
  inputSize: number;
  /** `{ inputShape: [inputSize], outputs: 10, kind: 'classification' }`. */
  task: TaskSpec;
}

/**
 * Loads the first installed set of the policy (or the forced one) and flattens it, so a recipe builds its model from
 * `inputSize` and never hard-codes 784. A fallback (the protocol's set missing, or hidden by `GRADLAB_DATA_MISSING`)
 * is recorded in `data.provenance.fallbackFor`, which the recipe's result and report show.
 * @example
 * const t = flatImageTask({ nTrain: 500, nTest: 500, quick: true });
 * const model = new Sequential(new Linear(t.inputSize, 256), new ReLU(), new Linear(256, 10));
 */
export function flatImageTask(opts: FlatImageOptions): FlatImageTask {
  const data = imageData({
    policy: opts.policy ?? FLAT_IMAGE_POLICY,
    nTrain: opts.nTrain,
    nTest: opts.nTest,
    ...(opts.quick !== undefined ? { quick: opts.quick } : {}),
    ...(opts.force !== undefined ? { force: opts.force } : {}),
  });
  const flat = (s: Split): Split =>
    noGrad(() => {
      const x = opts.transform ? opts.transform(s.x) : s.x;
      return { x: x.reshape([x.shape[0], -1]).contiguous(), y: s.y };
    });
  const train = flat(data.train);
  const test = flat(data.test);
  const inputSize = train.x.shape[1];
  return {
    data,
    train,
    test,
    inputSize,
    task: { inputShape: [inputSize], outputs: 10, kind: 'classification' },
  };
}
