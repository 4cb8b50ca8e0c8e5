// Recipe `diffroar` (paper 25) in its quick budget: runs end to end and measures BlockMNIST leakage and DiffROAR for every arm and k.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe diffroar (quick)', () => {
  it('measures the signal-block fraction of both BlockMNIST models and DiffROAR for standard, robust and random attributions', async () => {
    const r = await gl.recipes.runRecipe('diffroar', { quick: true });
    const m = r.perSeed;
    for (const arm of ['standard', 'robust']) {
      expect(m[`block.signal.${arm}`][0]).toBeGreaterThan(0);
      expect(m[`block.signal.${arm}`][0]).toBeLessThanOrEqual(1);
    }
    for (const arm of ['standard', 'robust', 'random'])
      for (const k of [0.05, 0.1, 0.2, 0.4]) {
        expect(Math.abs(m[`diffroar.${arm}.${k}`][0])).toBeLessThanOrEqual(100);
      }
    expect(m['block.acc.standard'][0]).toBeGreaterThan(0.9);
  }, 180_000);
});
