// gradNoise in the paper's form: variance η/(1+t)^γ (empirical variance at several t), replayable from its seed, clipping before noise.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

/** The noise a transform adds at its next call to a zero gradient of n float64 elements. */
function nextNoise(t: gl.optim.GradNoise, n: number): Float64Array {
  const p = gl.zeros([n], { dtype: 'float64' }).requiresGrad_();
  p.grad = gl.zeros([n], { dtype: 'float64' });
  t.apply([p]);
  return p.grad.dataSync() as Float64Array;
}

describe('gradNoise({ eta, gamma })', () => {
  it('the schedule is the variance η/(1+t)^γ, and the injected noise has that variance (within 2%)', () => {
    const eta = 0.3;
    const gamma = 0.55;
    const t = gl.optim.gradNoise({ eta, gamma, seed: 7 });
    for (const k of [0, 1, 10, 100]) expect(t.stdAt(k) ** 2).toBeCloseTo(eta / (1 + k) ** gamma, 14);
    // 200k draws: the relative standard error of the sample variance is √(2/n) ≈ 0.3%
    const n = 200_000;
    for (let step = 0; step < 4; step++) {
      const z = nextNoise(t, n);
      let m = 0;
      for (const v of z) m += v;
      m /= n;
      let v2 = 0;
      for (const v of z) v2 += (v - m) ** 2;
      const variance = v2 / (n - 1);
      expect(Math.abs(variance / (eta / (1 + step) ** gamma) - 1)).toBeLessThan(0.02);
    }
    expect(t.calls).toBe(4);
  });

  it('is replayable from its seed and resumable from stateDict', () => {
    const a = gl.optim.gradNoise({ eta: 1, seed: 3 });
    const b = gl.optim.gradNoise({ eta: 1, seed: 3 });
    const c = gl.optim.gradNoise({ eta: 1, seed: 4 });
    const a0 = nextNoise(a, 50);
    expect(Array.from(nextNoise(b, 50))).toEqual(Array.from(a0));
    expect(Array.from(nextNoise(c, 50))).not.toEqual(Array.from(a0));
    const saved = a.stateDict!();
    const a1 = nextNoise(a, 50);
    const resumed = gl.optim.gradNoise({ eta: 1, seed: 99 });
    resumed.loadStateDict!(saved);
    expect(Array.from(nextNoise(resumed, 50))).toEqual(Array.from(a1));
  });

  it('clips the total norm before adding the noise', () => {
    const p = gl.zeros([4], { dtype: 'float64' }).requiresGrad_();
    const g = gl.tensor(Float64Array.from([30, 40, 0, 0]));
    const noisy = gl.optim.gradNoise({ eta: 0.01, seed: 2, maxNorm: 1 });
    p.grad = g.clone();
    noisy.apply([p]);
    expect(noisy.lastNorm).toBeCloseTo(50, 10);
    const z = nextNoise(gl.optim.gradNoise({ eta: 0.01, seed: 2 }), 4);
    const got = p.grad!.dataSync();
    const clipped = [30, 40, 0, 0].map((v) => (v * 1) / (50 + 1e-6));
    got.forEach((v, i) => expect(v).toBeCloseTo(clipped[i] + z[i], 12));
    expect(() => gl.optim.gradNoise({ eta: -1 })).toThrow(gl.ArgumentError);
  });
});
