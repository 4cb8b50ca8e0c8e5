// Recipe `odice` (paper 35) in its quick budget: runs the three arms and checks the projection.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe odice (quick)', () => {
  it('measures the semi, true and orthogonal arms; the projected part is orthogonal', async () => {
    const r = await gl.recipes.runRecipe('odice', { quick: true });
    const m = r.perSeed;
    for (const arm of ['semi', 'true', 'orthogonal']) expect(m[`${arm}.return`][0]).toBeGreaterThanOrEqual(0);
    expect(m['orthogonal.maxPerpCos'][0]).toBeGreaterThan(0); // measured (not the default 0)
    expect(r.assertions.find((a) => a.id === 'projection-orthogonal')?.status).toBe('holds');
  }, 120_000);
});
