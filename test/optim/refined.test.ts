// Refined schedules (paper 37): the median filter against a brute-force window median; refinedSchedule's closed form, linear-decay limit and warm-up shape.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

/** SciPy's median_filter(mode='nearest') written out: sort each window. */
function bruteMedian(x: number[], w: number): number[] {
  const h = (w - 1) / 2;
  return x.map((_, i) => {
    const win = Array.from({ length: w }, (_, k) => x[Math.min(x.length - 1, Math.max(0, i - h + k))]).sort(
      (a, b) => a - b,
    );
    return win[h];
  });
}

describe('refined schedules', () => {
  it('medianFilter1d equals the window median with nearest-value edges', () => {
    gl.manualSeed(1);
    const x = Array.from(gl.randn([57], { dtype: 'float64' }).dataSync());
    for (const w of [1, 3, 7, 21]) expect(gl.optim.medianFilter1d(x, w)).toEqual(bruteMedian(x, w));
    expect(() => gl.optim.medianFilter1d(x, 4)).toThrow(/odd/);
  });

  it('constant gradient norms give linear decay ∝ T − 1 − t', () => {
    const T = 50;
    const f = gl.optim.refinedSchedule(new Array<number>(T).fill(2.5), { nvals: 200 });
    f.forEach((v, t) => expect(v).toBeCloseTo((T - 1 - t) / (T - 1), 12));
  });

  it('without filtering or resampling it is w_t Σ_{p>t} w_p / max, w = G⁻² (ℓ₂) or G⁻¹ (ℓ₁)', () => {
    const G = [5, 4, 3, 2.5, 2, 2, 1.8, 1.7, 1.6, 1.5];
    for (const norm of ['l2', 'l1'] as const) {
      const f = gl.optim.refinedSchedule(G, { nvals: G.length, tau: 0.01, norm });
      const w = G.map((g) => (norm === 'l2' ? g ** -2 : 1 / g));
      const raw = w.map((wt, t) => wt * w.slice(t + 1).reduce((a, b) => a + b, 0));
      const top = Math.max(...raw);
      f.forEach((v, t) => expect(v).toBeCloseTo(raw[t] / top, 12));
      expect(f[G.length - 1]).toBe(0);
    }
  });

  it('large early gradient norms give a warm-up, and the end anneals to 0', () => {
    const T = 400;
    const G = Array.from({ length: T }, (_, t) => 1 + 4 * Math.exp(-t / 30));
    const f = gl.optim.refinedSchedule(G, { nvals: 1000 });
    expect(f.length).toBe(T);
    expect(f[0]).toBeLessThanOrEqual(0.5);
    expect(Math.max(...f)).toBeCloseTo(1, 12);
    expect(f[T - 1]).toBe(0);
    expect(() => gl.optim.refinedSchedule([1, 0, 2])).toThrow(gl.ArgumentError);
  });
});
