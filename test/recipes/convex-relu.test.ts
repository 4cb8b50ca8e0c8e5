// Recipe `convex-relu` in its quick budget: runs end to end (PCA, ADMM, reference, recovery, Adam inits); the recovered
// network's objective equals the convex one and the reference's gap is certified.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe convex-relu (quick)', () => {
  it('runs and its mechanism is measured', async () => {
    const r = await gl.recipes.runRecipe('convex-relu', { quick: true });
    const m = r.perSeed;
    expect(m['recovered.relDiff'][0]).toBeLessThan(1e-2);
    expect(m['objective.reference'][0]).toBeLessThanOrEqual(m['objective.admm200'][0] * (1 + 1e-6));
    expect(m.neurons[0]).toBeGreaterThan(0);
    expect(r.assertions.find((a) => a.id === 'no-adam-beats')!.status).toBe('not judged');
  });
});
