// Recipe `ff` in its quick budget: runs end to end on the data it finds, FF's saved bytes stay one layer's.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe ff (quick)', () => {
  it('runs on the embedded digits and its mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('ff', { quick: true, data: 'embedded' });
    const m = r.perSeed;
    expect(r.details.inputSize).toBe(64);
    // one layer at a time: a third hidden layer does not add to the peak (BP's grows); two FF layers × (positive, negative) + the head = 5 walks
    expect(m.depthRatio[0]).toBeLessThanOrEqual(1.05);
    expect(m.depthRatioBp[0]).toBeGreaterThan(1.1);
    expect(m['backwardCalls.ff'][0]).toBe(5);
    expect(r.assertions.find((a) => a.id === 'one-layer')!.status).toBe('holds');
    for (const k of ['bp', 'ff', 'ffLast', 'ffHead', 'ffPermuted']) expect(m[`acc.${k}`]).toHaveLength(1);
    expect(r.assertions.find((a) => a.id === 'ff-accuracy')!.status).toBe('not judged');
  });
});
