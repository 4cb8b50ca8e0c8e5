// The Dirichlet distribution over the probability simplex (last dimension), drawn as normalised Gamma variables.
import { ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { abs, add, div, gt, log, lt, mul, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { Distribution, floatParam, type DistributionOptions, type SampleOptions } from './distribution.js';
import { standardGammaRsample } from './gamma-grad.js';
import { digammaPositive, lgammaPositive } from './special.js';

/**
 * The Dirichlet distribution with `concentration` α [..., K] (α > 0): density Γ(Σα)/ΠΓ(α) · Π x^(α−1) on the simplex.
 * Its event is the last dimension (eventShape [K]). `sample` normalises K Gamma(αₖ, 1) draws; `rsample` is the same
 * draw with a gradient: each Gamma draw is differentiated in its αₖ by implicit reparametrisation (see `Gamma`), then
 * through the normalisation. (PyTorch's `rsample` uses a separate approximation, `_dirichlet_grad`; both are unbiased
 * estimators of the same expectation's gradient, but their per-draw values differ.)
 * @example
 * const d = new gl.distributions.Dirichlet(gl.tensor([1, 2, 3]));
 * d.logProb(gl.tensor([0.2, 0.3, 0.5])); // a 0-d tensor
 * const a = gl.tensor([1, 2, 3], { requiresGrad: true });
 * gl.sum(gl.mul(new gl.distributions.Dirichlet(a).rsample([100]), gl.tensor([1, 0, 0]))).backward();
 */
export class Dirichlet extends Distribution {
  /** Draws are differentiable in α (normalised implicitly reparametrised Gammas): `rsample` exists. */
  readonly hasRsample = true;
  /** α [...batch, K]. */
  readonly concentration: Tensor;

  constructor(concentration: Tensor | number, opts: DistributionOptions = {}) {
    const a = floatParam('Dirichlet', 'concentration', concentration);
    if (a.shape.length < 1 || a.shape[a.shape.length - 1] < 2)
      throw new ShapeError(
        `Dirichlet: concentration needs a last dimension of at least 2 categories, got shape ${fmtShape(a.shape)}`,
      );
    super(a.shape.slice(0, -1), a.shape.slice(-1), opts);
    this.concentration = a;
    this.require(gt(a, 0), 'concentration must be positive');
  }

  protected draw(sampleShape: number[], opts: SampleOptions): Tensor {
    const g = standardGammaRsample(this.concentration, this.extendedShape(sampleShape), opts.generator);
    return div(g, sum(g, -1, true));
  }

  logProb(value: Tensor): Tensor {
    this.valueBatchShape(value);
    const tol = value.dtype === 'float64' ? 1e-12 : 1e-5;
    this.require(gt(value, 0), 'logProb: value must be positive');
    this.require(
      lt(abs(sub(sum(value, -1), 1)), tol),
      'logProb: value must sum to 1 along the last dimension',
    );
    const a = this.concentration;
    const lognorm = sub(lgammaPositive(sum(a, -1)), sum(lgammaPositive(a), -1));
    return add(sum(mul(sub(a, 1), log(value)), -1), lognorm);
  }

  entropy(): Tensor {
    const a = this.concentration;
    const k = a.shape[a.shape.length - 1];
    const a0 = sum(a, -1);
    const logB = sub(sum(lgammaPositive(a), -1), lgammaPositive(a0));
    return sub(add(logB, mul(sub(a0, k), digammaPositive(a0))), sum(mul(sub(a, 1), digammaPositive(a)), -1));
  }

  /** The mean (see the class summary for its formula). */
  get mean(): Tensor {
    return div(this.concentration, sum(this.concentration, -1, true));
  }

  /** The variance (see the class summary for its formula). */
  get variance(): Tensor {
    const a0 = sum(this.concentration, -1, true);
    return div(mul(this.concentration, sub(a0, this.concentration)), mul(mul(a0, a0), add(a0, 1)));
  }
}
