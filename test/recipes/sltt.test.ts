// Recipe `sltt` in its quick budget: runs end to end on 28×28 and 8×8 images; SLTT's saved bytes do not grow
// with T and fall relative to BPTT as T grows; gradients at T = 6 stay aligned with BPTT's.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe sltt (quick)', () => {
  it('runs and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('sltt', { quick: true });
    const m = r.perSeed;
    expect(m['savedBytesT12.sltt'][0]).toBe(m['savedBytes.sltt'][0]);
    expect(m['savedBytesT12.bptt'][0]).toBeGreaterThan(1.5 * m['savedBytes.bptt'][0]);
    expect(m.ratioT12[0]).toBeLessThan(m.ratioT6[0]);
    expect(m.ratioT6WithoutLeaves[0]).toBeLessThan(m.ratioT6[0]);
    expect(m.cosineTau11[0]).toBeGreaterThan(0.9);
    for (const k of ['bptt', 'sltt', 'sltt-k']) expect(m[`acc.${k}`]).toHaveLength(1);
    expect(r.details.inputSize).toBe(784);
  });

  it('runs on the embedded 8×8 digits (64 inputs)', async () => {
    const r = await gl.recipes.runRecipe('sltt', { quick: true, data: 'embedded' });
    expect(r.details.inputSize).toBe(64);
    expect(r.perSeed['savedBytesT12.sltt'][0]).toBe(r.perSeed['savedBytes.sltt'][0]);
  });
});
