// The Categorical distribution over {0, …, K−1} along the last dimension, parametrised by probs or logits.
import { ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { full, rand } from '../ops/creation.js';
import {
  cast,
  clamp,
  div,
  eq,
  exp,
  ge,
  gt,
  logicalAnd,
  log,
  lt,
  mul,
  neg,
  sub,
  where,
} from '../ops/elementwise.js';
import { cumsum, logsumexp, sum } from '../ops/reduce.js';
import { expand, gather, squeeze, unsqueeze } from '../ops/shape.js';
import { Distribution, floatParam, type DistributionOptions, type SampleOptions } from './distribution.js';
import { whichParam, type ProbsOrLogits } from './probs.js';

/**
 * A categorical distribution: class k with probability probs[..., k]. Give `{ probs }` (non-negative, normalised along
 * the last dimension here) or `{ logits }` (unnormalised log-probabilities). The last dimension is the categories;
 * the others are the batch. Samples are int32 class indices; there is no `rsample`.
 * @example
 * const d = new gl.distributions.Categorical({ logits: gl.tensor([[0, 1, 2]]) });
 * d.sample([4], { generator: new gl.Generator(1) }).shape; // [4, 1]
 */
export class Categorical extends Distribution {
  /** No reparametrised sampler: `rsample` throws NotReparametrizableError. */
  readonly hasRsample = false;
  /** Normalised probabilities [...batch, K]. */
  readonly probs: Tensor;
  /** Normalised log-probabilities [...batch, K] (logsumexp 0 along the last dimension). */
  readonly logits: Tensor;
  /** The number of categories K. */
  readonly numEvents: number;

  constructor(params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const which = whichParam('Categorical', params);
    const t = floatParam('Categorical', which, which === 'probs' ? params.probs! : params.logits!);
    if (t.shape.length < 1 || t.shape[t.shape.length - 1] < 1)
      throw new ShapeError(
        `Categorical: ${which} needs at least one dimension with at least one category, got shape ${fmtShape(t.shape)}`,
      );
    super(t.shape.slice(0, -1), [], opts);
    this.numEvents = t.shape[t.shape.length - 1];
    if (which === 'probs') {
      this.require(ge(t, 0), 'probs must be non-negative');
      this.require(gt(sum(t, -1), 0), 'probs must have a positive sum along the last dimension');
      this.probs = div(t, sum(t, -1, true));
      const eps = t.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
      this.logits = log(clamp(this.probs, eps, 1 - eps));
    } else {
      this.logits = sub(t, logsumexp(t, -1, true));
      this.probs = exp(this.logits);
    }
  }

  /** Inverse-CDF draws: the number of cumulative probabilities below a uniform u (at most K − 1). */
  protected draw(sampleShape: number[], opts: SampleOptions): Tensor {
    const shape = this.extendedShape(sampleShape);
    const u = rand([...shape, 1], { generator: opts.generator, dtype: this.probs.dtype });
    const cdf = expand(cumsum(this.probs, -1), [...shape, this.numEvents]);
    // u scaled by the last cumulative value, so rounding in the cumsum never leaves u above every bucket
    const total = expand(unsqueeze(sum(this.probs, -1), -1), [...shape, 1]);
    const below = cast(lt(cdf, mul(u, total)), 'int32');
    return clamp(sum(below, -1), null, this.numEvents - 1);
  }

  logProb(value: Tensor): Tensor {
    const batch = this.valueBatchShape(value);
    this.require(
      logicalAnd(ge(value, 0), logicalAnd(lt(value, this.numEvents), eq(value, cast(value, 'int32')))),
      `logProb: value must be an integer class in 0..${this.numEvents - 1}`,
    );
    const idx = unsqueeze(expand(cast(value, 'int32'), batch), -1);
    const logits = expand(this.logits, [...batch, this.numEvents]);
    return squeeze(gather(logits, -1, idx), -1);
  }

  entropy(): Tensor {
    // −Σ p·log p, with 0·log 0 = 0
    const plogp = where(gt(this.probs, 0), mul(this.probs, this.logits), 0);
    return neg(sum(plogp, -1));
  }

  /** Undefined for class labels: NaN per batch element, as in PyTorch. */
  get mean(): Tensor {
    return full(this.batchShape, NaN, { dtype: this.probs.dtype });
  }

  /** Undefined for class labels: NaN per batch element, as in PyTorch. */
  get variance(): Tensor {
    return full(this.batchShape, NaN, { dtype: this.probs.dtype });
  }
}
