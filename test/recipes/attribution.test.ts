// Recipe `attribution` (paper 11): its helpers on hand-made inputs, and its quick run on the embedded digits.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { applyTags, onTag, planTags, tagSize } from '../../src/recipes/common/tagged-images.js';
import { hardVote, softVote } from '../../src/recipes/attribution-models.js';
import { deadPercent, tagMassFraction } from '../../src/recipes/attribution-measures.js';

describe('recipe attribution helpers', () => {
  it('plants the tag in the top-left corner of the planned images only', () => {
    expect(tagSize(28)).toBe(4);
    expect(tagSize(8)).toBe(2);
    const plan = planTags([3, 1, 3], { biasedClass: 3, pBiased: 1, pOther: 0, size: 2, value: 9, seed: 0 });
    expect(plan.tagged).toEqual([true, false, true]);
    const out = applyTags(new Float32Array(3 * 9), [3, 1, 3, 3], plan);
    // image 0: rows/cols 0..1 set; image 1 untouched
    expect(Array.from(out.subarray(0, 9))).toEqual([9, 9, 0, 9, 9, 0, 0, 0, 0]);
    expect(Array.from(out.subarray(9, 18))).toEqual(new Array(9).fill(0));
    expect([0, 1, 3, 4].every((p) => onTag(p, [1, 3, 3], 2))).toBe(true);
    expect([2, 5, 8].some((p) => onTag(p, [1, 3, 3], 2))).toBe(false);
  });

  it('measures tag mass, dead maps and both votes', () => {
    // one 1×3×3 image: |a| = 1 on each of the 4 tag pixels, 4 elsewhere → 4 / 8
    const a = [1, -1, 2, 1, 1, 2, 0, 0, 0];
    expect(tagMassFraction(a, [1, 3, 3], 2)).toBeCloseTo(0.5, 12);
    // 2 images, 2 channels of 2 pixels: channel 0 constant in both images (dead), channel 1 varies in image 1
    const v = Float32Array.from([0, 0, 1, 1, 5, 5, 0, 2]);
    expect(deadPercent(v, [2, 2], 2)).toBe(50);
    // three models, two classes: votes 2:1 for class 1, but class 0 has the larger mean probability
    const p = [Float64Array.from([0.45, 0.55]), Float64Array.from([0.45, 0.55]), Float64Array.from([1, 0])];
    expect(Array.from(hardVote(p, 2))).toEqual([1]);
    expect(Array.from(softVote(p, 2))).toEqual([0]);
  });
});

describe('recipe attribution (quick)', () => {
  it('runs on the embedded digits when MNIST-10k is missing, and the linear-model methods agree', async () => {
    const env = gl.recipes.DATA_MISSING_ENV;
    const before = process.env[env];
    process.env[env] = 'mnist-10k';
    const r = await gl.recipes.runRecipe('attribution', { quick: true }).finally(() => {
      if (before === undefined) delete process.env[env];
      else process.env[env] = before;
    });
    expect(r.details.shape).toEqual([1, 8, 8]);
    expect(r.details.tagSize).toBe(2);
    expect(r.provenance.data).toEqual([
      expect.objectContaining({ name: 'embedded', fallbackFor: 'mnist-10k' }),
    ]);
    expect(r.assertions.find((a) => a.id === 'linear-agreement')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'tag-mass-ig-resnet')!.status).toBe('not judged');
    for (const k of ['mlp', 'cnn', 'resnet']) {
      expect(r.perSeed[`tagged.${k}`][0]).toBeGreaterThan(0);
      const m = r.perSeed[`tagMass.ig.${k}`][0];
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThanOrEqual(1);
    }
    expect(r.perSeed['dead.cnn.relu1'][0]).toBeGreaterThanOrEqual(0);
  });
});
