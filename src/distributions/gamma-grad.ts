// Implicit reparametrisation of Gamma draws: dx/dα = −(∂F/∂α)/(∂F/∂x) of the Gamma CDF, and the rsample built on it.
import { customGrad } from '../core/custom.js';
import type { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import {
  add,
  clamp,
  div,
  exp,
  gt,
  le,
  log,
  logicalAnd,
  lt,
  mul,
  ne,
  pow,
  sqrt,
  sub,
  where,
} from '../ops/elementwise.js';
import { expand } from '../ops/shape.js';
import { standardGamma } from './gamma-sampler.js';
import { digammaPositive } from './special.js';

/** The smallest positive normal number per dtype: draws are clamped to it, as `torch.distributions.Gamma.rsample` does. */
const TINY = { float32: 1.1754943508222875e-38, float64: 2.2250738585072014e-308 } as const;

/** PyTorch's coefficients of the bivariate rational approximation (ATen/native/Distributions.h, standard_gamma_grad_one). */
const COEF_UV: readonly (readonly number[])[] = [
  [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
  [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
  [
    0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
    -1.5247877e-7,
  ],
];

/**
 * dx/dα for x ~ Gamma(α, 1) at fixed CDF value: −(∂F/∂α)(x; α) / p(x; α) (Figurnov et al., "Implicit
 * reparameterization gradients", NeurIPS 2018). Element-wise, the same three regimes as PyTorch's
 * `_standard_gamma_grad` (torch 1.13, `standard_gamma_grad_one`), written as tensor ops so every backend runs it:
 * - x < 0.8: the series of the lower incomplete gamma function, γ(α, x) = x^α Σₙ (−x)ⁿ / (n!(α + n)), n = 0…5, and its
 *   α-derivative term by term (a NaN there, from an underflowed x, gives 0 as in PyTorch);
 * - α > 8: Rice's saddle-point expansion (a polynomial in x, α for |x − α| ≤ 0.1α);
 * - otherwise: PyTorch's bivariate rational approximation in u = log(x/α), v = log α.
 * Relative error below 5e-4 against the exact derivative (the bound PyTorch's test asserts; gradlab's test checks it
 * against finite differences of the inverse CDF). The result carries no gradient (no second derivative in α).
 * @example
 * gl.distributions.standardGammaGrad(gl.tensor([2]), gl.tensor([1.5])); // ≈ [0.937] (torch._standard_gamma_grad: 0.9366): d/dα of the draw at fixed CDF value
 */
export function standardGammaGrad(alpha: Tensor, x: Tensor): Tensor {
  return noGrad(() => {
    const a = alpha.detach();
    const z = x.detach();
    // small x: series of the incomplete gamma function and its α-derivative
    let numer: Tensor | number = 1;
    let denom: Tensor = a;
    let series1: Tensor = div(1, a);
    let series2: Tensor = div(1, mul(a, a));
    for (let i = 1; i <= 5; i++) {
      numer = mul(numer, div(z, -i));
      denom = add(denom, 1);
      series1 = add(series1, div(numer, denom));
      series2 = add(series2, div(numer, mul(denom, denom)));
    }
    const powXA = pow(z, a);
    const pdf = mul(pow(z, sub(a, 1)), exp(mul(z, -1)));
    const cdf = mul(powXA, series1);
    const cdfAlpha = sub(mul(sub(log(z), digammaPositive(a)), cdf), mul(powXA, series2));
    const seriesRaw = div(mul(cdfAlpha, -1), pdf);
    const seriesGrad = where(ne(seriesRaw, seriesRaw), 0, seriesRaw);

    // large α: Rice saddle-point expansion, a polynomial near the mode
    const a2 = mul(a, a);
    const near = logicalAnd(le(mul(a, 0.9), z), le(z, mul(a, 1.1)));
    const n1 = add(1, mul(mul(a, 24), add(1, mul(a, 12))));
    const n2 = add(
      sub(add(mul(a2, 1440), mul(mul(z, 6), sub(53, mul(z, 120)))), div(mul(mul(z, z), 65), a)),
      mul(a, add(107, mul(z, 3600))),
    );
    const nearGrad = div(mul(n1, n2), mul(mul(a2, a2), 1244160));
    const den = sqrt(mul(a, 8));
    const amx = sub(a, z);
    const logRatio = log(div(z, a));
    const term2 = div(den, amx);
    const term3 = pow(sub(sub(z, a), mul(a, logRatio)), -1.5);
    const term23 = where(lt(z, a), sub(term2, term3), add(term2, term3));
    const term1 = sub(mul(logRatio, term23), div(mul(sqrt(div(2, a)), add(a, z)), mul(amx, amx)));
    const stirling = add(1, mul(div(1, mul(a, 12)), add(1, div(1, mul(a, 24)))));
    const farGrad = div(mul(mul(stirling, -1), mul(z, term1)), den);
    const riceGrad = where(near, nearGrad, farGrad);

    // otherwise: rational approximation in u = log(x/α), v = log α
    const v = log(a);
    const cv = COEF_UV[0].map((c0, i) =>
      add(c0, mul(logRatio, add(COEF_UV[1][i], mul(logRatio, COEF_UV[2][i])))),
    );
    const poly = (c: Tensor[]): Tensor => add(c[0], mul(v, add(c[1], mul(v, add(c[2], mul(v, c[3]))))));
    const rationalGrad = exp(div(poly(cv.slice(0, 4)), poly(cv.slice(4))));

    return where(lt(z, 0.8), seriesGrad, where(gt(a, 8), riceGrad, rationalGrad));
  });
}

/** Standard Gamma draws with the implicit-reparametrisation gradient; `alpha` already has the draws' shape. */
const gammaDraw = customGrad({
  name: 'standardGammaRsample',
  forward(ctx, alpha: Tensor, generator: Generator | undefined): Tensor {
    const x = clamp(
      standardGamma(alpha, alpha.shape, generator),
      alpha.dtype === 'float64' ? TINY.float64 : TINY.float32,
    );
    ctx.save(alpha, x);
    return x;
  },
  backward(ctx, g): [Tensor, null] {
    const [alpha, x] = ctx.saved as [Tensor, Tensor];
    return [mul(g, standardGammaGrad(alpha, x)), null];
  },
});

/**
 * Reparametrised Gamma(α, 1) draws of shape `shape` (α broadcast to it): the values of `standardGamma`, clamped to the
 * smallest positive normal number, whose gradient in α is `standardGammaGrad` (implicit reparametrisation).
 * @example
 * const a = gl.tensor([0.5, 3], { requiresGrad: true });
 * gl.sum(standardGammaRsample(a, [2])).backward(); // a.grad = dx/dα of both draws
 */
export function standardGammaRsample(alpha: Tensor, shape: readonly number[], generator?: Generator): Tensor {
  return gammaDraw(expand(alpha, shape), generator);
}
