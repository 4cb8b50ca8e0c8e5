// Gradient reversal: identity forward, −λ × the plain gradient backward, λ settable per step; DANN's schedules.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('gradient reversal', () => {
  const gen = new gl.Generator(0);
  const x = gl.randn([3, 4], { dtype: 'float64', generator: gen });
  const w = gl.randn([4, 2], { dtype: 'float64', generator: gen });
  const head = (h: gl.Tensor) => gl.matmul(h.tanh(), w).sigmoid().sum();

  function gradOf(rev: ((h: gl.Tensor) => gl.Tensor) | null): number[] {
    const xl = x.detach().requiresGrad_();
    const h = xl.mul(2);
    const [g] = gl.grad([head(rev ? rev(h) : h)], [xl]);
    return Array.from(g!.dataSync());
  }

  it('gradReverse: forward is the identity, the gradient is −λ times the plain one', () => {
    expect(Array.from(gl.gradReverse(x, 0.3).dataSync())).toEqual(Array.from(x.dataSync()));
    const plain = gradOf(null);
    for (const lambda of [1, 0.3, 0, -2]) {
      const rev = gradOf((h) => gl.gradReverse(h, lambda));
      rev.forEach((v, i) => expect(v).toBeCloseTo(-lambda * plain[i], 14));
    }
  });

  it('GradientReversal: λ set per step changes the next backward', () => {
    const grl = new gl.nn.GradientReversal(0);
    const plain = gradOf(null);
    gradOf((h) => grl.forward(h)).forEach((v) => expect(Math.abs(v)).toBe(0));
    grl.setLambda(0.5);
    gradOf((h) => grl.forward(h)).forEach((v, i) => expect(v).toBeCloseTo(-0.5 * plain[i], 14));
    grl.lambda = 2;
    gradOf((h) => grl.forward(h)).forEach((v, i) => expect(v).toBeCloseTo(-2 * plain[i], 14));
  });

  it('reversed gradients are differentiable again: d²/dx² Σ GRL(x)³ = λ² × plain (one −λ from each path through GRL)', () => {
    const second = (lambda: number | null) => {
      const xl = gl.tensor([0.3, -0.7], { dtype: 'float64' }).requiresGrad_();
      const h = lambda === null ? xl : gl.gradReverse(xl, lambda);
      const [g] = gl.grad([h.pow(3).sum()], [xl], { createGraph: true });
      const [gg] = gl.grad([g!.sum()], [xl]);
      return Array.from(gg!.dataSync());
    };
    const p = second(null);
    second(0.5).forEach((v, i) => expect(v).toBeCloseTo(0.25 * p[i], 12));
    second(-2).forEach((v, i) => expect(v).toBeCloseTo(4 * p[i], 12));
  });

  it('bad λ is an ArgumentError', () => {
    expect(() => new gl.nn.GradientReversal(NaN)).toThrow(gl.ArgumentError);
    expect(() => gl.gradReverse(x, Infinity)).toThrow(/lambda must be a finite number/);
  });
});

describe("DANN's schedules", () => {
  it('λ_p = 2 / (1 + exp(−10 p)) − 1 equals tanh(5 p): 0 at the start, rising toward 1', () => {
    for (const p of [0, 0.1, 0.25, 0.5, 1]) expect(gl.nn.dannLambda(p)).toBeCloseTo(Math.tanh(5 * p), 14);
    expect(gl.nn.dannLambda(0)).toBe(0);
    expect(gl.nn.dannLambda(0.3, 4)).toBeCloseTo(Math.tanh(0.6), 14);
  });

  it('μ_p = μ₀ / (1 + 10 p)^0.75', () => {
    expect(gl.nn.dannLearningRate(0, 0.01)).toBe(0.01);
    expect(gl.nn.dannLearningRate(1, 0.01)).toBeCloseTo(0.01 / 11 ** 0.75, 15);
    expect(() => gl.nn.dannLambda(1.5)).toThrow(/progress must be a number in \[0, 1\]/);
  });
});
