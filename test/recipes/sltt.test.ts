// Recipe `sltt` in its quick budget: runs end to end; SLTT's saved bytes do not grow with T and fall
// relative to BPTT as T grows; gradients at T = 6 stay aligned with BPTT's.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe sltt (quick)', () => {
  it('runs and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('sltt', { quick: true });
    const m = r.measurements as {
      savedBytes: { bptt: number; sltt: number };
      savedBytesT12: { bptt: number; sltt: number };
      ratioT6: number;
      ratioT12: number;
      ratioT6WithoutLeaves: number;
      cosineTau11: number;
      acc: Record<string, number[]>;
    };
    expect(m.savedBytesT12.sltt).toBe(m.savedBytes.sltt);
    expect(m.savedBytesT12.bptt).toBeGreaterThan(1.5 * m.savedBytes.bptt);
    expect(m.ratioT12).toBeLessThan(m.ratioT6);
    expect(m.ratioT6WithoutLeaves).toBeLessThan(m.ratioT6);
    expect(m.cosineTau11).toBeGreaterThan(0.9);
    expect(Object.keys(m.acc)).toEqual(['bptt', 'sltt', 'sltt-k']);
  });
});
