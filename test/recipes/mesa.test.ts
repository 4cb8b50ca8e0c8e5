// Recipe `mesa` in its quick budget: runs end to end; 8-bit saved bytes ≤ 0.35× fp32, 16-bit ≈ 0.5×.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe mesa (quick)', () => {
  it('runs and its mechanism holds; the timeline says where the remaining bytes are', async () => {
    const r = await gl.recipes.runRecipe('mesa', { quick: true });
    const m = r.perSeed;
    expect(m.ratio8[0]).toBeLessThanOrEqual(0.35);
    expect(m.ratio16[0]).toBeGreaterThan(m.ratio8[0]);
    expect(m.ratio16[0]).toBeLessThan(0.6);
    expect(m['acc.plain']).toHaveLength(1);
    // the paper's grouping (G = heads) is the main arm; the finer per-channel one runs beside it
    expect(m['acc.mesa8ch']).toHaveLength(1);
    expect(m.ratio8ch[0]).toBeLessThanOrEqual(0.35);
    expect(m['gradError.mesa8'][0]).toBeGreaterThan(1e-5);
    for (const id of ['quantized', 'headwise', 'unbiased', 'unbiased-control'])
      expect(r.assertions.find((a) => a.id === id)!.status, id).toBe('holds');
    const rows = r.details.mesa8ByModule as { scope: string; atPeak: number }[];
    expect(rows.some((row) => row.scope.startsWith('vit/blocks') && row.atPeak > 0)).toBe(true);
    expect(r.assertions.find((a) => a.id === 'accuracy')!.status).toBe('not judged');
    expect(r.provenance.data[0].files.length).toBeGreaterThan(0);
    expect(r.verdict).toBe('mechanism checked');
  });
});
