// Recipe `lr-batch` (paper 44) in its quick budget: runs on the embedded digits; batch Hessians' λ_max exceeds the full one's.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe lr-batch (quick)', () => {
  it('runs on the embedded digits and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('lr-batch', { quick: true, data: 'embedded' });
    expect(r.details.sizes).toEqual([8, 16, 32, 64]);
    expect(r.perSeed['lambda.B8'][0]).toBeGreaterThan(0);
    expect(r.assertions.find((a) => a.id === 'batch-exceeds-full')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'fit-r2')!.status).toBe('not judged');
  });
});
