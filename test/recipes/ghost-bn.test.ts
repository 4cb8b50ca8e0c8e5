// Recipe `ghost-bn` (paper 45) in its quick budget: runs on the embedded digits; the ghost-BN model equals BN per chunk.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe ghost-bn (quick)', () => {
  it('runs every arm and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('ghost-bn', { quick: true, data: 'embedded' });
    expect(r.details.arms).toEqual(['sb', 'lb', 'lbGbn', 'lbGbnRa']);
    // regime adaptation: as many updates as the small-batch run
    expect(r.perSeed['steps.lbGbnRa'][0]).toBe(r.perSeed['steps.sb'][0]);
    expect(r.assertions.find((a) => a.id === 'gbn-equals-chunked-bn')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'ra-closes-gap')!.status).toBe('not judged');
  });
});
