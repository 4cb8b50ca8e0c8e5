// Implicit reparametrisation of Gamma and Dirichlet draws: PyTorch fixtures, finite differences of the CDF, Monte Carlo.
// Fixtures: test/fixtures/torch/gamma_grad.json, written by test/fixtures/generate_gamma_grad_fixtures.py
// (rerun: /usr/bin/python3 test/fixtures/generate_gamma_grad_fixtures.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const D = gl.distributions;
const f64 = (v: number[]): gl.Tensor => gl.tensor(v, { dtype: 'float64' });

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/torch/gamma_grad.json', import.meta.url), 'utf8'),
) as { alpha: number[]; x: number[]; grad: number[] };

/** log Γ(a) by Lanczos (g = 7, 9 terms; relative error about 1e-15), independent of the library's series. */
function lgammaRef(a: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - lgammaRef(1 - a);
  const z = a - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** The regularised lower incomplete gamma P(a, x): series for x < a + 1, Lentz continued fraction otherwise. */
function gammaP(a: number, x: number): number {
  const front = Math.exp(a * Math.log(x) - x - lgammaRef(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= x / (a + n);
      sum += term;
    }
    return front * sum;
  }
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    c = b + an / c;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 - front * h;
}

/** dx/dα at fixed u = P(α, x): −(∂P/∂α)/p(x; α), ∂P/∂α by a central difference (step 1e-5·α), p exact. */
function fdGrad(a: number, x: number): number {
  const h = 1e-5 * a;
  const dPda = (gammaP(a + h, x) - gammaP(a - h, x)) / (2 * h);
  const pdf = Math.exp((a - 1) * Math.log(x) - x - lgammaRef(a));
  return -dPda / pdf;
}

describe('standardGammaGrad (dx/dα of a Gamma(α, 1) draw)', () => {
  it("matches torch._standard_gamma_grad on a grid covering PyTorch's three regimes", () => {
    const got = D.standardGammaGrad(f64(fixture.alpha), f64(fixture.x)).toArray() as number[];
    fixture.grad.forEach((want, i) => {
      expect(Math.abs(got[i] - want), `α=${fixture.alpha[i]}, x=${fixture.x[i]}`).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(want)),
      );
    });
  });

  it('agrees with finite differences of the Gamma CDF within 5e-4 relative (the bound PyTorch tests)', () => {
    // quantiles 0.01…0.99 of each α: the mass of the draws, in every regime
    const alphas = [0.05, 0.3, 0.9, 2.5, 7.9, 8.5, 30, 150];
    const us = [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99];
    const a: number[] = [];
    const x: number[] = [];
    for (const al of alphas)
      for (const u of us) {
        let lo = 0;
        let hi = al + 40 * Math.sqrt(al) + 40;
        for (let k = 0; k < 200; k++) {
          const mid = (lo + hi) / 2;
          if (gammaP(al, mid) < u) lo = mid;
          else hi = mid;
        }
        a.push(al);
        x.push((lo + hi) / 2);
      }
    const got = D.standardGammaGrad(f64(a), f64(x)).toArray() as number[];
    a.forEach((al, i) => {
      const want = fdGrad(al, x[i]);
      expect(Math.abs(got[i] - want) / Math.abs(want), `α=${al}, x=${x[i]}`).toBeLessThan(5e-4);
    });
  });
});

describe('rsample of Gamma and Dirichlet', () => {
  it('Gamma: the draw equals sample() and its gradient is standardGammaGrad / β in α and −x/β in β', () => {
    const alpha = f64([0.4, 2, 11]).requiresGrad_();
    const rate = f64([1.5, 0.5, 2]).requiresGrad_();
    const x = new D.Gamma(alpha, rate).rsample([], { generator: new gl.Generator(3) });
    const plain = new D.Gamma(f64([0.4, 2, 11]), f64([1.5, 0.5, 2])).sample([], {
      generator: new gl.Generator(3),
    });
    expect(x.toArray()).toEqual(plain.toArray());
    gl.sum(x).backward();
    const xs = x.toArray() as number[];
    const r = [1.5, 0.5, 2];
    const unit = xs.map((v, i) => v * r[i]);
    const want = D.standardGammaGrad(f64([0.4, 2, 11]), f64(unit)).toArray() as number[];
    (alpha.grad!.toArray() as number[]).forEach((g, i) => expect(g).toBeCloseTo(want[i] / r[i], 12));
    (rate.grad!.toArray() as number[]).forEach((g, i) => expect(g).toBeCloseTo(-xs[i] / r[i], 12));
  });

  it('Gamma: Monte-Carlo d/dα E[x] ≈ 1 for Gamma(α, 1), within 5 standard errors', () => {
    const n = 10000;
    const alpha = f64([0.3, 1.7, 9]).requiresGrad_();
    const x = new D.Gamma(alpha, 1).rsample([n], { generator: new gl.Generator(11) });
    gl.sum(gl.mean(x, 0)).backward();
    // per-draw gradients, for the standard error of their mean
    const per = D.standardGammaGrad(
      gl.expand(f64([0.3, 1.7, 9]), [n, 3]),
      x.detach(),
    ).toArray() as number[][];
    (alpha.grad!.toArray() as number[]).forEach((g, k) => {
      const col = per.map((row) => row[k]);
      const m = col.reduce((s, v) => s + v, 0) / n;
      const sd = Math.sqrt(col.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1));
      expect(g).toBeCloseTo(m, 10);
      expect(Math.abs(g - 1)).toBeLessThan((5 * sd) / Math.sqrt(n));
    });
  });

  it('Dirichlet: rows sum to 1, and the Monte-Carlo gradient of E[x₀] matches d/dα (α₀ / Σα), within 5 standard errors', () => {
    const a = [0.7, 2, 3.5];
    const s = a.reduce((p, v) => p + v, 0);
    const batches = 20;
    const n = 500;
    // 20 independent copies of α: copy b's gradient is the estimate from its own 1000 draws
    const alpha = gl
      .tensor(
        Array.from({ length: batches }, () => a),
        { dtype: 'float64' },
      )
      .requiresGrad_();
    const x = new D.Dirichlet(alpha).rsample([n], { generator: new gl.Generator(5) }); // [n, batches, 3]
    const rows = gl.sum(x, -1).toArray() as number[][];
    rows.flat().forEach((v) => expect(v).toBeCloseTo(1, 12));
    gl.sum(gl.mean(gl.select(x, 2, 0), 0)).backward();
    const est = alpha.grad!.toArray() as number[][];
    const want = [(s - a[0]) / s ** 2, -a[0] / s ** 2, -a[0] / s ** 2];
    want.forEach((w, k) => {
      const col = est.map((row) => row[k]);
      const m = col.reduce((p, v) => p + v, 0) / batches;
      const sd = Math.sqrt(col.reduce((p, v) => p + (v - m) ** 2, 0) / (batches - 1));
      expect(Math.abs(m - w), `α${k}`).toBeLessThan((5 * sd) / Math.sqrt(batches));
    });
  });

  it('float32 parameters: float32 draws with finite, positive gradients in α', () => {
    const alpha = gl.tensor([0.2, 1, 4]).requiresGrad_();
    const x = new D.Gamma(alpha, 1).rsample([50], { generator: new gl.Generator(2) });
    expect(x.dtype).toBe('float32');
    gl.sum(x).backward();
    (alpha.grad!.toArray() as number[]).forEach((g) => expect(Number.isFinite(g) && g > 0).toBe(true));
  });
});
