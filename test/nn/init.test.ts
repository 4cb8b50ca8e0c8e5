// nn.init: gains and fans against PyTorch (fixture), sample statistics of every scheme (seeded,
// tolerances stated per check), orthogonality, seeding, in-place behaviour and errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const { init } = gl.nn;

const ref = JSON.parse(readFileSync(new URL('../fixtures/torch/nn.json', import.meta.url), 'utf8')).init as {
  gains: [gl.nn.init.Nonlinearity, number | null, number][];
  fans: [number[], [number, number]][];
};

/** Sample mean and variance in float64. */
function stats(t: gl.Tensor): { mean: number; variance: number; min: number; max: number } {
  const d = Float64Array.from(t.dataSync());
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of d) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / d.length;
  let q = 0;
  for (const v of d) q += (v - mean) ** 2;
  return { mean, variance: q / d.length, min, max };
}

// With n samples the standard error of the mean is sd/sqrt(n) and the relative standard error of
// the variance about sqrt(2/n) (normal) or sqrt(0.8/n) (uniform): 1.1% for the smallest tensor
// used here (n = 16384). The checks allow 5 standard errors of the mean and 4.5% on the variance.
const SHAPE = [256, 256];

function expectMoments(t: gl.Tensor, mean: number, variance: number): void {
  const s = stats(t);
  expect(Math.abs(s.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / t.numel));
  expect(Math.abs(s.variance / variance - 1)).toBeLessThan(0.045);
}

describe('gains and fans match PyTorch', () => {
  it('calculateGain equals torch.nn.init.calculate_gain', () => {
    for (const [name, param, gain] of ref.gains)
      expect(init.calculateGain(name, param ?? undefined)).toBeCloseTo(gain, 12);
  });
  it('calculateFanInAndFanOut equals torch', () => {
    for (const [shape, [fanIn, fanOut]] of ref.fans)
      expect(init.calculateFanInAndFanOut(gl.zeros(shape))).toEqual({ fanIn, fanOut });
  });
});

describe('distributions', () => {
  const g = () => new gl.Generator(7);
  it('uniform(a, b): bounds, mean (a+b)/2, variance (b-a)^2/12', () => {
    const t = init.uniform(gl.zeros(SHAPE), -2, 1, { generator: g() });
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(1);
    expectMoments(t, -0.5, 9 / 12);
  });
  it('normal(mean, std)', () => {
    expectMoments(init.normal(gl.zeros(SHAPE), 3, 0.5, { generator: g() }), 3, 0.25);
  });
  it('xavierUniform and xavierNormal: variance 2 gain^2 / (fanIn + fanOut)', () => {
    const shape = [128, 512];
    const v = (2 * 4) / (128 + 512);
    const u = init.xavierUniform(gl.zeros(shape), { gain: 2, generator: g() });
    const a = 2 * Math.sqrt(6 / 640);
    expect(stats(u).max).toBeLessThanOrEqual(a);
    expect(stats(u).min).toBeGreaterThanOrEqual(-a);
    expectMoments(u, 0, v);
    expectMoments(init.glorotNormal(gl.zeros(shape), { gain: 2, generator: g() }), 0, v);
  });
  it('kaimingUniform / kaimingNormal: variance gain^2 / fan, fanIn or fanOut', () => {
    const shape = [64, 16, 4, 4]; // fanIn 256, fanOut 1024
    const ku = init.kaimingUniform(gl.zeros(shape), { nonlinearity: 'relu', generator: g() });
    expect(stats(ku).max).toBeLessThanOrEqual(Math.sqrt(6 / 256));
    expectMoments(ku, 0, 2 / 256);
    expectMoments(
      init.heNormal(gl.zeros(shape), { mode: 'fanOut', nonlinearity: 'relu', generator: g() }),
      0,
      2 / 1024,
    );
    // default: leakyRelu with a = 0, i.e. gain sqrt(2)
    expectMoments(init.kaimingNormal(gl.zeros(shape), { generator: g() }), 0, 2 / 256);
    const a = 0.3;
    expectMoments(init.kaimingNormal(gl.zeros(shape), { a, generator: g() }), 0, 2 / (1 + a * a) / 256);
  });
  it('Linear and Conv2d default to U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (kaiming uniform, a = sqrt(5))', () => {
    gl.manualSeed(3);
    const fc = new gl.nn.Linear(256, 256);
    const b = 1 / 16;
    expect(stats(fc.weight).max).toBeLessThanOrEqual(b);
    expect(stats(fc.weight).min).toBeGreaterThanOrEqual(-b);
    expectMoments(fc.weight, 0, (b * b) / 3);
    const conv = new gl.nn.Conv2d(16, 256, 4); // fanIn 256
    expectMoments(conv.weight, 0, (b * b) / 3);
    expect(stats(conv.bias!).max).toBeLessThanOrEqual(b);
  });
  it('constant, zeros, ones', () => {
    const t = gl.randn([3, 4]);
    expect(stats(init.constant(t, 2.5))).toMatchObject({ min: 2.5, max: 2.5 });
    expect(stats(init.zeros(t))).toMatchObject({ min: 0, max: 0 });
    expect(stats(init.ones(t))).toMatchObject({ min: 1, max: 1 });
  });
});

describe('orthogonal', () => {
  function gram(t: gl.Tensor, rows: boolean): number[][] {
    const m = t.reshape([t.shape[0], -1]);
    return (rows ? gl.matmul(m, m.t()) : gl.matmul(m.t(), m)).toArray() as number[][];
  }
  function expectEye(m: number[][], scale: number): void {
    m.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(i === j ? scale : 0, 5)));
  }
  it('tall matrices have orthonormal columns, wide ones orthonormal rows, gain scales', () => {
    expectEye(
      gram(
        init.orthogonal(gl.zeros([7, 4], { dtype: 'float64' }), { generator: new gl.Generator(1) }),
        false,
      ),
      1,
    );
    expectEye(
      gram(init.orthogonal(gl.zeros([3, 8], { dtype: 'float64' }), { generator: new gl.Generator(1) }), true),
      1,
    );
    const w = init.orthogonal(gl.zeros([4, 2, 3]), { gain: 2, generator: new gl.Generator(2) });
    expectEye(gram(w, true), 4);
  });
});

describe('seeding and errors', () => {
  it('the same generator seed gives the same values; the default stream follows manualSeed', () => {
    const a = init.kaimingUniform(gl.zeros([5, 6]), { generator: new gl.Generator(11) });
    const b = init.kaimingUniform(gl.zeros([5, 6]), { generator: new gl.Generator(11) });
    const c = init.kaimingUniform(gl.zeros([5, 6]), { generator: new gl.Generator(12) });
    expect(a.toArray()).toEqual(b.toArray());
    expect(a.toArray()).not.toEqual(c.toArray());
    gl.manualSeed(5);
    const d = new gl.nn.Linear(4, 3).weight.toArray();
    gl.manualSeed(5);
    expect(new gl.nn.Linear(4, 3).weight.toArray()).toEqual(d);
  });
  it('works in place on parameters (no tape, same object)', () => {
    const fc = new gl.nn.Linear(3, 2);
    const w = fc.weight;
    expect(init.zeros(w)).toBe(w);
    expect(w.isLeaf && w.requiresGrad).toBe(true);
    expect(w.gradFn).toBeNull();
  });
  it('names bad input', () => {
    expect(() => init.xavierUniform(gl.zeros([5]))).toThrow(gl.ShapeError);
    expect(() => init.xavierUniform(gl.zeros([5]))).toThrow(/at least 2 dims, got \[5\]/);
    expect(() => init.normal(gl.zeros([2, 2], { dtype: 'int32' }))).toThrow(gl.DTypeError);
    expect(() => init.kaimingUniform(gl.zeros([2, 2]), { mode: 'fan_in' as any })).toThrow(
      /'fanIn' or 'fanOut'/,
    );
    expect(() => init.calculateGain('swish' as any)).toThrow(gl.ArgumentError);
  });
});
