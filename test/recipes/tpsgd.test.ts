// Recipe `tpsgd` in its quick budget: every arm runs; tpSGD walks once per layer, the greedy schedule once per step.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe tpsgd (quick)', () => {
  it('runs on the embedded digits', async () => {
    const r = await gl.recipes.runRecipe('tpsgd', { quick: true, data: 'embedded' });
    const m = r.perSeed;
    expect(r.details.inputSize).toBe(64);
    for (const a of ['bp', 'tpsgd-simultaneous', 'tpsgd-greedy', 'shallow'])
      expect(m[`acc.${a}`]).toHaveLength(1);
    expect(m['walks.tpsgd-simultaneous'][0]).toBe(3);
    expect(m['walks.tpsgd-greedy'][0]).toBe(1);
    expect(m['saved.shallow'][0]).toBeLessThan(m['saved.tpsgd-simultaneous'][0]);
    expect(m['saved.tpsgd-simultaneous'][0]).toBeLessThan(m['saved.bp'][0]);
  });
});
