// ODICE's update (paper 35): the projected part ⟂ g_f, the update equals the code's (1 − c)g_f + g_b; f* values; the true gradient's parts.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { diceGradientParts, fStar, odiceGradient, type DiceTerms } from '../../src/recipes/odice-agent.js';

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

describe('diceGradientParts', () => {
  // a tiny value net V(x) = tanh(x W1 + b1) w2 in float64, written with plain tensors
  gl.manualSeed(5);
  const W1 = gl.randn([2, 4]).double().mul(0.5).requiresGrad_();
  const b1 = gl.randn([4]).double().mul(0.1).requiresGrad_();
  const w2 = gl.randn([4, 1]).double().mul(0.3).requiresGrad_();
  const params = [W1, b1, w2];
  const V = (x: gl.Tensor) => gl.tanh(x.matmul(W1).add(b1)).matmul(w2).squeeze(1);
  const s = gl.randn([6, 2]).double();
  const s2 = s.add(gl.randn([6, 2]).double().mul(0.1));
  const r = gl.tensor([0, 1, 0, 1, 1, 0]).double();
  const gd = gl.full([6], 0.99).double();
  const terms = (): DiceTerms => {
    const v = V(s);
    const v2 = V(s2);
    // a target net that lags far above the online one: ODICE's target-side residual δ_b = r + γV(s′) − V̄(s) < −2
    return { v, v2, targetV: v.detach().add(10), targetV2: v2.detach().add(10), r, gd, lambda: 0.6, eta: 1 };
  };
  const flat = (g: gl.Tensor[]) => gl.cat(g.map((t) => t.reshape([-1])));

  it("'true': g_f + g_b is the true gradient of λE[f*(r + γV(s′) − V(s))] and g_b does not vanish when the target lags", () => {
    const t = terms();
    const [gf, gb] = diceGradientParts('true', t, params);
    const whole = gl.grad(
      [
        fStar(r.add(gd.mul(t.v2)).sub(t.v))
          .mean()
          .mul(0.6),
      ],
      params,
    ) as gl.Tensor[];
    expect(
      gl
        .sub(flat(gf).add(flat(gb)), flat(whole))
        .abs()
        .max()
        .item(),
    ).toBeLessThan(1e-12);
    expect(flat(gb).abs().max().item()).toBeGreaterThan(1e-3);
  });

  it("'orthogonal': ODICE's ∇L_b uses the target net's V̄(s), so with this lagging target it is exactly zero (ω* = 0)", () => {
    const [gf, gb] = diceGradientParts('orthogonal', terms(), params);
    expect(flat(gb).abs().max().item()).toBe(0);
    expect(flat(gf).abs().max().item()).toBeGreaterThan(1e-3);
  });
});
