// Standard Gamma(α, 1) draws by Marsaglia & Tsang's method, vectorised over a fixed number of proposal rounds.
import type { Generator } from '../core/random/generator.js';
import type { Tensor } from '../core/tensor.js';
import { rand, randn } from '../ops/creation.js';
import { add, clamp, div, exp, gt, log, logicalAnd, lt, mul, sqrt, sub, where } from '../ops/elementwise.js';
import { expand, select } from '../ops/shape.js';

/**
 * Proposal rounds per draw. Marsaglia–Tsang accepts a proposal with probability ≥ 0.95 for every α ≥ 1 (the α < 1
 * case is boosted to α + 1), so all 12 rounds reject with probability below 0.05¹² ≈ 2.4e-16 per draw; such a draw
 * returns the proposal mode d (a bias far below float64 resolution of any moment).
 */
const ROUNDS = 12;

/**
 * Draws of Gamma(alpha, 1) with shape `shape` (alpha broadcast to it), without a gradient path. Every round draws a
 * normal x and a uniform u for every element; the first accepted proposal d·(1 + c·x)³ is kept.
 * G. Marsaglia & W. Tsang, "A simple method for generating gamma variables", ACM TOMS 26 (2000).
 */
export function standardGamma(alpha: Tensor, shape: readonly number[], generator?: Generator): Tensor {
  const dtype = alpha.dtype;
  const a = expand(alpha, shape);
  const small = lt(a, 1);
  const boosted = where(small, add(a, 1), a);
  const d = sub(boosted, 1 / 3);
  const c = div(1, sqrt(mul(d, 9)));
  const x = randn([ROUNDS, ...shape], { generator, dtype });
  const u = rand([ROUNDS, ...shape], { generator, dtype });
  let out: Tensor = d;
  for (let r = ROUNDS - 1; r >= 0; r--) {
    const xr = select(x, 0, r);
    const t = add(1, mul(c, xr));
    const v = mul(mul(t, t), t);
    const vSafe = clamp(v, 1e-30);
    const bound = add(mul(mul(xr, xr), 0.5), mul(d, add(sub(1, vSafe), log(vSafe))));
    const accept = logicalAnd(gt(v, 0), lt(log(select(u, 0, r)), bound));
    out = where(accept, mul(d, v), out);
  }
  // α < 1: Gamma(α) = Gamma(α + 1) · U^(1/α)
  const boost = exp(div(log(rand(shape, { generator, dtype })), a));
  return where(small, mul(out, boost), out);
}
