// The Distribution base class of gl.distributions: shapes (sample, batch, event), parameter checks, sample vs rsample.
import { isFloat } from '../core/dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import type { Generator } from '../core/random/generator.js';
import { broadcastShapes, checkShape } from '../core/shape.js';
import { noGrad } from '../core/state.js';
import { Tensor } from '../core/tensor.js';
import { logicalNot, sqrt } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { expand } from '../ops/shape.js';
import { scalarTensor } from '../ops/tensor-like.js';
import { DistributionValueError, NotReparametrizableError } from './errors.js';

/** Options of every distribution's constructor. */
export interface DistributionOptions {
  /**
   * Check parameter values against their constraints at construction, and values against the support in `logProb`
   * (default true, as `validate_args` in PyTorch). Reading values needs a backend with synchronous reads; on one
   * without (webgpu) the value checks are skipped and shapes and dtypes are still checked.
   */
  validateArgs?: boolean;
}

/** Options of `sample` and `rsample`. */
export interface SampleOptions {
  /** The random stream to draw from (default: the global one that `gl.manualSeed` seeds). */
  generator?: Generator;
}

/**
 * A probability distribution over tensors, with PyTorch's shape semantics: a draw of `sample(sampleShape)` has shape
 * `[...sampleShape, ...batchShape, ...eventShape]`; `logProb(value)` reduces the event dimensions.
 * @example
 * const d = new gl.distributions.Normal(gl.zeros([3]), 1);
 * d.batchShape; // [3]
 * d.sample([5]).shape; // [5, 3]
 */
export abstract class Distribution {
  /** The shape of independent (not identically distributed) draws: the parameters' broadcast shape. */
  readonly batchShape: readonly number[];
  /** The shape of one draw of a single distribution ([] for scalar ones, [K] for Dirichlet). */
  readonly eventShape: readonly number[];
  /** Whether `rsample` exists (draws that are differentiable functions of the parameters). */
  abstract readonly hasRsample: boolean;
  /** Whether parameter and value checks run (`validateArgs`). */
  protected readonly validate: boolean;

  /** Records the shapes and whether to validate; subclasses check their parameters. */
  constructor(batchShape: readonly number[], eventShape: readonly number[], opts: DistributionOptions = {}) {
    this.batchShape = [...batchShape];
    this.eventShape = [...eventShape];
    this.validate = opts.validateArgs ?? true;
  }

  /** The distribution's name, for messages. */
  protected get name(): string {
    return this.constructor.name;
  }

  /**
   * Draws without a gradient path to the parameters: shape `[...sampleShape, ...batchShape, ...eventShape]`.
   * @example
   * const d = new gl.distributions.Bernoulli({ probs: gl.tensor([0.1, 0.9]) });
   * d.sample([4], { generator: new gl.Generator(0) }).shape; // [4, 2]
   */
  sample(sampleShape: readonly number[] = [], opts: SampleOptions = {}): Tensor {
    return noGrad(() => this.draw(checkShape(`${this.name}.sample`, sampleShape), opts));
  }

  /**
   * Reparametrised draws: differentiable functions of the parameters (Normal: loc + scale·ε). Throws
   * NotReparametrizableError where the distribution has no such sampler.
   * @example
   * const scale = gl.tensor([1.5], { requiresGrad: true });
   * const x = new gl.distributions.Normal(0, scale).rsample([256]);
   * x.pow(2).mean().backward(); // d E[x²] / d scale = 2 scale (≈ 3)
   */
  rsample(sampleShape: readonly number[] = [], opts: SampleOptions = {}): Tensor {
    if (!this.hasRsample)
      throw new NotReparametrizableError(
        `${this.name}.rsample: this distribution has no reparametrised sampler; use sample() (no gradient) or a score-function estimator`,
      );
    return this.draw(checkShape(`${this.name}.rsample`, sampleShape), opts);
  }

  /**
   * The shape of a draw of `sample(sampleShape)`.
   * @example new gl.distributions.Dirichlet(gl.ones([2, 3])).extendedShape([5]); // [5, 2, 3]
   */
  extendedShape(sampleShape: readonly number[] = []): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }

  /**
   * Log density (or mass) of `value`, reduced over the event dimensions: shape broadcast(value, batch + event) minus event.
   * @example new gl.distributions.Normal(0, 1).logProb(gl.tensor([0])); // [-0.919] = -log √(2π)
   */
  abstract logProb(value: Tensor): Tensor;
  /**
   * Entropy, one value per batch element (shape `batchShape`).
   * @example new gl.distributions.Categorical({ probs: gl.tensor([0.5, 0.5]) }).entropy(); // log 2 = 0.693
   */
  abstract entropy(): Tensor;
  /** The mean, shape `[...batchShape, ...eventShape]`. */
  abstract get mean(): Tensor;
  /** The variance, shape `[...batchShape, ...eventShape]`. */
  abstract get variance(): Tensor;
  /** The square root of the variance. */
  get stddev(): Tensor {
    return sqrt(this.variance);
  }

  /**
   * Draws (the subclass decides whether they carry a gradient; `sample` wraps it in noGrad).
   * @example
   * class Exponential extends gl.distributions.Distribution {
   *   readonly hasRsample = true;
   *   constructor(readonly rate: gl.Tensor) {
   *     super(rate.shape, []);
   *     this.require(rate.gt(0), 'rate must be positive');
   *   }
   *   get mean() {
   *     return this.rate.pow(-1);
   *   }
   *   get variance() {
   *     return this.rate.pow(-2);
   *   }
   *   logProb(value: gl.Tensor) {
   *     this.valueBatchShape(value);
   *     return this.rate.log().sub(this.rate.mul(value));
   *   }
   *   entropy() {
   *     return gl.sub(1, this.rate.log());
   *   }
   *   protected draw(sampleShape: number[], opts: gl.distributions.SampleOptions) {
   *     const u = gl.rand(this.extendedShape(sampleShape), opts);
   *     return u.neg().log1p().neg().div(this.rate); // inverse CDF: differentiable in rate
   *   }
   * }
   * new Exponential(gl.tensor([0.5, 2])).sample([1000]).mean(0); // ≈ [2, 0.5]
   */
  protected abstract draw(sampleShape: number[], opts: SampleOptions): Tensor;

  /**
   * Throws DistributionValueError when `ok` (a bool tensor) is false anywhere, if values can be read now.
   * @example
   * // doc-test: fragment: in a Distribution subclass's constructor (draw's example shows a whole one)
   * this.require(rate.gt(0), 'rate must be positive'); // DistributionValueError when violated
   */
  protected require(ok: Tensor, what: string): void {
    if (!this.validate || !ok.storage.backend.capabilities.syncRead) return;
    const bad = sum(logicalNot(ok)).item();
    if (bad > 0)
      throw new DistributionValueError(
        `${this.name}: ${what} (${bad} element${bad === 1 ? '' : 's'} violate it)`,
      );
  }

  /**
   * Checks that `value`'s trailing dims match the event shape and broadcast with the batch shape; returns the result's batch shape.
   * @example
   * // doc-test: fragment: in a Distribution subclass's logProb (draw's example shows a whole one)
   * const batch = this.valueBatchShape(value); // ShapeError when value does not fit the event shape
   */
  protected valueBatchShape(value: Tensor): number[] {
    const op = `${this.name}.logProb`;
    if (!(value instanceof Tensor))
      throw new DistributionValueError(`${op}: expected a tensor value, got ${typeof value}`);
    const e = this.eventShape.length;
    const trailing = value.shape.slice(value.shape.length - e);
    if (value.shape.length < e || trailing.some((s, i) => s !== this.eventShape[i]))
      throw new ShapeError(
        `${op}: value shape ${fmtShape(value.shape)} does not end with the event shape ${fmtShape(this.eventShape)}`,
      );
    return broadcastShapes(op, value.shape.slice(0, value.shape.length - e), this.batchShape);
  }
}

/** A parameter as a floating tensor: numbers become 0-d float32 tensors (PyTorch's default dtype); integer tensors are refused. */
export function floatParam(dist: string, name: string, v: Tensor | number, like?: Tensor): Tensor {
  if (typeof v === 'number')
    return scalarTensor(v, like && isFloat(like.dtype) ? like.dtype : 'float32', like);
  if (!(v instanceof Tensor))
    throw new DistributionValueError(`${dist}: ${name} must be a tensor or a number, got ${typeof v}`);
  if (!isFloat(v.dtype)) throw new DTypeError(`${dist}: ${name} must be float32 or float64, got ${v.dtype}`);
  return v;
}

/** `t` broadcast to `shape` (a view). */
export function broadcastTo(t: Tensor, shape: readonly number[]): Tensor {
  return t.shape.length === shape.length && t.shape.every((s, i) => s === shape[i]) ? t : expand(t, shape);
}
