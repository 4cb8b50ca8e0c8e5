// Paper 28's linear models: L2-regularised logistic regression and squared-hinge SVM fitted full-batch by Newton's method in float64.
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { matmul } from '../ops/matmul.js';
import { solve } from '../ops/linalg/solve.js';
import { tensor } from '../ops/tensor-like.js';

/** The two losses of the recipe, as functions of the margin m = y (wᵀx + b). */
export type LinearLoss = 'logistic' | 'squaredHinge';

const LOSS: { [K in LinearLoss]: { f(m: number): number; d1(m: number): number; d2(m: number): number } } = {
  logistic: {
    f: (m) => (m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m))),
    d1: (m) => -1 / (1 + Math.exp(m)),
    d2: (m) => {
      const s = 1 / (1 + Math.exp(-m));
      return s * (1 - s);
    },
  },
  squaredHinge: {
    f: (m) => (m < 1 ? (1 - m) ** 2 : 0),
    d1: (m) => (m < 1 ? -2 * (1 - m) : 0),
    d2: (m) => (m < 1 ? 2 : 0),
  },
};

/** A fitted classifier sign(wᵀx + b) and how its fit ended. */
export interface LinearFit {
  w: Float64Array;
  b: number;
  /** ‖∇F‖₂ at the end. */
  gradNorm: number;
  iterations: number;
}

/**
 * Minimises F(w, b) = (1/n) Σ ℓ(yᵢ(wᵀxᵢ + b)) + (λ/2)‖w‖² (b unpenalised) by Newton's method with backtracking
 * (the squared hinge with its generalised Hessian), until ‖∇F‖ ≤ tol. `x` is [n, d] float64, `y` ±1.
 */
export function fitLinear(
  x: Tensor,
  y: Float64Array,
  loss: LinearLoss,
  lambda: number,
  tol = 1e-8,
  maxIter = 200,
): LinearFit {
  const [n, d] = x.shape;
  const X = x.dataSync() as Float64Array;
  const L = LOSS[loss];
  let w = new Float64Array(d);
  let b = 0;
  const margins = (ww: Float64Array, bb: number) => {
    const m = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = bb;
      for (let j = 0; j < d; j++) s += ww[j] * X[i * d + j];
      m[i] = y[i] * s;
    }
    return m;
  };
  const objective = (ww: Float64Array, bb: number) => {
    const m = margins(ww, bb);
    let f = 0;
    for (let i = 0; i < n; i++) f += L.f(m[i]);
    let r = 0;
    for (let j = 0; j < d; j++) r += ww[j] * ww[j];
    return f / n + (lambda / 2) * r;
  };
  let gradNorm = Infinity;
  let it = 0;
  for (; it < maxIter; it++) {
    const m = margins(w, b);
    const g = new Float64Array(d + 1);
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = (y[i] * L.d1(m[i])) / n;
      for (let j = 0; j < d; j++) g[j] += c * X[i * d + j];
      g[d] += c;
      h[i] = L.d2(m[i]) / n;
    }
    for (let j = 0; j < d; j++) g[j] += lambda * w[j];
    gradNorm = Math.hypot(...g);
    if (gradNorm <= tol) break;
    // H = X̃ᵀ diag(h) X̃ + λ I (w block), X̃ = [X, 1]; a 1e-12 ridge on b keeps it invertible
    const step = noGrad(() => {
      const xt = tensor(
        Float64Array.from({ length: n * (d + 1) }, (_, k) => {
          const i = Math.floor(k / (d + 1));
          const j = k % (d + 1);
          return j < d ? X[i * d + j] : 1;
        }),
        { dtype: 'float64', shape: [n, d + 1] },
      );
      const hx = xt.mul(tensor(h, { dtype: 'float64' }).reshape([n, 1]));
      const Hd = Float64Array.from(matmul(xt.t(), hx).dataSync());
      for (let j = 0; j <= d; j++) Hd[j * (d + 1) + j] += j < d ? lambda : 1e-12;
      const H = tensor(Hd, { dtype: 'float64', shape: [d + 1, d + 1] });
      return solve(H, tensor(g, { dtype: 'float64' })).dataSync() as Float64Array;
    });
    const f0 = objective(w, b);
    let slope = 0;
    for (let j = 0; j <= d; j++) slope += g[j] * step[j];
    let t = 1;
    let wn = w;
    let bn = b;
    for (let k = 0; k < 60; k++) {
      wn = Float64Array.from(w, (v, j) => v - t * step[j]);
      bn = b - t * step[d];
      if (objective(wn, bn) <= f0 - 1e-4 * t * slope) break;
      t /= 2;
    }
    w = wn;
    b = bn;
  }
  return { w, b, gradNorm, iterations: it };
}
