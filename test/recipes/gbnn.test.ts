// Recipe `gbnn` in its quick budget: runs end to end on the digits and Friedman #1; the assembled network equals the
// boosted ensemble (mechanism), outcome assertions are left to the full run.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe gbnn (quick)', () => {
  it('runs and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('gbnn', { quick: true });
    const m = r.perSeed;
    expect(m['assembled.maxAbsDiff'][0]).toBeLessThanOrEqual(1e-5);
    expect(m['acc.gbnn'][0]).toBeGreaterThan(0.3); // 10 classes: chance 0.1
    expect(Number.isFinite(m['rmse.gbnn'][0])).toBe(true);
    expect(r.assertions.find((a) => a.id === 'assembled-equals-ensemble')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'acc-vs-mlp')!.status).toBe('not judged');
    expect(r.verdict).toBe('mechanism checked');
  });
});
