// The Normal distribution N(loc, scale²), with a reparametrised sampler (loc + scale·ε).
import type { Tensor } from '../core/tensor.js';
import { add, div, gt, log, mul, neg, sub } from '../ops/elementwise.js';
import { randn } from '../ops/creation.js';
import { broadcastShapes } from '../core/shape.js';
import {
  Distribution,
  broadcastTo,
  floatParam,
  type DistributionOptions,
  type SampleOptions,
} from './distribution.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The normal distribution with mean `loc` and standard deviation `scale` (> 0), batched by broadcasting the two.
 * `rsample` is loc + scale·ε with ε ~ N(0, 1), differentiable in both parameters.
 * @example
 * const loc = gl.tensor([0, 1], { requiresGrad: true });
 * const d = new gl.distributions.Normal(loc, 0.5);
 * const x = d.rsample([100], { generator: new gl.Generator(0) }); // [100, 2]
 * gl.mean(d.logProb(x)).backward();
 */
export class Normal extends Distribution {
  /** Normal draws are loc + scale·ε: `rsample` exists. */
  readonly hasRsample = true;
  /** The mean, broadcast to the batch shape. */
  readonly loc: Tensor;
  /** The standard deviation, broadcast to the batch shape. */
  readonly scale: Tensor;

  constructor(loc: Tensor | number, scale: Tensor | number, opts: DistributionOptions = {}) {
    const l = floatParam('Normal', 'loc', loc, typeof scale === 'number' ? undefined : scale);
    const s = floatParam('Normal', 'scale', scale, l);
    const batch = broadcastShapes('Normal', l.shape, s.shape);
    super(batch, [], opts);
    this.loc = broadcastTo(l, batch);
    this.scale = broadcastTo(s, batch);
    this.require(gt(this.scale, 0), 'scale must be positive');
  }

  protected draw(sampleShape: number[], opts: SampleOptions): Tensor {
    const eps = randn(this.extendedShape(sampleShape), { generator: opts.generator, dtype: this.loc.dtype });
    return add(this.loc, mul(this.scale, eps));
  }

  logProb(value: Tensor): Tensor {
    this.valueBatchShape(value);
    const z = div(sub(value, this.loc), this.scale);
    return sub(neg(mul(mul(z, z), 0.5)), add(log(this.scale), HALF_LOG_2PI));
  }

  entropy(): Tensor {
    return add(log(this.scale), 0.5 + HALF_LOG_2PI);
  }

  /** The mean (see the class summary for its formula). */
  get mean(): Tensor {
    return this.loc;
  }

  /** The variance (see the class summary for its formula). */
  get variance(): Tensor {
    return mul(this.scale, this.scale);
  }
}
