// Recipe `grad-noise` (paper 20) in its quick budget: on the embedded digits, zero init stays at zero without noise and moves with it.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe grad-noise (quick)', () => {
  it('runs the init × η grid and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('grad-noise', { quick: true, data: 'embedded' });
    expect(r.details.etas).toEqual([0, 0.01, 1]);
    expect(r.assertions.find((a) => a.id === 'zero-init-stuck')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'noise-breaks-symmetry')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'weak-init-gain')!.status).toBe('not judged');
  });
});
