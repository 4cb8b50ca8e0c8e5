// Recipe `pskd` (paper 29) in its quick budget: runs end to end and measures every arm's error and calibration.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe pskd (quick)', () => {
  it('runs CE, label smoothing and PS-KD and reports error, ECE, NLL and AURC for each', async () => {
    const r = await gl.recipes.runRecipe('pskd', { quick: true });
    const m = r.perSeed;
    for (const arm of ['ce', 'ls', 'pskd']) {
      for (const k of ['err', 'ece', 'aurc']) {
        expect(m[`${k}.${arm}`][0]).toBeGreaterThanOrEqual(0);
        expect(m[`${k}.${arm}`][0]).toBeLessThanOrEqual(1);
      }
      expect(m[`nll.${arm}`][0]).toBeGreaterThan(0);
    }
    // PS-KD changes the targets from epoch 1 on, so its run differs from CE's (same init, batches and augmentation)
    expect(m['nll.pskd'][0]).not.toBe(m['nll.ce'][0]);
  }, 120_000);
});
