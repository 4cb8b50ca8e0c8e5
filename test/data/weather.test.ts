// Weather pairs (paper 04's analogue): labels cycle rain/haze/snow, haze is the exact affine map, rain and snow only brighten.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('weatherPairs', () => {
  it('haze is x·t + A(1 − t) with t ∈ [0.4, 0.7], A ∈ [0.7, 0.9]; rain and snow add bright pixels; clean is the input', () => {
    gl.manualSeed(0);
    const x = gl.rand([6, 1, 12, 12]).mul(0.3);
    const { corrupted, clean, weather } = gl.data.weatherPairs(x, { seed: 2 });
    expect(weather.toArray()).toEqual([0, 1, 2, 0, 1, 2]);
    expect(gl.data.WEATHERS[1]).toBe('haze');
    expect(gl.sub(clean, x).abs().max().item()).toBe(0);
    const X = x.dataSync();
    const C = corrupted.dataSync();
    const px = 144;
    for (let k = 0; k < 6; k++) {
      const a = X.subarray(k * px, (k + 1) * px);
      const b = C.subarray(k * px, (k + 1) * px);
      if (k % 3 === 1) {
        // two pixels determine t and A; every pixel must follow them
        const t = (b[1] - b[0]) / (a[1] - a[0]);
        const A = (b[0] - a[0] * t) / (1 - t);
        expect(t).toBeGreaterThanOrEqual(0.4 - 1e-4);
        expect(t).toBeLessThanOrEqual(0.7 + 1e-4);
        expect(A).toBeGreaterThanOrEqual(0.7 - 1e-3);
        expect(A).toBeLessThanOrEqual(0.9 + 1e-3);
        for (let i = 0; i < px; i++) expect(b[i]).toBeCloseTo(a[i] * t + A * (1 - t), 5);
      } else {
        let changed = 0;
        for (let i = 0; i < px; i++) {
          expect(b[i]).toBeGreaterThanOrEqual(a[i] - 1e-7);
          expect(b[i]).toBeLessThanOrEqual(1);
          if (b[i] > a[i] + 0.3) changed++;
        }
        expect(changed).toBeGreaterThan(5); // streaks / flakes of intensity ≥ 0.5 are present
      }
    }
  });

  it('bad input is an ArgumentError', () => {
    expect(() => gl.data.weatherPairs(gl.zeros([2, 3, 4, 4]))).toThrow(/grey images/);
    expect(() => gl.data.weatherPairs(gl.zeros([2, 1, 4, 4], { dtype: 'int32' }))).toThrow(gl.ArgumentError);
  });
});
