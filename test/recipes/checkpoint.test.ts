// Recipe `checkpoint` in its quick budget: runs end to end, √n segments cut saved bytes, gradients agree.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe checkpoint (quick)', () => {
  it('runs and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('checkpoint', { quick: true });
    const m = r.measurements as { reduction: number; maxAbsGradDiff: number; sqrtPeakHolders: unknown[] };
    expect(m.reduction).toBeGreaterThanOrEqual(4);
    expect(m.maxAbsGradDiff).toBeLessThanOrEqual(1e-6);
    expect(m.sqrtPeakHolders.length).toBeGreaterThan(0);
    const mechanism = r.assertions.filter((a) => a.kind === 'mechanism');
    expect(mechanism.length).toBeGreaterThan(0);
    expect(mechanism.every((a) => a.passed)).toBe(true);
    expect(r.verdict).toBe('reproduced');
  });
});
