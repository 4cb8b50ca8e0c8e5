// Recipe `distillation` (paper 46) in its quick budget: runs end to end and measures every arm.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe distillation (quick)', () => {
  it('runs and measures both nets under FGSM, FGSM on Z/T and C&W, and again in float64', async () => {
    const r = await gl.recipes.runRecipe('distillation', { quick: true });
    const m = r.perSeed;
    for (const k of ['zeroGrad', 'fgsm0.2', 'cw', 'zeroGrad64', 'fgsm64_0.2'])
      for (const net of ['standard', 'distilled']) {
        expect(m[`${k}.${net}`][0]).toBeGreaterThanOrEqual(0);
        expect(m[`${k}.${net}`][0]).toBeLessThanOrEqual(1);
      }
    expect(m['fgsm0.2.standard'][0]).toBeGreaterThan(0); // ε = 0.2 fools a lightly trained MLP on some digits
    expect(m['attacked'][0]).toBeGreaterThan(0);
  }, 120_000);
});
