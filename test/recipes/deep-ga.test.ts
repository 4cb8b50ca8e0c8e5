// Recipe `deep-ga` in its quick budget: every arm runs at the GA's episode budget; the mechanism checks hold.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe deep-ga (quick)', () => {
  it('runs GA, random search, ES and REINFORCE at equal episodes and checks genomes and lockstep', async () => {
    const r = await gl.recipes.runRecipe('deep-ga', { quick: true });
    expect(r.verdict).toBe('mechanism checked');
    const m = r.perSeed;
    const budget = m['ga.episodes'][0];
    expect(budget).toBe(3 * (16 + 3 * 3)); // 3 generations of 16 candidates and 3 elites × 3 episodes
    expect(m['rs.episodes'][0]).toBe(budget);
    expect(m['es.episodes'][0]).toBeLessThanOrEqual(budget);
    expect(m['reinforce.episodes'][0]).toBeLessThanOrEqual(budget);
    expect(m['ga.genomeLength'][0]).toBeLessThanOrEqual(4);
    for (const k of ['ga', 'rs', 'es', 'reinforce']) expect(m[`${k}.heldOut`][0]).toBeGreaterThan(0);
  });
});
