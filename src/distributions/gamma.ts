// The Gamma distribution with shape `concentration` and `rate`; draws by Marsaglia–Tsang, rsample by implicit reparametrisation.
import { broadcastShapes } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, gt, log, mul, sub } from '../ops/elementwise.js';
import {
  Distribution,
  broadcastTo,
  floatParam,
  type DistributionOptions,
  type SampleOptions,
} from './distribution.js';
import { standardGammaRsample } from './gamma-grad.js';
import { digammaPositive, lgammaPositive } from './special.js';

/**
 * The gamma distribution with density β^α x^(α−1) e^(−βx) / Γ(α) on x > 0 (`concentration` α > 0, `rate` β > 0).
 * `sample` uses Marsaglia & Tsang's method. `rsample` gives the same draws x = x₁/β (x₁ ~ Gamma(α, 1)) with a gradient:
 * in β through the division, in α by implicit reparametrisation, dx₁/dα = −(∂F/∂α)/(∂F/∂x₁) of the Gamma CDF F
 * (Figurnov et al. 2018, computed as PyTorch's `_standard_gamma_grad` does; see `standardGammaGrad`).
 * @example
 * const d = new gl.distributions.Gamma(gl.tensor([2, 0.5]), 1);
 * d.sample([1000], { generator: new gl.Generator(0) }).shape; // [1000, 2]
 * const a = gl.tensor([2], { requiresGrad: true });
 * gl.mean(new gl.distributions.Gamma(a, 1).rsample([1000])).backward(); // a.grad ≈ [1] (d/dα E[x] = 1/β)
 */
export class Gamma extends Distribution {
  /** Draws are differentiable in α (implicit reparametrisation) and β: `rsample` exists. */
  readonly hasRsample = true;
  /** The shape α, broadcast to the batch shape. */
  readonly concentration: Tensor;
  /** The rate β (1 / scale), broadcast to the batch shape. */
  readonly rate: Tensor;

  constructor(concentration: Tensor | number, rate: Tensor | number, opts: DistributionOptions = {}) {
    const a = floatParam(
      'Gamma',
      'concentration',
      concentration,
      typeof rate === 'number' ? undefined : rate,
    );
    const b = floatParam('Gamma', 'rate', rate, a);
    const batch = broadcastShapes('Gamma', a.shape, b.shape);
    super(batch, [], opts);
    this.concentration = broadcastTo(a, batch);
    this.rate = broadcastTo(b, batch);
    this.require(gt(this.concentration, 0), 'concentration must be positive');
    this.require(gt(this.rate, 0), 'rate must be positive');
  }

  protected draw(sampleShape: number[], opts: SampleOptions): Tensor {
    return div(
      standardGammaRsample(this.concentration, this.extendedShape(sampleShape), opts.generator),
      this.rate,
    );
  }

  logProb(value: Tensor): Tensor {
    this.valueBatchShape(value);
    this.require(gt(value, 0), 'logProb: value must be positive');
    const a = this.concentration;
    const b = this.rate;
    return sub(add(mul(a, log(b)), mul(sub(a, 1), log(value))), add(mul(b, value), lgammaPositive(a)));
  }

  entropy(): Tensor {
    const a = this.concentration;
    return add(sub(add(a, lgammaPositive(a)), log(this.rate)), mul(sub(1, a), digammaPositive(a)));
  }

  /** The mean (see the class summary for its formula). */
  get mean(): Tensor {
    return div(this.concentration, this.rate);
  }

  /** The variance (see the class summary for its formula). */
  get variance(): Tensor {
    return div(this.concentration, mul(this.rate, this.rate));
  }
}
