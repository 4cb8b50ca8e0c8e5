// Recipe `convex-relu` in its quick budget: runs end to end (PCA, ADMM, reference, recovery, Adam inits); the recovered
// network's objective equals the convex one, the reference's gap is certified, and its test accuracy is far above chance.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe convex-relu (quick)', () => {
  it('runs and its mechanism is measured', async () => {
    const r = await gl.recipes.runRecipe('convex-relu', { quick: true });
    const m = r.perSeed;
    expect(m['recovered.relDiff'][0]).toBeLessThan(1e-2);
    expect(Number.isFinite(m['objective.admm200'][0])).toBe(true);
    expect(m['certifiedGap.reference'][0]).toBeLessThan(1);
    expect(m.neurons[0]).toBeGreaterThan(0);
    // 3 vs 8 on the embedded digits: the recovered network classifies far above chance (0.5)
    expect(m['acc.convex'][0]).toBeGreaterThan(0.8);
    expect(r.assertions.find((a) => a.id === 'no-adam-beats')!.status).toBe('not judged');
  });
});
