// Recipe `condensation` (paper 36) in its quick budget: runs end to end, measures every arm on both variants, passes the double-backward gate.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe condensation (quick)', () => {
  it('runs random / DC / DCC on variants P and B and passes the engine gate', async () => {
    const r = await gl.recipes.runRecipe('condensation', { quick: true });
    const m = r.perSeed;
    for (const v of ['P', 'B'])
      for (const arm of ['random', 'dc', 'dcc']) {
        expect(m[`${v}.${arm}`][0]).toBeGreaterThanOrEqual(0);
        expect(m[`${v}.${arm}`][0]).toBeLessThanOrEqual(100);
      }
    expect(m['gate.relError'][0]).toBeLessThan(1e-3);
  }, 120_000);
});
