// Recipe `checkpoint` in its quick budget: runs end to end, √n segments cut saved bytes, gradients agree.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe checkpoint (quick)', () => {
  it('runs and its mechanism holds; time is interleaved and reported per repetition, not judged', async () => {
    const r = await gl.recipes.runRecipe('checkpoint', { quick: true });
    expect(r.mode).toBe('quick');
    expect(r.provenance.seeds).toEqual([0]);
    expect(r.provenance.data).toEqual([]);
    expect(r.perSeed.reduction[0]).toBeGreaterThanOrEqual(4);
    expect(r.perSeed.maxAbsGradDiff[0]).toBeLessThanOrEqual(1e-6);
    const spread = r.details.timeSpread as { ratios: number[] }[];
    expect(spread[0].ratios).toHaveLength(3);
    expect((r.details.sqrtPeakHolders as unknown[]).length).toBeGreaterThan(0);
    expect(r.assertions.find((a) => a.id === 'time')!.status).toBe('not judged');
    const mechanism = r.assertions.filter((a) => a.kind === 'mechanism');
    expect(mechanism.length).toBeGreaterThan(0);
    expect(mechanism.every((a) => a.status === 'holds')).toBe(true);
    expect(r.verdict).toBe('mechanism checked');
    // the depth sweep: per-depth peaks and times, and the growth exponents
    expect(r.details.depths).toEqual([16, 64, 256]);
    for (const d of [16, 64, 256]) {
      expect(r.perSeed[`peak.sqrt.${d}`][0]).toBeLessThan(r.perSeed[`peak.plain.${d}`][0]);
      expect(r.perSeed[`ms.sqrt.${d}`]).toHaveLength(1);
    }
    expect(r.perSeed.slopeSqrt[0]).toBeGreaterThanOrEqual(0.35);
    expect(r.perSeed.slopeSqrt[0]).toBeLessThanOrEqual(0.65);
    expect(r.perSeed.slopePlain[0]).toBeGreaterThanOrEqual(0.9);
  });
});
