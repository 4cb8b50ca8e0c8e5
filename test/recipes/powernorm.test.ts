// Recipe `powernorm` (paper 13) in its quick budget: runs on the embedded digits' CNN control; the PowerNorm LM's eval output is batch-independent.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe powernorm (quick)', () => {
  it('trains every norm arm and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('powernorm', { quick: true, data: 'embedded' });
    expect(r.details.norms).toEqual(['ln', 'bn', 'pn', 'pnPaper']);
    for (const k of ['ln', 'bn', 'pn', 'pnPaper'])
      expect(Number.isFinite(r.perSeed[`ce.${k}`][0])).toBe(true);
    // PowerNorm's ν was written by backward during training
    expect(r.perSeed['pn.nuAbsMean'][0]).toBeGreaterThan(0);
    expect(r.assertions.find((a) => a.id === 'pn-eval-batch-independent')!.status).toBe('holds');
    expect(r.assertions.find((a) => a.id === 'pn-vs-ln')!.status).toBe('not judged');
  });
});
