// Recipe `boundary-tilting` (paper 28) in its quick budget: the toy's exact equalities, Newton fits to ‖∇F‖ ≤ 1e-8, tilt rising with λ.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe boundary-tilting (quick)', () => {
  it('runs and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('boundary-tilting', { quick: true });
    const m = r.perSeed;
    expect(m['toy.accRange'][0]).toBe(0);
    expect(m['maxGrad.logistic'][0]).toBeLessThanOrEqual(1e-8);
    // λ → ∞ drives the logistic solution toward μ₊ − μ₋ (paper notes 28): cos θ grows toward 1
    expect(m['cos.logistic.1'][0]).toBeGreaterThan(m['cos.logistic.0.0001'][0]);
    expect(r.verdict).toBe('mechanism checked');
  }, 120_000);
});
