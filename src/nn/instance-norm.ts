// InstanceNorm2d: per-example, per-channel normalisation over H×W (PyTorch semantics, optional running statistics).
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { ones, zeros } from '../ops/creation.js';
import { add, mul, rsqrt, sub } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { normalize } from '../ops/normalize.js';
import { registerRunningStats } from './normalization.js';
import { mean } from '../ops/reduce.js';
import { reshape, squeeze, unsqueeze } from '../ops/shape.js';
import type { FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options of InstanceNorm2d (PyTorch's defaults: no affine part, no running statistics). */
export interface InstanceNormOptions extends FactoryOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Learn a per-channel scale and shift (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running statistics and use them in eval mode (default false, as PyTorch). */
  trackRunningStats?: boolean;
}

/**
 * Instance normalisation of [N, C, H, W] (or unbatched [C, H, W]): each example's channel is
 * normalised by its own mean and biased variance over H×W, then optionally scaled and shifted per
 * channel. With `trackRunningStats`, training also updates running_mean / running_var with the
 * batch average of the instance means and unbiased variances (momentum), and eval mode normalises
 * with them; `num_batches_tracked` exists for state-dict compatibility and stays 0, as in PyTorch.
 * Twice differentiable (the normalisation node recomputes its statistics under createGraph).
 * @example const norm = new gl.nn.InstanceNorm2d(16, { affine: true });
 */
export class InstanceNorm2d extends Module {
  /** The learned scale (initialized to 1), or null without the affine part. */
  weight: Parameter | null;
  /** The learned shift (initialized to 0), or null without it. */
  bias: Parameter | null;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of each new batch in the running averages. */
  readonly momentum: number;
  /** Whether running mean and variance are kept (and used in eval mode). */
  readonly trackRunningStats: boolean;

  constructor(
    /** Channels C of the input [N, C, H, W]. */
    readonly numFeatures: number,
    opts: InstanceNormOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1)
      throw new ArgumentError(`InstanceNorm2d: numFeatures must be a positive integer, got ${numFeatures}`);
    const momentum = opts.momentum ?? 0.1;
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1))
      throw new ArgumentError(`InstanceNorm2d: momentum must be a number in [0, 1], got ${String(momentum)}`);
    const dtype = opts.dtype ?? 'float32';
    this.eps = opts.eps ?? 1e-5;
    this.momentum = momentum;
    this.trackRunningStats = opts.trackRunningStats ?? false;
    const affine = opts.affine ?? false;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    registerRunningStats(this, numFeatures, this.trackRunningStats, dtype);
  }

  /** The running mean (buffer `running_mean`), or null without running statistics. */
  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean') ?? null;
  }

  /** The running (unbiased) variance (buffer `running_var`), or null without running statistics. */
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var') ?? null;
  }

  override forward(x: Tensor): Tensor {
    if ((x.ndim !== 4 && x.ndim !== 3) || x.shape[x.ndim - 3] !== this.numFeatures)
      throw new ShapeError(
        `InstanceNorm2d: expected [N, ${this.numFeatures}, H, W] or [${this.numFeatures}, H, W], got ${fmtShape(x.shape)}`,
      );
    if (x.ndim === 3) return squeeze(this.forward(unsqueeze(x, 0)), 0);
    const C = this.numFeatures;
    const shape = [1, C, 1, 1];
    const w = this.weight ? reshape(this.weight, shape) : null;
    const b = this.bias ? reshape(this.bias, shape) : null;
    const useInstance = this.training || !this.trackRunningStats;
    if (!useInstance) {
      const rstd = rsqrt(add(reshape(this.runningVar!, shape), this.eps));
      let y = mul(sub(x, reshape(this.runningMean!, shape)), rstd);
      if (w) y = mul(y, w);
      if (b) y = add(y, b);
      return y;
    }
    const n = x.shape[2] * x.shape[3];
    if (n <= 1)
      throw new ArgumentError(
        `InstanceNorm2d: expected more than 1 spatial element per channel when training, got input ${fmtShape(x.shape)}`,
      );
    const { y, stats } = normalize(x, [2, 3], w, b, this.eps);
    if (this.training && this.trackRunningStats) {
      const m = this.momentum;
      const rm = this.runningMean!;
      const rv = this.runningVar!;
      noGrad(() => {
        const batchMean = reshape(mean(stats.mean, 0), [C]);
        const batchVar = mul(reshape(mean(stats.variance, 0), [C]), n / (n - 1));
        copyInto(rm, add(mul(rm, 1 - m), mul(batchMean, m)));
        copyInto(rv, add(mul(rv, 1 - m), mul(batchVar, m)));
      });
    }
    return y;
  }
}
