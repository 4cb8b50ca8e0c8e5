// Image data for recipes, real data first: each recipe lists the sets its protocol accepts, best first (e.g.
// Fashion-MNIST, then MNIST-10k, then the embedded 8×8 digits); the first installed one is used and says so.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FileError } from '../../core/errors.js';
import { FASHION_MNIST_DIR, loadDataset } from '../../data/datasets.js';
import { DIGITS_GZ_BASE64 } from '../../data/embedded/digits-data.js';
import { hasMnist10k, mnist10kFiles } from '../../data/mnist10k.js';
import { readIdx } from '../../data/readers/idx.js';
import { tensor } from '../../ops/tensor-like.js';
import { fileProvenance, sha256 } from '../framework/provenance.js';
import type { DataProvenance } from '../framework/types.js';
import { onHostBackend } from './host.js';
import { take, type Split } from './train.js';

/** The image sets a recipe may list. */
export const IMAGE_SOURCES = ['fashion-mnist', 'mnist-10k', 'embedded'] as const;
/** One of IMAGE_SOURCES. */
export type ImageSource = (typeof IMAGE_SOURCES)[number];

/** Loaded splits with what the model needs to adapt to them. */
export interface ImageData {
  /** The set loaded. */
  name: ImageSource;
  /** True when `name` is not the first set of the policy (the protocol's own). */
  fallback: boolean;
  /** [channels, height, width] of one image. */
  shape: [number, number, number];
  /** channels × height × width: the input width of a flattening model. */
  inputSize: number;
  /** The training split. */
  train: Split;
  /** The test split. */
  test: Split;
  /** The files read and their hashes. */
  provenance: DataProvenance;
}

/**
 * The environment variable that makes sets count as not installed: a comma-separated list of image sources
 * (`GRADLAB_DATA_MISSING=fashion-mnist,mnist-10k gradlab recipe run drtp --quick` runs on the embedded digits), so the
 * fallback path of a recipe can be run and tested on a machine that has the data.
 */
export const DATA_MISSING_ENV = 'GRADLAB_DATA_MISSING';

/** The sets that `GRADLAB_DATA_MISSING` names (unknown names are refused, so a typo does not pass silently). */
function missingByEnv(): Set<string> {
  const raw = process.env[DATA_MISSING_ENV];
  if (!raw) return new Set();
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  const bad = names.filter((n) => !(IMAGE_SOURCES as readonly string[]).includes(n));
  if (bad.length)
    throw new ArgumentError(
      `${DATA_MISSING_ENV}: expected a comma-separated list of ${IMAGE_SOURCES.join(', ')}, got '${bad.join("', '")}'`,
    );
  return new Set(names);
}

/**
 * Whether a set can be loaded here (and `GRADLAB_DATA_MISSING` does not name it).
 * @example gl.recipes.imageSourceAvailable('embedded'); // true: the embedded digits ship with gradlab
 */
export function imageSourceAvailable(s: ImageSource): boolean {
  if (missingByEnv().has(s)) return false;
  if (s === 'fashion-mnist') return fs.existsSync(FASHION_MNIST_DIR);
  if (s === 'mnist-10k') return hasMnist10k();
  return true;
}

function fashionFile(base: string): string {
  for (const f of [path.join(FASHION_MNIST_DIR, base + '.gz'), path.join(FASHION_MNIST_DIR, base)])
    if (fs.existsSync(f)) return f;
  throw new FileError(`fashion-mnist: ${path.join(FASHION_MNIST_DIR, base)}[.gz] not found`);
}

/** Quick runs read only Fashion-MNIST's 10k test file (4 MB) and split it: train from the front, test from the back. */
function fashionTestFileOnly(
  nTrain: number,
  nTest: number,
  classes?: readonly number[],
): { train: Split; test: Split } {
  const img = readIdx(fashionFile('t10k-images-idx3-ubyte'), { ndim: 3, type: 'uint8' });
  const lbl = readIdx(fashionFile('t10k-labels-idx1-ubyte'), { ndim: 1, type: 'uint8' });
  const px = img.data as Uint8Array;
  const ys = lbl.data as Uint8Array;
  const half = ys.length / 2;
  const part = (from: number, to: number): Split => {
    const x = new Float32Array((to - from) * 784);
    for (let i = 0; i < x.length; i++) x[i] = px[from * 784 + i] / 255;
    return {
      x: tensor(x).reshape([to - from, 1, 28, 28]),
      y: tensor(Int32Array.from(ys.subarray(from, to))),
    };
  };
  return { train: take(part(0, half), nTrain, classes), test: take(part(half, ys.length), nTest, classes) };
}

function provenanceOf(s: ImageSource, quick: boolean, fallbackFor: ImageSource | undefined): DataProvenance {
  if (s === 'fashion-mnist') {
    const parts = quick ? ['t10k'] : ['train', 't10k'];
    const files = parts.flatMap((p) => [`${p}-images-idx3-ubyte`, `${p}-labels-idx1-ubyte`].map(fashionFile));
    return fileProvenance(
      quick ? 'fashion-mnist (quick: both splits from the 10k test file)' : s,
      files,
      fallbackFor,
    );
  }
  if (s === 'mnist-10k') return fileProvenance(s, mnist10kFiles(), fallbackFor);
  return {
    name: 'embedded',
    ...(fallbackFor ? { fallbackFor } : {}),
    files: [
      {
        path: 'src/data/embedded/digits-data.ts (DIGITS_GZ_BASE64)',
        bytes: DIGITS_GZ_BASE64.length,
        sha256: sha256(DIGITS_GZ_BASE64),
      },
    ],
  };
}

/**
 * Train/test splits from the first installed set of `policy` (or `force`, which must be in the policy):
 * the first nTrain / nTest examples, optionally only `classes`, relabelled 0..k−1.
 * @example
 * const d = imageData({ policy: ['fashion-mnist', 'mnist-10k', 'embedded'], nTrain: 256, nTest: 128 });
 * new Linear(d.inputSize, 128); // 784 on the 28×28 sets, 64 on the embedded digits
 */
export function imageData(opts: {
  policy: readonly ImageSource[];
  nTrain: number;
  nTest: number;
  classes?: readonly number[];
  quick?: boolean;
  force?: string;
}): ImageData {
  const { policy } = opts;
  if (policy.length === 0) throw new ArgumentError('imageData: the policy lists no data set');
  let name: ImageSource;
  if (opts.force !== undefined) {
    if (!(policy as readonly string[]).includes(opts.force))
      throw new ArgumentError(
        `imageData: data set '${opts.force}' is not in this recipe's policy (${policy.join(', ')})`,
      );
    name = opts.force as ImageSource;
    if (!imageSourceAvailable(name))
      throw new FileError(
        `imageData: data set '${name}' is not installed here (policy: ${policy.join(', ')})`,
      );
  } else {
    const found = policy.find(imageSourceAvailable);
    if (!found) throw new FileError(`imageData: none of ${policy.join(', ')} is installed`);
    name = found;
  }
  const fallbackFor = name === policy[0] ? undefined : policy[0];
  const provenance = provenanceOf(name, opts.quick ?? false, fallbackFor);
  const split = onHostBackend(() =>
    name === 'fashion-mnist' && opts.quick
      ? fashionTestFileOnly(opts.nTrain, opts.nTest, opts.classes)
      : (() => {
          const ds = loadDataset(name);
          const out = {
            train: take(ds.train, opts.nTrain, opts.classes),
            test: take(ds.test, opts.nTest, opts.classes),
          };
          for (const t of [ds.train.x, ds.train.y, ds.test.x, ds.test.y]) t.dispose();
          return out;
        })(),
  );
  const [c, h, w] = split.train.x.shape.slice(1);
  return {
    name,
    fallback: fallbackFor !== undefined,
    shape: [c, h, w],
    inputSize: c * h * w,
    ...split,
    provenance,
  };
}
