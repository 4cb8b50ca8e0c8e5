// Recipe `normgrad` (paper 26): the canvas builder and pointing game on hand-made inputs, and its quick run on the embedded digits.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { digitCanvas, inBox } from '../../src/recipes/common/digit-canvas.js';
import { pointingHits } from '../../src/recipes/normgrad-maps.js';

describe('recipe normgrad helpers', () => {
  it('places two digits of different classes without overlap and labels both', () => {
    // four 8×8 "digits" of classes 1, 1, 2, 3, every pixel 1
    const px = new Float32Array(4 * 64).fill(1);
    const c = digitCanvas(px, 8, [1, 1, 2, 3], 6, 0);
    expect(c.side).toBe(23);
    expect(c.digit).toBe(8);
    c.boxes.forEach((b, i) => {
      expect(b[0].cls).not.toBe(b[1].cls);
      expect(Math.abs(b[0].row - b[1].row) >= 8 || Math.abs(b[0].col - b[1].col) >= 8).toBe(true);
      const hot = Array.from(c.multiHot.subarray(i * 10, i * 10 + 10));
      expect(hot.reduce((a, v) => a + v, 0)).toBe(2);
      expect(hot[b[0].cls]).toBe(1);
      // the digit's pixels are on the canvas
      expect(c.pixels[i * 23 * 23 + b[1].row * 23 + b[1].col]).toBe(1);
    });
  });

  it('scores the pointing game on the argmax and the dilated box', () => {
    const side = 5;
    const maps = new Float32Array(2 * 25);
    maps[2 * 5 + 2] = 1; // image 0 peaks at (2, 2)
    maps[25 + 4 * 5 + 4] = 1; // image 1 peaks at (4, 4)
    const boxes = [
      { row: 0, col: 0 },
      { row: 0, col: 0 },
    ];
    expect(pointingHits(maps, side, boxes, 2, 1)).toBe(1); // (2, 2) is inside [0, 3) dilated; (4, 4) is not
    expect(inBox(4 * 5 + 4, 5, { row: 0, col: 0 }, 2, 3)).toBe(true);
  });
});

describe('recipe normgrad (quick)', () => {
  it('runs on the embedded digits when MNIST-10k is missing, and meta-saliency restores the weights', async () => {
    const env = gl.recipes.DATA_MISSING_ENV;
    const before = process.env[env];
    process.env[env] = 'mnist-10k';
    const r = await gl.recipes.runRecipe('normgrad', { quick: true }).finally(() => {
      if (before === undefined) delete process.env[env];
      else process.env[env] = before;
    });
    expect(r.details.side).toBe(23);
    expect(r.provenance.data).toEqual([
      expect.objectContaining({ name: 'embedded', fallbackFor: 'mnist-10k' }),
    ]);
    expect(r.assertions.find((a) => a.id === 'meta-restores-weights')!.status).toBe('holds');
    expect(Object.keys(r.perSeed).filter((k) => k.startsWith('grid.')).length).toBe(20);
    for (const k of Object.keys(r.perSeed).filter((k) => k.startsWith('pointing.'))) {
      expect(r.perSeed[k][0]).toBeGreaterThanOrEqual(0);
      expect(r.perSeed[k][0]).toBeLessThanOrEqual(1);
    }
  });
});
