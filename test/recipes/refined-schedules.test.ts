// Recipe `refined-schedules` (paper 37) in its quick budget: every schedule tuned; the refined schedule warms up and anneals to 0.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe refined-schedules (quick)', () => {
  it('tunes every schedule and the refined schedule has its shape', async () => {
    const r = await gl.recipes.runRecipe('refined-schedules', { quick: true });
    expect(r.details.schedules).toEqual(['constant', 'invSqrt', 'cosine', 'linear', 'refined']);
    for (const id of ['refined-anneals-to-zero', 'refined-tail', 'refined-warmup'])
      expect(r.assertions.find((a) => a.id === id)!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'linear-vs-cosine')!.status).toBe('not judged');
  });
});
