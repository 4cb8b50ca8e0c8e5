// Training a gl.rules learner in a recipe: seeded batches (paired across arms), its step statistics, test accuracy.
import { Generator } from '../../core/random/generator.js';
import type { Tensor } from '../../core/tensor.js';
import { permutation } from '../../data/random.js';
import { indexSelect } from '../../ops/shape.js';
import { tensor } from '../../ops/tensor-like.js';
import type { Learner } from '../../rules/types.js';
import { accuracy, type Split } from './train.js';

/** What a training run of one learner measured. */
export interface RuleRun {
  /** Largest peak saved bytes of any step. */
  peakSavedBytes: number;
  /** Backward walks per step (the last step's). */
  backwardCalls: number;
  /** The largest sub-graph one backward walk differentiated, over all steps. */
  largestBackwardOps: number;
  steps: number;
}

/**
 * Trains `learner` for `epochs` over `train` in batches of `batch` drawn by a permutation seeded with `seed`
 * (arms with the same seed see the same batches); `onEpoch(e)` runs after each epoch.
 */
export async function trainRule(
  learner: Learner,
  train: Split,
  opts: { epochs: number; batch: number; seed: number; onEpoch?: (epoch: number) => void | Promise<void> },
): Promise<RuleRun> {
  const gen = new Generator(opts.seed + 1000);
  const n = train.x.shape[0];
  const run: RuleRun = { peakSavedBytes: 0, backwardCalls: 0, largestBackwardOps: 0, steps: 0 };
  for (let e = 0; e < opts.epochs; e++) {
    const perm = permutation(n, gen);
    for (let s = 0; s + opts.batch <= n; s += opts.batch) {
      const idx = tensor(perm.subarray(s, s + opts.batch));
      const x = indexSelect(train.x, 0, idx);
      const y = indexSelect(train.y, 0, idx);
      const { stats } = await learner.step(x, y);
      for (const t of [idx, x, y]) t.dispose();
      run.peakSavedBytes = Math.max(run.peakSavedBytes, stats.peakSavedBytes);
      run.largestBackwardOps = Math.max(run.largestBackwardOps, stats.largestBackwardOps);
      run.backwardCalls = stats.backwardCalls;
      run.steps++;
    }
    await opts.onEpoch?.(e);
  }
  return run;
}

/** Test accuracy of a learner under its own prediction mode. */
export function ruleAccuracy(learner: Learner, split: Split, batch = 500): Promise<number> {
  return accuracy((x: Tensor) => learner.predict(x), split, batch);
}
