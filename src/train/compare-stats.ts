// Summaries of a comparison arm over its seeds: mean ± sd of accuracy and time, per-step costs.
import type { CompareRow, CompareSeedResult, MeanSd } from './compare-types.js';

/**
 * Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value).
 * @example meanSd([0.9, 0.92, 0.94]); // { mean: 0.92, sd: 0.02 }
 */
export function meanSd(values: readonly number[]): MeanSd {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: 0 };
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

/**
 * One arm's row from its per-seed results (vsBp is filled in once every row is known).
 * @example
 * declare const seeds: gl.train.CompareSeedResult[]; // one per seed, as compareRules collects them
 * const row = gl.train.summarizeArm('bp', 'backpropagation', seeds); // means and spreads over the seeds
 */
export function summarizeArm(rule: string, summary: string, seeds: CompareSeedResult[]): CompareRow {
  const steps = seeds.reduce((a, s) => a + s.steps, 0);
  const sum = (f: (s: CompareSeedResult) => number): number => seeds.reduce((a, s) => a + f(s), 0);
  const max = (f: (s: CompareSeedResult) => number): number => Math.max(...seeds.map(f));
  return {
    rule,
    summary,
    testAccuracy: meanSd(seeds.map((s) => s.testAccuracy)),
    secondsPerEpoch: meanSd(seeds.map((s) => s.secondsPerEpoch)),
    peakSavedBytes: max((s) => s.peakSavedBytes),
    backwardCallsPerStep: steps > 0 ? sum((s) => s.backwardCalls) / steps : 0,
    largestBackwardOps: max((s) => s.largestBackwardOps),
    paramsUpdatedPerStep: max((s) => s.paramsUpdated),
    forwardPassesPerStep: steps > 0 ? sum((s) => s.forwardPasses) / steps : 0,
    forwardPasses: sum((s) => s.forwardPasses) / seeds.length,
    examplesSeen: sum((s) => s.examplesSeen) / seeds.length,
    vsBp: null,
    seeds,
  };
}
