// Two-domain generators: transMoons' centring, scaling and rotation, texturedDomain's |texture − digit| and its errors.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('transMoons', () => {
  it('source = 2(s − mean s), target = R(angle) · 2(t − mean s), from two draws of one stream', () => {
    const n = 40;
    const { source, target } = gl.data.transMoons(n, { angle: 35, noise: 0.05, seed: 3 });
    const gen = new gl.Generator(3);
    const s = gl.data.moons(n, { noise: 0.05, generator: gen });
    const t = gl.data.moons(n, { noise: 0.05, generator: gen });
    const S = s.x.toArray() as number[][];
    const T = t.x.toArray() as number[][];
    const m = [0, 1].map((j) => S.reduce((a, r) => a + r[j], 0) / n);
    const th = (35 * Math.PI) / 180;
    const xs = source.x.toArray() as number[][];
    const xt = target.x.toArray() as number[][];
    for (let i = 0; i < n; i++) {
      expect(xs[i][0]).toBeCloseTo(2 * (S[i][0] - m[0]), 5);
      expect(xs[i][1]).toBeCloseTo(2 * (S[i][1] - m[1]), 5);
      const u = 2 * (T[i][0] - m[0]);
      const v = 2 * (T[i][1] - m[1]);
      expect(xt[i][0]).toBeCloseTo(Math.cos(th) * u - Math.sin(th) * v, 5);
      expect(xt[i][1]).toBeCloseTo(Math.sin(th) * u + Math.cos(th) * v, 5);
    }
    expect(source.y.toArray()).toEqual(s.y.toArray());
    expect(target.y.toArray()).toEqual(t.y.toArray());
  });

  it('a non-finite angle is an ArgumentError', () => {
    expect(() => gl.data.transMoons(10, { angle: NaN })).toThrow(gl.ArgumentError);
  });
});

describe('texturedDomain and greyToRgb', () => {
  const grey = gl
    .tensor([0, 1, 0.25, 1, 0, 0.5, 1, 0, 0, 1, 1, 0, 0.75, 0, 1, 0, 1, 0], { dtype: 'float32' })
    .reshape([2, 1, 3, 3]);

  it('is |P − x| per channel with P the texture a black image gets, in [0, amplitude]', () => {
    const out = gl.data.texturedDomain(grey, { seed: 5 });
    const P = gl.data.texturedDomain(gl.zeros([2, 1, 3, 3]), { seed: 5 });
    expect(out.shape).toEqual([2, 3, 3, 3]);
    const p = P.dataSync();
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p)).toBeLessThanOrEqual(0.6);
    const want = gl.sub(P, grey.expand([2, 3, 3, 3])).abs();
    expect(gl.sub(out, want).abs().max().item()).toBeLessThan(1e-6);
    // each image and channel draws its own texture
    expect(
      gl
        .sub(P.narrow(0, 0, 1), P.narrow(0, 1, 1))
        .abs()
        .max()
        .item(),
    ).toBeGreaterThan(0.01);
    expect(
      gl
        .sub(P.narrow(1, 0, 1), P.narrow(1, 1, 1))
        .abs()
        .max()
        .item(),
    ).toBeGreaterThan(0.01);
    // another seed, another texture
    const other = gl.data.texturedDomain(gl.zeros([2, 1, 3, 3]), { seed: 6 });
    expect(gl.sub(P, other).abs().max().item()).toBeGreaterThan(0.01);
  });

  it('greyToRgb repeats the channel', () => {
    const rgb = gl.data.greyToRgb(grey);
    expect(rgb.shape).toEqual([2, 3, 3, 3]);
    for (let c = 0; c < 3; c++) expect(rgb.narrow(1, c, 1).toArray()).toEqual(grey.toArray());
  });

  it('bad input is an ArgumentError', () => {
    expect(() => gl.data.texturedDomain(gl.zeros([2, 3, 3, 3]))).toThrow(/grey images \[N, 1, H, W\]/);
    expect(() => gl.data.texturedDomain(gl.zeros([2, 1, 3, 3], { dtype: 'int32' }))).toThrow(
      gl.ArgumentError,
    );
    expect(() => gl.data.texturedDomain(grey, { amplitude: 0 })).toThrow(gl.ArgumentError);
    expect(() => gl.data.greyToRgb(gl.zeros([4, 4]))).toThrow(gl.ArgumentError);
  });
});
