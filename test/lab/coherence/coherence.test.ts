// gl.lab.coherence: m-coherence on cases with known values, M3 and winsorised means against hand results, per-example gradients against batch backward.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const C = gl.lab.coherence;

describe('gl.lab.coherence m-coherence', () => {
  it('is m for equal gradients, 1 for orthogonal ones of equal norm, 0 when they cancel', () => {
    expect(
      C.mCoherence([
        [1, 2],
        [1, 2],
        [1, 2],
      ]),
    ).toBeCloseTo(3, 12);
    expect(
      C.mCoherence([
        [2, 0, 0],
        [0, 2, 0],
        [0, 0, 2],
      ]),
    ).toBeCloseTo(1, 12);
    expect(
      C.mCoherence([
        [1, -1],
        [-1, 1],
      ]),
    ).toBe(0);
    // two gradients at 60°, unit norm: ‖mean‖² = (1 + 1 + 2·0.5)/4 = 0.75, mean ‖g‖² = 1 → 2·0.75
    expect(
      C.mCoherence([
        [1, 0],
        [0.5, Math.sqrt(3) / 2],
      ]),
    ).toBeCloseTo(1.5, 12);
  });

  it('the streaming accumulator equals the matrix form; bad input is named', () => {
    const acc = new C.CoherenceAccumulator();
    acc.add([1, 0]);
    acc.add([0.5, Math.sqrt(3) / 2]);
    expect(acc.count).toBe(2);
    expect(acc.mCoherence()).toBeCloseTo(1.5, 12);
    expect(() => acc.add([1])).toThrow(/equal lengths \(2\), got 1/);
    expect(() => new C.CoherenceAccumulator().alpha()).toThrow(/no gradients/);
  });
});

describe('gl.lab.coherence robust aggregators', () => {
  it('medianOfMeans: group means then the coordinate-wise median; resists one corrupted group', () => {
    const g = [
      [1, 10],
      [3, 10],
      [2, 20],
      [4, 20],
      [100, 30],
      [100, 30],
    ];
    // group means (2, 10), (3, 20), (100, 30) → median (3, 20)
    expect(Array.from(C.medianOfMeans(g, 3))).toEqual([3, 20]);
    // 2 groups: means (2, 13.33…), (68, 26.66…) → median = their average
    expect(C.medianOfMeans(g.slice(0, 5), 2)[0]).toBeCloseTo((2 + (2 + 4 + 100) / 3) / 2, 12);
  });

  it('winsorizedMean clips each coordinate to its c and 1 − c quantiles (linear interpolation)', () => {
    const g = [[0], [1], [2], [3], [100]];
    // quantiles 0.25 → 1, 0.75 → 3: clipped values 1, 1, 2, 3, 3 → mean 2
    expect(C.winsorizedMean(g, 0.25)[0]).toBeCloseTo(2, 12);
    expect(C.winsorizedMean(g, 0)[0]).toBeCloseTo(106 / 5, 12);
  });

  it('refuses bad input', () => {
    expect(() => C.medianOfMeans([], 3)).toThrow(/at least one gradient/);
    expect(() => C.medianOfMeans([[1], [2]], 3)).toThrow(/groups must be an integer in \[1, 2\]/);
    expect(() => C.winsorizedMean([[1], [1, 2]], 0.1)).toThrow(/gradient 1 has 2 entries, expected 1/);
    expect(() => C.winsorizedMean([[1]], 0.5)).toThrow(/c must be in \[0, 0.5\)/);
  });
});

describe('gl.lab.coherence per-example gradients', () => {
  it('their mean equals the gradient of the batch-mean loss (float64), and .grad is left untouched', async () => {
    gl.manualSeed(3);
    const model = new gl.nn.Sequential(new gl.nn.Linear(4, 5), new gl.nn.Tanh(), new gl.nn.Linear(5, 3)).to(
      'float64',
    );
    const x = gl.randn([6, 4], { dtype: 'float64' });
    const y = gl.tensor(new Int32Array([0, 2, 1, 1, 0, 2]));
    const per = await C.perExampleGradients(model, gl.crossEntropy, x, y);
    expect(per).toHaveLength(6);
    for (const p of model.parameters()) expect(p.grad).toBeNull();
    gl.crossEntropy(model.forward(x) as gl.Tensor, y).backward();
    const full = model.parameters().flatMap((p) => Array.from(p.grad!.dataSync() as Float64Array));
    const mean = full.map((_, j) => per.reduce((a, g) => a + g[j], 0) / per.length);
    full.forEach((v, j) => expect(Math.abs(mean[j] - v)).toBeLessThan(1e-12));
  });
});

describe('gl.lab.coherence tensor aggregators and the model probe', () => {
  it('medianOfMeansTensor / winsorizedMeanTensor equal the host forms on the flattened rows (float64)', () => {
    gl.manualSeed(5);
    const g = gl.randn([7, 2, 3], { dtype: 'float64' });
    const rows = Array.from({ length: 7 }, (_, i) => Array.from(g.select(0, i).reshape([6]).dataSync()));
    for (const groups of [1, 2, 3, 7]) {
      const t = Array.from(C.medianOfMeansTensor(g, groups).dataSync());
      const h = Array.from(C.medianOfMeans(rows, groups));
      t.forEach((v, j) => expect(Math.abs(v - h[j])).toBeLessThan(1e-12));
    }
    for (const c of [0, 0.1, 0.25]) {
      const w = C.winsorizedMeanTensor(g, c);
      expect(w.shape).toEqual([2, 3]);
      const h = Array.from(C.winsorizedMean(rows, c));
      Array.from(w.dataSync()).forEach((v, j) => expect(Math.abs(v - h[j])).toBeLessThan(1e-12));
    }
    expect(() => C.medianOfMeansTensor(g, 8)).toThrow(/groups must be an integer in \[1, 7\]/);
    expect(() => C.winsorizedMeanTensor(g, 0.5)).toThrow(/c must be in \[0, 0.5\)/);
    expect(() => C.winsorizedMeanTensor(gl.zeros([0, 2]), 0.1)).toThrow(/m ≥ 1 gradients, got shape \[0,2\]/);
  });

  it('modelCoherence (streamed, chunked) equals mCoherence of the stored per-example gradients', async () => {
    gl.manualSeed(4);
    const model = new gl.nn.Sequential(new gl.nn.Linear(4, 5), new gl.nn.ReLU(), new gl.nn.Linear(5, 3)).to(
      'float64',
    );
    const x = gl.randn([9, 4], { dtype: 'float64' });
    const y = gl.tensor(new Int32Array([0, 2, 1, 1, 0, 2, 2, 1, 0]));
    const ref = C.mCoherence(await C.perExampleGradients(model, gl.crossEntropy, x, y));
    const got = await C.modelCoherence(model, gl.crossEntropy, x, y, { chunkSize: 4 });
    expect(got.m).toBe(9);
    expect(Math.abs(got.mCoherence - ref)).toBeLessThan(1e-10);
    expect(got.alpha).toBeCloseTo(ref / 9, 12);
    const loss = (gl.crossEntropy(model.forward(x) as gl.Tensor, y).dataSync() as Float64Array)[0];
    expect(got.loss).toBeCloseTo(loss, 12);
    await expect(C.modelCoherence(model, gl.crossEntropy, x, y.narrow(0, 0, 3))).rejects.toThrow(
      /x has 9 examples but y has 3/,
    );
  });
});
