// Training a gl.rules learner in a recipe: seeded batches (the same order as trainEpochs), the largest step stats seen.
import { Generator } from '../../core/random/generator.js';
import { permutation } from '../../data/random.js';
import { indexSelect, narrow } from '../../ops/shape.js';
import { tensor } from '../../ops/tensor-like.js';
import type { Learner, StepStats } from '../../rules/types.js';
import type { Split } from './train.js';

/** What a learner's training did: steps, and per StepStats field the largest value seen over the steps. */
export interface LearnerRun {
  steps: number;
  maxStats: StepStats;
}

/**
 * `epochs` passes over `train` in batches of a permutation seeded with `seed` (arms with the same seed see
 * the same batches, as with `trainEpochs`); each batch is one `learner.step`.
 */
export async function trainLearner(
  learner: Learner,
  train: Split,
  opts: { epochs: number; batch: number; seed: number },
): Promise<LearnerRun> {
  const gen = new Generator(opts.seed + 1000);
  const n = train.x.shape[0];
  let steps = 0;
  const max: StepStats = {
    backwardCalls: 0,
    largestBackwardOps: 0,
    peakSavedBytes: 0,
    paramsUpdated: 0,
    forwardPasses: 0,
  };
  for (let e = 0; e < opts.epochs; e++) {
    const perm = tensor(permutation(n, gen));
    for (let s = 0; s + opts.batch <= n; s += opts.batch) {
      const idx = narrow(perm, 0, s, opts.batch);
      const x = indexSelect(train.x, 0, idx);
      const y = indexSelect(train.y, 0, idx);
      const { stats } = await learner.step(x, y);
      for (const k of Object.keys(max) as (keyof StepStats)[]) max[k] = Math.max(max[k], stats[k]);
      for (const t of [idx, x, y]) t.dispose();
      steps++;
    }
    perm.dispose();
  }
  return { steps, maxStats: max };
}
