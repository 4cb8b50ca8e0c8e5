// Recipe `lst` in its quick budget: runs end to end on 28×28 and on 8×8 images (input size from the data);
// LST keeps less than full fine-tuning and LoRA.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const ARMS = ['full', 'adapter', 'lora', 'probe', 'lst', 'lst-pruned'];

describe('recipe lst (quick)', () => {
  it('runs all six arms and its memory mechanism holds on the resident-memory metric', async () => {
    const r = await gl.recipes.runRecipe('lst', { quick: true });
    const m = r.perSeed;
    for (const a of ARMS) expect(m[`acc.${a}`]).toHaveLength(1);
    const mem = (part: string, a: string) => m[`mem.${part}.${a}`][0];
    for (const a of ['lst', 'lst-pruned']) {
      expect(mem('total', a)).toBeLessThanOrEqual(0.5 * mem('total', 'full'));
      // nothing of the backbone is saved: LST keeps fewer activations than the arms that backpropagate through it
      for (const b of ['full', 'lora', 'adapter'])
        expect(mem('activations', a)).toBeLessThan(mem('activations', b));
    }
    expect(mem('total', 'probe')).toBeLessThan(mem('total', 'lst'));
    expect(r.assertions.find((x) => x.id === 'memory-vs-full')?.status).toBe('holds');
    // one metric for every arm: the frozen backbone's weights count in every arm alike
    for (const a of ARMS) expect(mem('weights', a)).toBeGreaterThanOrEqual(mem('weights', 'full'));
    for (const a of ARMS)
      expect(mem('total', a)).toBe(
        mem('weights', a) + mem('activations', a) + mem('gradients', a) + mem('optimizerState', a),
      );
    expect(m['trainableParams.lora'][0]).toBeLessThan(m['trainableParams.full'][0] / 10);
    expect(r.details.inputSize).toBe(784);
  });

  it('runs on the embedded 8×8 digits (64 inputs) and says the data is a fallback', async () => {
    const r = await gl.recipes.runRecipe('lst', { quick: true, data: 'embedded' });
    expect(r.details.inputSize).toBe(64);
    expect(r.provenance.data[0]).toMatchObject({ name: 'embedded', fallbackFor: 'fashion-mnist' });
    expect(r.provenance.command).toContain('--data embedded');
  });
});
