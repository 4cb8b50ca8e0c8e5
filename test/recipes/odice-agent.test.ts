// ODICE's update (paper 35): the projected part is orthogonal to g_f and the update equals the code's (1 − c)g_f + g_b; f* values.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { fStar, odiceGradient } from '../../src/recipes/odice-agent.js';

describe('odiceGradient', () => {
  it('g − g_f ⟂ g_f (|cos| < 1e-6) and g = (1 − c)g_f + g_b to 1e-7 (float64, lists of tensors)', () => {
    gl.manualSeed(3);
    const gf = [gl.randn([4, 3]).double(), gl.randn([5]).double()];
    const gb = [gl.randn([4, 3]).double().sub(gf[0].mul(0.7)), gl.randn([5]).double()];
    const g = odiceGradient(gf, gb);
    const dot = (a: gl.Tensor[], b: gl.Tensor[]) => a.reduce((s, t, i) => s + t.mul(b[i]).sum().item(), 0);
    const perp = g.map((t, i) => t.sub(gf[i]));
    const cos = dot(gf, perp) / Math.sqrt(dot(gf, gf) * dot(perp, perp));
    expect(Math.abs(cos)).toBeLessThan(1e-6);
    const c = dot(gf, gb) / Math.max(dot(gf, gf), 1e-10);
    expect(c).toBeLessThan(0); // the two gradients conflict in this case
    g.forEach((t, i) => {
      const want = gf[i].mul(1 - c).add(gb[i]);
      expect(gl.sub(t, want).abs().max().item()).toBeLessThan(1e-7);
    });
  });

  it('fStar is the Pearson χ² conjugate δω − (ω − 1)², ω = max(δ/2 + 1, 0)', () => {
    const d = [-3, -2, -0.5, 0, 1.5];
    const got = fStar(gl.tensor(d).double()).toArray() as number[];
    d.forEach((v, i) => {
      const w = Math.max(v / 2 + 1, 0);
      expect(got[i]).toBeCloseTo(v * w - (w - 1) ** 2, 12);
    });
  });
});
