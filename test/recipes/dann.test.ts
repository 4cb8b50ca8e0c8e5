// Recipe `dann` (paper 07) in its quick budget: runs end to end and measures both arms of both tasks.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe dann (quick)', () => {
  it('measures source-only and DANN on the moons and the digits, with domain probes', async () => {
    const r = await gl.recipes.runRecipe('dann', { quick: true });
    const m = r.perSeed;
    for (const k of ['moons.nn', 'moons.dann', 'digits.sourceOnly', 'digits.dann'])
      for (const q of ['source', 'target', 'probe']) {
        expect(m[`${k}.${q}`][0]).toBeGreaterThanOrEqual(0);
        expect(m[`${k}.${q}`][0]).toBeLessThanOrEqual(1);
      }
    expect(m['moons.nn.source'][0]).toBeGreaterThan(0.8); // the source task is learnt even in the quick budget
    expect(m['moons.dann.domainLoss'][0]).toBeGreaterThan(0);
    expect(r.assertions.find((a) => a.id === 'moons-domain-confused')?.status).not.toBe('not judged');
  }, 120_000);
});
