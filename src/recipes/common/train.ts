// Shared recipe training loop: seeded batches, a step function, test accuracy; tensors released per step.
import { Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import { tidy, type Tensor } from '../../core/tensor.js';
import { permutation } from '../../data/random.js';
import { argmax } from '../../ops/reduce.js';
import { indexSelect, narrow } from '../../ops/shape.js';
import { tensor } from '../../ops/tensor-like.js';

/** A classification split: inputs [n, ...] and int32 labels [n]. */
export interface Split {
  /** The inputs, [n, ...]. */
  x: Tensor;
  /** The labels, int32 [n]. */
  y: Tensor;
}

/**
 * Runs `epochs` passes over `train` in batches drawn by a permutation seeded with `seed` (so arms with
 * the same seed see the same batches); `step(x, y)` does forward, backward and the update.
 */
export function trainEpochs(
  train: Split,
  opts: { epochs: number; batch: number; seed: number },
  step: (x: Tensor, y: Tensor, index: number) => void,
): number {
  const gen = new Generator(opts.seed + 1000);
  const n = train.x.shape[0];
  let steps = 0;
  for (let e = 0; e < opts.epochs; e++) {
    const perm = tensor(permutation(n, gen));
    for (let s = 0; s + opts.batch <= n; s += opts.batch) {
      tidy(() => {
        const idx = narrow(perm, 0, s, opts.batch);
        step(indexSelect(train.x, 0, idx), indexSelect(train.y, 0, idx), steps++);
      });
    }
    perm.dispose();
  }
  return steps;
}

/**
 * Accuracy of `forward` on `split`, in batches, without recording. Predictions are read asynchronously,
 * one batch at a time, so it runs on every backend (webgpu included).
 * @example const acc = await accuracy((x) => model.forward(x), test); // in [0, 1]
 */
export async function accuracy(forward: (x: Tensor) => Tensor, split: Split, batch = 500): Promise<number> {
  const n = split.x.shape[0];
  const y = await split.y.data();
  let correct = 0;
  for (let s = 0; s < n; s += batch) {
    const len = Math.min(batch, n - s);
    const predT = noGrad(() => tidy(() => argmax(forward(narrow(split.x, 0, s, len)), -1)));
    const pred = await predT.data();
    predT.dispose();
    for (let i = 0; i < len; i++) if (pred[i] === y[s + i]) correct++;
  }
  return correct / n;
}

/**
 * The first n examples of a split (contiguous copies), optionally only some classes relabelled 0...
 * The labels are read synchronously: build splits from host data (see onHostBackend in ./host.ts).
 */
export function take(split: Split, n: number, classes?: readonly number[]): Split {
  const y = split.y.dataSync() as Int32Array;
  const keep: number[] = [];
  const map = new Map<number, number>();
  classes?.forEach((c, i) => map.set(c, i));
  for (let i = 0; i < y.length && keep.length < n; i++) if (!classes || map.has(y[i])) keep.push(i);
  const idx = tensor(Int32Array.from(keep));
  const x = indexSelect(split.x, 0, idx);
  const labels = Int32Array.from(keep, (i) => (classes ? map.get(y[i])! : y[i]));
  idx.dispose();
  return { x, y: tensor(labels) };
}
