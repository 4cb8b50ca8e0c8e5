// Recipe `mesa` in its quick budget: runs end to end; 8-bit saved bytes ≤ 0.35× fp32, 16-bit ≈ 0.5×.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe mesa (quick)', () => {
  it('runs and its mechanism holds; the timeline says where the remaining bytes are', async () => {
    const r = await gl.recipes.runRecipe('mesa', { quick: true });
    const m = r.measurements as {
      ratio8: number;
      ratio16: number;
      accPlain: number[];
      mesa8ByModule: { scope: string; atPeak: number }[];
    };
    expect(m.ratio8).toBeLessThanOrEqual(0.35);
    expect(m.ratio16).toBeGreaterThan(m.ratio8);
    expect(m.ratio16).toBeLessThan(0.6);
    expect(m.accPlain).toHaveLength(1);
    expect(m.mesa8ByModule.some((row) => row.scope.startsWith('vit/blocks') && row.atPeak > 0)).toBe(true);
    expect(r.assertions.find((a) => a.id === 'accuracy')!.checked).toBe(false);
    expect(r.verdict).toBe('reproduced');
  });
});
