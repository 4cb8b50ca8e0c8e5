// The Bernoulli distribution over {0, 1}, parametrised by probs or logits.
import type { Tensor } from '../core/tensor.js';
import { rand } from '../ops/creation.js';
import {
  abs,
  add,
  cast,
  clamp,
  eq,
  exp,
  ge,
  le,
  log,
  log1p,
  logicalAnd,
  logicalOr,
  lt,
  maximum,
  mul,
  neg,
  sigmoid,
  sub,
} from '../ops/elementwise.js';
import { Distribution, floatParam, type DistributionOptions, type SampleOptions } from './distribution.js';
import { whichParam, type ProbsOrLogits } from './probs.js';

/** log(1 + e^x) without overflow. */
function softplusStable(x: Tensor): Tensor {
  return add(maximum(x, 0), log1p(exp(neg(abs(x)))));
}

/**
 * The Bernoulli distribution: 1 with probability `probs`, else 0. Give `{ probs }` (in [0, 1]) or `{ logits }`.
 * Samples are floats 0/1 (as in PyTorch); there is no `rsample`.
 * @example
 * const d = new gl.distributions.Bernoulli({ logits: gl.tensor([0, 2]) });
 * d.logProb(gl.tensor([1, 0])); // [log σ(0), log(1 − σ(2))]
 */
export class Bernoulli extends Distribution {
  /** No reparametrised sampler: `rsample` throws NotReparametrizableError. */
  readonly hasRsample = false;
  /** P(1), per batch element. */
  readonly probs: Tensor;
  /** log(p / (1 − p)), per batch element. */
  readonly logits: Tensor;

  constructor(params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const which = whichParam('Bernoulli', params);
    const t = floatParam('Bernoulli', which, which === 'probs' ? params.probs! : params.logits!);
    super(t.shape, [], opts);
    if (which === 'probs') {
      this.require(logicalAnd(ge(t, 0), le(t, 1)), 'probs must lie in [0, 1]');
      this.probs = t;
      // logit of the probability clamped away from 0 and 1, as PyTorch's probs_to_logits
      const eps = t.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
      const p = clamp(t, eps, 1 - eps);
      this.logits = sub(log(p), log1p(neg(p)));
    } else {
      this.logits = t;
      this.probs = sigmoid(t);
    }
  }

  protected draw(sampleShape: number[], opts: SampleOptions): Tensor {
    const u = rand(this.extendedShape(sampleShape), { generator: opts.generator, dtype: this.probs.dtype });
    return cast(lt(u, this.probs), this.probs.dtype);
  }

  logProb(value: Tensor): Tensor {
    this.valueBatchShape(value);
    this.require(logicalOr(eq(value, 0), eq(value, 1)), 'logProb: value must be 0 or 1');
    // −BCEWithLogits(logits, value) = value·logits − softplus(logits)
    return sub(mul(value, this.logits), softplusStable(this.logits));
  }

  entropy(): Tensor {
    return sub(softplusStable(this.logits), mul(this.probs, this.logits));
  }

  /** The mean (see the class summary for its formula). */
  get mean(): Tensor {
    return this.probs;
  }

  /** The variance (see the class summary for its formula). */
  get variance(): Tensor {
    return mul(this.probs, sub(1, this.probs));
  }
}
