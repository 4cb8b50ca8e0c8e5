// gl.distributions draws: seeded and replayable, shapes as in PyTorch, moments within stated multiples of their standard
// error, the Normal's reparametrised gradient, and the named errors of bad arguments.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const D = gl.distributions;
/** Draws per moment check (10,000 for Gamma and Dirichlet, whose sampler runs 12 proposal rounds). */
const N = 20000;
const NG = 10000;
const f64 = (v: number[]) => gl.tensor(v, { dtype: 'float64' });
const arr = (t: gl.Tensor) => Array.from(t.dataSync());

/** Per-column sample mean and (biased) variance of draws [N, k]. */
function moments(x: gl.Tensor): { mean: number[]; variance: number[] } {
  return { mean: arr(gl.mean(x, 0)), variance: arr(gl.variance(x, 0, { correction: 0 })) };
}

/**
 * Tolerances: the sample mean within 5 standard errors (σ/√N); the sample variance within 5 standard errors of the
 * variance estimator, √((κ + 2)/N)·σ² with κ the excess kurtosis of the distribution (its known closed form).
 */
function expectMoments(x: gl.Tensor, mean: number[], variance: number[], excessKurtosis: number[]): void {
  const m = moments(x);
  const N = x.shape[0];
  mean.forEach((mu, i) =>
    expect(Math.abs(m.mean[i] - mu)).toBeLessThanOrEqual(5 * Math.sqrt(variance[i] / N)),
  );
  variance.forEach((v, i) =>
    expect(Math.abs(m.variance[i] - v)).toBeLessThanOrEqual(5 * Math.sqrt((excessKurtosis[i] + 2) / N) * v),
  );
}

describe('gl.distributions sampling', () => {
  it('Normal: shapes, moments, replay from a Generator', () => {
    const d = new D.Normal(f64([0.5, -2]), f64([1.5, 0.2]));
    const x = d.sample([N], { generator: new gl.Generator(7) });
    expect(x.shape).toEqual([N, 2]);
    expectMoments(x, [0.5, -2], [2.25, 0.04], [0, 0]);
    const again = d.sample([N], { generator: new gl.Generator(7) });
    expect(arr(again)).toEqual(arr(x));
    expect(x.requiresGrad).toBe(false);
  });

  it('Normal.rsample: the gradient flows to loc and scale (x = loc + scale·ε)', () => {
    const loc = gl.tensor([1, -1], { dtype: 'float64', requiresGrad: true });
    const scale = gl.tensor([2, 0.5], { dtype: 'float64', requiresGrad: true });
    const x = new D.Normal(loc, scale).rsample([5], { generator: new gl.Generator(3) });
    const [gLoc, gScale] = gl.grad(gl.sum(x), [loc, scale]);
    expect(arr(gLoc!)).toEqual([5, 5]);
    // d x / d scale = ε = (x − loc)/scale, summed over the 5 draws
    const eps = gl.sum(gl.div(gl.sub(x.detach(), loc.detach()), scale.detach()), 0);
    arr(gScale!).forEach((g, i) => expect(g).toBeCloseTo(arr(eps)[i], 12));
  });

  it('Bernoulli: 0/1 floats with mean p', () => {
    const p = [0.1, 0.3, 0.9];
    const x = new D.Bernoulli({ probs: f64(p) }).sample([N], { generator: new gl.Generator(1) });
    expect(x.dtype).toBe('float64');
    expect(arr(x).every((v) => v === 0 || v === 1)).toBe(true);
    const kurt = p.map((q) => (1 - 6 * q * (1 - q)) / (q * (1 - q)));
    expectMoments(
      x,
      p,
      p.map((q) => q * (1 - q)),
      kurt,
    );
  });

  it('Categorical: int32 classes with frequencies p (batched)', () => {
    const probs = [
      [0.1, 0.2, 0.7],
      [0.5, 0.5, 0],
    ];
    const d = new D.Categorical({ probs: gl.tensor(probs, { dtype: 'float64' }) });
    const x = d.sample([N], { generator: new gl.Generator(2) });
    expect(x.shape).toEqual([N, 2]);
    expect(x.dtype).toBe('int32');
    for (let b = 0; b < 2; b++)
      for (let k = 0; k < 3; k++) {
        const freq = arr(gl.mean(gl.cast(gl.eq(gl.select(x, 1, b), k), 'float64'))).at(0)!;
        const q = probs[b][k];
        expect(Math.abs(freq - q)).toBeLessThanOrEqual(5 * Math.sqrt((q * (1 - q)) / N) + 1e-12);
      }
  });

  it('Gamma: positive draws with mean α/β and variance α/β² (α below and above 1)', () => {
    const a = [0.3, 1, 4.5, 20];
    const b = [1, 2, 0.5, 3];
    const x = new D.Gamma(f64(a), f64(b)).sample([NG], { generator: new gl.Generator(4) });
    expect(x.shape).toEqual([NG, 4]);
    expect(arr(x).every((v) => v > 0 && Number.isFinite(v))).toBe(true);
    expectMoments(
      x,
      a.map((ai, i) => ai / b[i]),
      a.map((ai, i) => ai / (b[i] * b[i])),
      a.map((ai) => 6 / ai),
    );
  });

  it('Dirichlet: draws on the simplex with mean α/α₀ and variance of the Beta marginals', () => {
    const a = [0.5, 2, 5];
    const a0 = 7.5;
    const x = new D.Dirichlet(f64(a)).sample([NG], { generator: new gl.Generator(5) });
    expect(x.shape).toEqual([NG, 3]);
    arr(gl.sum(x, 1)).forEach((s) => expect(Math.abs(s - 1)).toBeLessThan(1e-12));
    // marginal k is Beta(αₖ, α₀ − αₖ); its excess kurtosis is the Beta's closed form
    const kurt = a.map((ak) => {
      const be = a0 - ak;
      return (
        (6 * ((ak - be) ** 2 * (ak + be + 1) - ak * be * (ak + be + 2))) /
        (ak * be * (ak + be + 2) * (ak + be + 3))
      );
    });
    expectMoments(
      x,
      a.map((ak) => ak / a0),
      a.map((ak) => (ak * (a0 - ak)) / (a0 * a0 * (a0 + 1))),
      kurt,
    );
  });

  it('replays: the same seed gives the same draws, another seed other draws', () => {
    const d = new D.Gamma(2, 1);
    const a = arr(d.sample([8], { generator: new gl.Generator(11) }));
    expect(arr(d.sample([8], { generator: new gl.Generator(11) }))).toEqual(a);
    expect(arr(d.sample([8], { generator: new gl.Generator(12) }))).not.toEqual(a);
    gl.manualSeed(5);
    const b = arr(d.sample([8]));
    gl.manualSeed(5);
    expect(arr(d.sample([8]))).toEqual(b);
  });
});

describe('gl.distributions argument errors', () => {
  it('parameters outside their constraints are DistributionValueErrors', () => {
    expect(() => new D.Normal(0, f64([1, -1]))).toThrow(D.DistributionValueError);
    expect(() => new D.Normal(0, 0)).toThrow(/scale must be positive/);
    expect(() => new D.Bernoulli({ probs: f64([0.5, 1.5]) })).toThrow(D.DistributionValueError);
    expect(() => new D.Gamma(-1, 1)).toThrow(/concentration must be positive/);
    expect(() => new D.Gamma(1, 0)).toThrow(/rate must be positive/);
    expect(() => new D.Dirichlet(f64([1, 0]))).toThrow(D.DistributionValueError);
    expect(() => new D.Categorical({ probs: f64([0.5, -0.1]) })).toThrow(D.DistributionValueError);
    // validateArgs: false skips the value checks, as PyTorch's validate_args=False
    expect(() => new D.Normal(0, -1, { validateArgs: false })).not.toThrow();
  });

  it('exactly one of probs and logits', () => {
    expect(() => new D.Bernoulli({} as gl.distributions.ProbsOrLogits)).toThrow(
      /exactly one of \{ probs \} or \{ logits \}, got neither/,
    );
    expect(
      () =>
        new D.Categorical({ probs: f64([1]), logits: f64([0]) } as unknown as gl.distributions.ProbsOrLogits),
    ).toThrow(/got both/);
  });

  it('rsample where there is no reparametrised sampler', () => {
    expect(() => new D.Bernoulli({ probs: 0.3 }).rsample()).toThrow(D.NotReparametrizableError);
    expect(() => new D.Categorical({ logits: f64([0, 1]) }).rsample()).toThrow(D.NotReparametrizableError);
  });

  it('shapes, dtypes and support of values', () => {
    expect(() => new D.Normal(gl.tensor([1], { dtype: 'int32' }), 1)).toThrow(gl.DTypeError);
    expect(() => new D.Normal(f64([0, 0]), f64([1, 1, 1]))).toThrow(gl.BroadcastError);
    expect(() => new D.Dirichlet(f64([1]))).toThrow(gl.ShapeError);
    expect(() => new D.Dirichlet(f64([1, 2])).logProb(f64([0.2, 0.3, 0.5]))).toThrow(gl.ShapeError);
    expect(() =>
      new D.Categorical({ logits: f64([0, 1]) }).logProb(gl.tensor([2], { dtype: 'int32' })),
    ).toThrow(/value must be an integer class in 0..1/);
    expect(() => new D.Bernoulli({ probs: 0.5 }).logProb(f64([0.5]))).toThrow(/value must be 0 or 1/);
    expect(() => new D.Gamma(1, 1).logProb(f64([-1]))).toThrow(/value must be positive/);
    expect(() => new D.Normal(0, 1).sample([-1])).toThrow(gl.ArgumentError);
  });
});
