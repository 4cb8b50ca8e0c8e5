// Synthetic generators: the geometry of each set (checked with noise 0), label noise rates, seeding.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const D = gl.data;
const rows = (t: gl.Tensor): number[][] => t.toArray() as number[][];
const labels = (t: gl.Tensor): number[] => t.toArray() as number[];

describe('classification sets (noise 0)', () => {
  it('twoSpirals: angle = 2*pi*turns*r + class*pi (mod 2*pi), r in [0, 1], balanced', () => {
    const { x, y } = D.twoSpirals(200, { turns: 1.5, seed: 2 });
    expect(x.shape).toEqual([200, 2]);
    const ys = labels(y);
    expect(ys.filter((v) => v === 1).length).toBe(100);
    rows(x).forEach(([a, b], i) => {
      const r = Math.hypot(a, b);
      expect(r).toBeLessThanOrEqual(1 + 1e-6);
      if (r < 1e-3) return;
      const want = 2 * Math.PI * 1.5 * r + ys[i] * Math.PI;
      const diff = Math.atan2(b, a) - want;
      expect(Math.abs(Math.atan2(Math.sin(diff), Math.cos(diff)))).toBeLessThan(1e-4);
    });
  });

  it('moons: class 0 on the upper unit half circle, class 1 on the shifted lower one', () => {
    const { x, y } = D.moons(100, { seed: 0 });
    const ys = labels(y);
    rows(x).forEach(([a, b], i) => {
      if (ys[i] === 0) {
        expect(Math.hypot(a, b)).toBeCloseTo(1, 5);
        expect(b).toBeGreaterThanOrEqual(-1e-6);
      } else {
        expect(Math.hypot(a - 1, b - 0.5)).toBeCloseTo(1, 5);
        expect(b).toBeLessThanOrEqual(0.5 + 1e-6);
      }
    });
  });

  it('circles: radius 1 for class 0 and factor for class 1', () => {
    const { x, y } = D.circles(60, { factor: 0.3, seed: 4 });
    const ys = labels(y);
    rows(x).forEach(([a, b], i) => expect(Math.hypot(a, b)).toBeCloseTo(ys[i] === 0 ? 1 : 0.3, 5));
  });

  it('blobs: points lie near their own center', () => {
    const { x, y, centers } = D.blobs(90, { centers: 3, std: 0.01, seed: 5 });
    expect(centers.length).toBe(3);
    const ys = labels(y);
    rows(x).forEach(([a, b], i) => {
      const [cx, cy] = centers[ys[i]];
      expect(Math.hypot(a - cx, b - cy)).toBeLessThan(0.1);
    });
    const given = D.blobs(4, { centers: [[0, 0, 0]], std: 0, seed: 0 });
    expect(rows(given.x)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('xorClusters: label = signs differ; labelNoise flips about that fraction', () => {
    const clean = D.xorClusters(400, { noise: 0.1, seed: 1 });
    const ys = labels(clean.y);
    rows(clean.x).forEach(([a, b], i) => expect(ys[i]).toBe(a * b < 0 ? 1 : 0));
    const noisy = D.xorClusters(4000, { noise: 0.1, labelNoise: 0.2, seed: 1 });
    const ny = labels(noisy.y);
    const flipped = rows(noisy.x).filter(([a, b], i) => ny[i] !== (a * b < 0 ? 1 : 0)).length / 4000;
    expect(flipped).toBeGreaterThan(0.17);
    expect(flipped).toBeLessThan(0.23);
  });
});

describe('regression and sequences', () => {
  it('linearRegression with noise 0 is exactly x.w + b', () => {
    const { x, y, weights, bias } = D.linearRegression(50, { dim: 3, noise: 0, seed: 3 });
    expect(weights.length).toBe(3);
    const ys = rows(y);
    rows(x).forEach((r, i) =>
      expect(ys[i][0]).toBeCloseTo(r[0] * weights[0] + r[1] * weights[1] + r[2] * weights[2] + bias, 4),
    );
    const fixed = D.linearRegression(5, { weights: [2], bias: -1, noise: 0 });
    rows(fixed.x).forEach((r, i) => expect(rows(fixed.y)[i][0]).toBeCloseTo(2 * r[0] - 1, 5));
  });

  it('polynomialRegression with noise 0 evaluates the polynomial on [-1, 1]', () => {
    const { x, y } = D.polynomialRegression(40, { coefficients: [1, -2, 0, 3], noise: 0, seed: 0 });
    const ys = rows(y);
    rows(x).forEach(([v], i) => {
      expect(Math.abs(v)).toBeLessThanOrEqual(1);
      expect(ys[i][0]).toBeCloseTo(1 - 2 * v + 3 * v ** 3, 4);
    });
  });

  it('randomSequences: reverse, sort and sum-mod targets', () => {
    const r = D.randomSequences(20, { length: 6, vocabSize: 5, task: 'reverse', seed: 9 });
    const xs = rows(r.x);
    expect(xs.flat().every((v) => v >= 0 && v < 5)).toBe(true);
    expect(rows(r.y)).toEqual(xs.map((s) => [...s].reverse()));
    const s = D.randomSequences(20, { length: 6, vocabSize: 5, task: 'sort', seed: 9 });
    expect(rows(s.y)).toEqual(xs.map((q) => [...q].sort((a, b) => a - b)));
    const m = D.randomSequences(20, { length: 6, vocabSize: 5, task: 'sum-mod', seed: 9 });
    expect(labels(m.y)).toEqual(xs.map((q) => q.reduce((a, b) => a + b, 0) % 5));
    expect(() => D.randomSequences(2, { task: 'shuffle' as never })).toThrow(gl.ArgumentError);
  });
});

describe('seeding', () => {
  it('same seed, same data; another seed or an advanced generator, other data', () => {
    const a = D.moons(30, { noise: 0.1, seed: 11 });
    const b = D.moons(30, { noise: 0.1, seed: 11 });
    const c = D.moons(30, { noise: 0.1, seed: 12 });
    expect(rows(a.x)).toEqual(rows(b.x));
    expect(rows(a.x)).not.toEqual(rows(c.x));
    const g = new gl.Generator(11);
    const g1 = rows(D.moons(30, { noise: 0.1, generator: g }).x);
    expect(g1).toEqual(rows(a.x));
    expect(rows(D.moons(30, { noise: 0.1, generator: g }).x)).not.toEqual(g1);
  });

  it('rejects bad sizes', () => {
    expect(() => D.moons(0)).toThrow(/n must be a positive integer/);
    expect(() => D.circles(10, { factor: 2 })).toThrow(/factor must be in \(0, 1\)/);
  });
});
