// Recipe `drtp` in its quick budget: runs end to end; DRTP in the forward pass gives the deferred update's accuracy.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe drtp (quick)', () => {
  it('runs on the embedded digits and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('drtp', { quick: true, data: 'embedded' });
    const m = r.perSeed;
    expect(r.details.inputSize).toBe(64);
    expect(r.assertions.find((a) => a.id === 'in-forward')!.status).toBe('holds');
    // in-forward: one walk per layer, each smaller than the deferred single walk
    expect(m['backwardCalls.drtpInForward'][0]).toBe(2);
    expect(m['backwardCalls.drtp'][0]).toBe(1);
    expect(m['largestOps.drtpInForward'][0]).toBeLessThan(m['largestOps.drtp'][0]);
    expect(r.assertions.find((a) => a.id === 'drtp-shallow')!.status).toBe('not judged');
  });
});
