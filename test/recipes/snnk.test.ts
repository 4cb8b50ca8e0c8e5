// Recipe `snnk` in its quick budget: runs end to end; kernel errors fall with m, the SNNK layer has 4× fewer first-layer
// weights, the bundled closed form beats chance.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe snnk (quick)', () => {
  it('runs and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('snnk', { quick: true });
    const m = r.perSeed;
    for (const k of ['cos', 'exp'])
      expect(m[`err.${k}.gaussian.m1024`][0]).toBeLessThan(m[`err.${k}.gaussian.m16`][0]);
    const p = r.details.firstLayerParams as { mlp: number; snnk: number };
    expect(p.mlp / p.snnk).toBeGreaterThan(4);
    expect(m['acc.bundled'][0]).toBeGreaterThan(0.5); // 10 classes: chance 0.1
    expect(r.verdict).toBe('mechanism checked');
  });
});
