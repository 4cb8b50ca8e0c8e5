// Recipe `auglocal` in its quick budget: runs end to end; local blocks keep fewer saved bytes than BP, one walk per block.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe auglocal (quick)', () => {
  it('runs on the embedded digits and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('auglocal', { quick: true, data: 'embedded' });
    const m = r.perSeed;
    expect(r.details.inputSize).toBe(64);
    for (const a of ['bp', 'dgl', 'auglocal']) expect(m[`acc.${a}`]).toHaveLength(1);
    // 12 residual blocks + stem + head = 14 gradient-isolated blocks: one backward walk each
    expect(m['walks.dgl'][0]).toBe(14);
    expect(m['walks.auglocal'][0]).toBe(14);
    expect(m['walks.bp'][0]).toBe(1);
    expect(m['saved.dgl'][0]).toBeLessThan(m['saved.auglocal'][0]);
    expect(r.details.depths).toEqual(gl.rules.auglocalDepths(14, 3, 0.5));
    for (const id of ['saved-vs-bp', 'dgl-saved-vs-bp'])
      expect(r.assertions.find((a) => a.id === id)!.status, id).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'gap-closed')!.status).toBe('not judged');
  });
});
