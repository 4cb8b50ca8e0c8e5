// Recipe `phyff` in its quick budget: every arm runs, no backward walk reaches a physical layer, the drift test runs.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('recipe phyff (quick)', () => {
  it('runs on the embedded digits; zero backward walks into the black boxes', async () => {
    const r = await gl.recipes.runRecipe('phyff', { quick: true, data: 'embedded' });
    const m = r.perSeed;
    expect(r.details.inputFeatures).toBe(64);
    for (const a of ['phyff2', 'phyff1', 'elm', 'bp-exact-twin', 'bp-mismatched-twin'])
      expect(m[`acc.${a}`]).toHaveLength(1);
    expect(m.boxBackwardAttempts[0]).toBe(0);
    expect(m.boxCalls[0]).toBeGreaterThan(0);
    // PhyFF: layers × inner steps walks per batch; the twin arms one walk (through the twins, never the boxes)
    expect(m['walks.phyff2'][0]).toBe(10);
    expect(m['walks.phyff1'][0]).toBe(5);
    expect(m['walks.bp-exact-twin'][0]).toBe(1);
    for (const k of ['acc.drift.before', 'acc.drift.after', 'acc.drift.recovered'])
      expect(m[k]).toHaveLength(1);
    expect(r.assertions.find((a) => a.id === 'zero-backward')!.status).toBe('holds');
  });

  it('a twin-backed physical layer: physical values forward, the twin gradient backward', async () => {
    const { physicalSystem, physicalForward, physicsForward, TwinBackedPhysics } =
      await import('../../src/recipes/phyff-physics.js');
    const sys = physicalSystem(3, 2, 5);
    const layer = new TwinBackedPhysics(physicalForward(sys, new gl.Generator(1), 0), sys.M, 2);
    const x = gl.tensor([[0.5, -1, 2]], { requiresGrad: true });
    const w = gl.tensor([[1, -2]]);
    const [g] = gl.grad(gl.sum(gl.mul(layer.forward(x), w)), [x]).map((g) => g!);
    const x2 = gl.tensor([[0.5, -1, 2]], { requiresGrad: true });
    const [want] = gl.grad(gl.sum(gl.mul(physicsForward(x2, sys.M, 2), w)), [x2]).map((g) => g!);
    expect(gl.max(gl.abs(gl.sub(g, want))).item()).toBeLessThan(1e-6);
  });
});
