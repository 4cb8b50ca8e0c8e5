// Recipe `lst` in its quick budget: runs end to end on 28×28 and on 8×8 images (input size from the data);
// LST keeps less than full fine-tuning and LoRA.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const ARMS = ['full', 'lora', 'lst', 'probe'];

describe('recipe lst (quick)', () => {
  it('runs all four arms and its memory mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('lst', { quick: true });
    const m = r.perSeed;
    for (const a of ARMS) expect(m[`acc.${a}`]).toHaveLength(1);
    expect(m['trainingBytes.lst'][0]).toBeLessThanOrEqual(0.5 * m['trainingBytes.full'][0]);
    expect(m['trainingBytes.lst'][0]).toBeLessThanOrEqual(0.6 * m['trainingBytes.lora'][0]);
    expect(m['trainingBytes.probe'][0]).toBeLessThan(m['trainingBytes.lst'][0]);
    expect(m['trainableParams.lora'][0]).toBeLessThan(m['trainableParams.full'][0] / 10);
    expect(r.details.inputSize).toBe(784);
    expect(r.verdict).toBe('mechanism checked');
  });

  it('runs on the embedded 8×8 digits (64 inputs) and says the data is a fallback', async () => {
    const r = await gl.recipes.runRecipe('lst', { quick: true, data: 'embedded' });
    expect(r.details.inputSize).toBe(64);
    expect(r.provenance.data[0]).toMatchObject({ name: 'embedded', fallbackFor: 'fashion-mnist' });
    expect(r.provenance.command).toContain('--data embedded');
  });
});
