// gl.lab.info: entropies and mutual information on cases with known values, binning, the 12-bit task, gradient SNR, bad input.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const I = gl.lab.info;

describe('gl.lab.info mutual information', () => {
  it('entropy of uniform distributions is log2 of their size; a point mass has none', () => {
    expect(I.entropyBits([1, 1, 1, 1])).toBeCloseTo(2, 12);
    expect(I.entropyBits([5, 5])).toBeCloseTo(1, 12);
    expect(I.entropyBits([7])).toBe(0);
    expect(I.entropyBits([1, 3])).toBeCloseTo(-(0.25 * Math.log2(0.25) + 0.75 * Math.log2(0.75)), 12);
  });

  it('MI: a copy carries its entropy, independent variables none, a function of X its own entropy', () => {
    const x = Array.from({ length: 16 }, (_, i) => i);
    expect(I.discreteMI(x, x)).toBeCloseTo(4, 12);
    // the two coordinates of a 4×4 grid are independent under the uniform distribution
    expect(
      I.discreteMI(
        x.map((i) => i % 4),
        x.map((i) => Math.floor(i / 4)),
      ),
    ).toBeCloseTo(0, 12);
    // y = x mod 2: I(X; Y) = H(Y) = 1
    expect(
      I.discreteMI(
        x,
        x.map((i) => i % 2),
      ),
    ).toBeCloseTo(1, 12);
  });

  it('infoPoint: distinct rows give I(X;T) = log2 N and I(T;Y) = H(Y); one bin for all gives zeros; T = Y gives H(Y) twice', () => {
    const n = 8;
    const labels = [0, 0, 0, 1, 1, 1, 1, 1];
    const hy = I.entropyBits([3, 5]);
    const distinct = Array.from({ length: n }, (_, i) => -1 + (2 * i + 1) / n); // one value per bin with 8 bins
    expect(I.infoPoint(distinct, n, 1, labels, { bins: 8 })).toEqual({ ixt: 3, ity: expect.closeTo(hy, 12) });
    const same = I.infoPoint(new Array(n).fill(0.3), n, 1, labels, { bins: 8 });
    expect(same.ixt).toBe(0);
    expect(same.ity).toBe(0);
    const copy = I.infoPoint(
      labels.map((y) => (y ? 0.9 : -0.9)),
      n,
      1,
      labels,
      { bins: 30 },
    );
    expect(copy.ixt).toBeCloseTo(hy, 12);
    expect(copy.ity).toBeCloseTo(hy, 12);
  });

  it('binRows: equal-width bins over the range, outside values clamped, "max" bins over [0, max]', () => {
    expect(I.binRows([-1, -0.51, -0.49, 0, 0.99, 1, 5, -7], 8, 1, { bins: 4 })).toEqual([
      '0',
      '0',
      '1',
      '2',
      '3',
      '3',
      '3',
      '0',
    ]);
    expect(I.binRows([0, 1, 2, 4], 4, 1, { bins: 4, range: 'max' })).toEqual(['0', '1', '2', '3']);
    expect(I.binRows([0.1, 0.2, 0.9, -0.9], 2, 2, { bins: 2 })).toEqual(['1,1', '1,0']);
  });

  it('logSpacedEpochs starts at 1, ends at the last epoch, increases strictly', () => {
    const e = I.logSpacedEpochs(3000, 60);
    expect(e[0]).toBe(1);
    expect(e[e.length - 1]).toBe(3000);
    expect(e.every((v, i) => i === 0 || v > e[i - 1])).toBe(true);
  });
});

describe('gl.lab.info twelve-bit task and gradient SNR', () => {
  it('4096 distinct patterns, labels balanced and invariant under cyclic rotation of the bits', () => {
    const { x, y, rows, cols } = I.twelveBitTask();
    expect([rows, cols]).toEqual([4096, 12]);
    const ones = y.reduce((a, b) => a + b, 0);
    expect(Math.abs(ones / 4096 - 0.5)).toBeLessThan(0.01);
    const code = (i: number) =>
      Array.from(x.subarray(i * 12, i * 12 + 12)).reduce((a, b, j) => a + (b << j), 0);
    expect(new Set(Array.from({ length: rows }, (_, i) => code(i))).size).toBe(4096);
    for (let i = 0; i < rows; i += 37) {
      const rotated = ((i << 1) | (i >> 11)) & 0xfff;
      expect(y[rotated], `pattern ${i}`).toBe(y[i]);
    }
  });

  it('gradientSnr: equal gradients have no noise; opposite ones no signal; a known case', () => {
    expect(
      I.gradientSnr([
        [1, 2],
        [1, 2],
      ]).snr,
    ).toBe(Infinity);
    expect(
      I.gradientSnr([
        [1, -1],
        [-1, 1],
      ]).meanNorm,
    ).toBe(0);
    // mean (2, 0), sample sd per coordinate (√2, 0): snr = 2 / √2
    const r = I.gradientSnr([
      [1, 0],
      [3, 0],
    ]);
    expect(r.snr).toBeCloseTo(Math.SQRT2, 12);
  });

  it('bad input names what was expected', () => {
    expect(() => I.discreteMI([1, 2], [1])).toThrow(/paired samples, got 2 and 1/);
    expect(() => I.binRows([1, 2, 3], 2, 2)).toThrow(/expected 2×2 = 4 values, got 3/);
    expect(() => I.binRows([1], 1, 1, { bins: 0 })).toThrow(/bins must be a positive integer/);
    expect(() => I.infoPoint([1, 2], 2, 1, [0])).toThrow(/one label per row \(2\), got 1/);
    expect(() => I.gradientSnr([[1]])).toThrow(/at least 2 gradients/);
    expect(() => I.logSpacedEpochs(0, 3)).toThrow(gl.ArgumentError);
  });
});
