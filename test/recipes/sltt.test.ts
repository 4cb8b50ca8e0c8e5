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
    // issue 14 finding 9: flat in T, K/T backward work, the detach matters and its control fails the check
    for (const t of [2, 4, 6, 12]) expect(m[`slttBytesT${t}`][0]).toBe(m['savedBytes.sltt'][0]);
    expect(m.workRatioK[0]).toBeCloseTo(2 / 6, 10);
    expect(m.cosineTau4[0]).toBeLessThan(0.99);
    expect(m.cosineNoDetachTau4[0]).toBeGreaterThan(0.99);
    for (const id of ['flat-in-T', 'work-k', 'detach-matters', 'detach-control'])
      expect(r.assertions.find((a) => a.id === id)!.status, id).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'time')!.status).toBe('not judged');
  });

  it('runs on the embedded 8×8 digits (64 inputs)', async () => {
    const r = await gl.recipes.runRecipe('sltt', { quick: true, data: 'embedded' });
    expect(r.details.inputSize).toBe(64);
    expect(r.perSeed['savedBytesT12.sltt'][0]).toBe(r.perSeed['savedBytes.sltt'][0]);
  });
});
