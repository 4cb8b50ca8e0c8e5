// Recipe `coherence` (paper 27) in its quick budget: runs on the embedded digits; real-label gradients are the more coherent.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe coherence (quick)', () => {
  it('runs on the embedded digits and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('coherence', { quick: true, data: 'embedded' });
    expect(r.details.steps).toBe(60);
    expect(r.details['seed0.coherence.real']).toHaveLength(4); // steps 0, 20, 40, 60
    for (const k of ['coh.real.peak', 'coh.random.peak']) {
      expect(r.perSeed[k][0]).toBeGreaterThan(0);
      expect(r.perSeed[k][0]).toBeLessThanOrEqual(200); // m-coherence ∈ [0, m]
    }
    expect(r.assertions.find((a) => a.id === 'coherence-real-above-random')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'm3-memorises-less')!.status).toBe('not judged');
  });
});
