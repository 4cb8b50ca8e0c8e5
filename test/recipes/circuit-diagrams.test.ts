// Recipe `circuit-diagrams` (paper 14) in its quick budget: runs end to end and every mechanism assertion holds.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe circuit-diagrams (quick)', () => {
  it('FLOP ratios, saved bytes vs depth/batch/n, savedResiduals equality and the SVG check hold', async () => {
    const r = await gl.recipes.runRecipe('circuit-diagrams', { quick: true });
    expect(r.mode).toBe('quick');
    expect(r.provenance.data).toEqual([]);
    const mechanism = r.assertions.filter((a) => a.kind === 'mechanism');
    expect(mechanism.length).toBeGreaterThan(0);
    expect(mechanism.filter((a) => a.status !== 'holds').map((a) => a.id)).toEqual([]);
    expect(r.assertions.find((a) => a.id === 'time-ratio-low')!.status).toBe('not judged');
    expect(r.verdict).toBe('mechanism checked');
  });
});
