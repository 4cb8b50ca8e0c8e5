// Mesa mechanism checks: (c) head-wise vs one group, (d) rounding bias with its control, gradient error of a policy (0 for a no-op), fitGroups.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const M = gl.lab.memory;

describe('Mesa mechanism checks', () => {
  it('(c) head-wise groups give ≤ 0.7× the gradient error of one group when head scales differ 10×', () => {
    const r = M.headwiseVsOneGroup(2);
    expect(r.perHead).toBeGreaterThan(0);
    expect(r.ratio).toBeLessThanOrEqual(0.7);
  });

  it('(d) stochastic rounding: bias < 0.05 LSB over 2,000 draws; round to nearest fails the same check', () => {
    expect(M.roundingBias({ stochastic: true })).toBeLessThan(0.05);
    expect(M.roundingBias({ stochastic: false })).toBeGreaterThan(0.05);
  });

  it('policyGradientError is exactly 0 for a no-op policy and positive for 8-bit Mesa', () => {
    gl.manualSeed(4);
    const lin = new gl.nn.Linear(16, 16);
    const x = gl.randn([32, 16]);
    const step = () => lin.forward(x).tanh().mul(lin.forward(x)).sum();
    const noop = { pack: (t: gl.Tensor) => t, unpack: (p: unknown) => p as gl.Tensor };
    expect(M.policyGradientError(step, lin.parameters(), noop)).toBe(0);
    const e = M.policyGradientError(step, lin.parameters(), M.mesa({ seed: 1 }));
    expect(e).toBeGreaterThan(1e-5);
    expect(e).toBeLessThan(0.05);
  });

  it('fitGroups: 4 groups on a width-10 tensor fall back to gcd(4, 10) = 2; without it they throw', () => {
    const x = gl.randn([8, 10]).requiresGrad_().mul(1);
    const fit = M.mesa({ groups: 4, fitGroups: true });
    const p = fit.run(() => fit.pack(x)) as { scale: Float32Array };
    expect(p.scale).toHaveLength(2);
    const strict = M.mesa({ groups: 4 });
    expect(() => strict.run(() => strict.pack(x))).toThrow(/do not divide/);
  });
});
