// Recipe `opposing` (paper 30) in its quick budget: runs on the embedded digits; the warm-started sharpness probe tracks Lanczos.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe opposing (quick)', () => {
  it('runs on the embedded digits and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('opposing', { quick: true, data: 'embedded' });
    expect(r.perSeed.patched[0]).toBeGreaterThanOrEqual(4);
    expect(r.perSeed['sharpness.max'][0]).toBeGreaterThan(0);
    expect(r.assertions.find((a) => a.id === 'sharpness-probe')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'opposing-vs-control')!.status).toBe('not judged');
    expect(r.assertions.find((a) => a.id === 'top-delta-patch')!.status).toBe('not judged');
  });
});
