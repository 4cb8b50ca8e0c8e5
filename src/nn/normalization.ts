// Normalisation layers: BatchNorm1d/2d (running statistics, momentum), LayerNorm, GroupNorm.
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { full, ones, zeros } from '../ops/creation.js';
import { add, cast, div, mul, rsqrt, sub } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { batchNorm, layerNorm } from '../ops/nn.js';
import { mean } from '../ops/reduce.js';
import { reshape } from '../ops/shape.js';
import type { DType } from '../core/dtype.js';
import type { FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/**
 * Registers a normalization layer's running-statistic buffers (running_mean 0, running_var 1 and an int32
 * num_batches_tracked over `numFeatures` channels), or the same names as null without running statistics.
 */
export function registerRunningStats(m: Module, numFeatures: number, track: boolean, dtype: DType): void {
  m.registerBuffer('running_mean', track ? zeros([numFeatures], { dtype }) : null);
  m.registerBuffer('running_var', track ? ones([numFeatures], { dtype }) : null);
  m.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int32' }) : null);
}

/** Options of BatchNorm1d and BatchNorm2d. */
export interface BatchNormLayerOptions extends FactoryOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running averages (default 0.1); null = cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true). */
  trackRunningStats?: boolean;
}

/** Shared by BatchNorm1d and BatchNorm2d; `dims` lists the input ranks accepted. */
abstract class BatchNormBase extends Module {
  /** The learned scale (initialized to 1), or null without the affine part. */
  weight: Parameter | null;
  /** The learned shift (initialized to 0), or null without it. */
  bias: Parameter | null;
  /** Added to the variance before the square root. */
  readonly eps: number;
  /** Weight of each new batch in the running averages; null for a cumulative average. */
  readonly momentum: number | null;
  /** Whether running mean and variance are kept (and used in eval mode). */
  readonly trackRunningStats: boolean;
  /** Input ranks this layer accepts. */
  protected abstract readonly ranks: readonly number[];

  constructor(
    /** Channels C of the input [N, C, ...]. */
    readonly numFeatures: number,
    opts: BatchNormLayerOptions = {},
  ) {
    super();
    const dtype = opts.dtype ?? 'float32';
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    registerRunningStats(this, numFeatures, this.trackRunningStats, dtype);
  }

  /** The running mean (buffer `running_mean`), or null without running statistics. */
  get runningMean(): Tensor | null {
    return this.getBuffer('running_mean') ?? null;
  }

  /** The running (unbiased) variance (buffer `running_var`). */
  get runningVar(): Tensor | null {
    return this.getBuffer('running_var') ?? null;
  }

  /** Training batches seen (buffer `num_batches_tracked`, int32 here, int64 in PyTorch). */
  get numBatchesTracked(): Tensor | null {
    return this.getBuffer('num_batches_tracked') ?? null;
  }

  /** Running statistics back to mean 0, variance 1, count 0. */
  resetRunningStats(): void {
    noGrad(() => {
      if (this.runningMean) copyInto(this.runningMean, 0);
      if (this.runningVar) copyInto(this.runningVar, 1);
      if (this.numBatchesTracked) copyInto(this.numBatchesTracked, 0);
    });
  }

  override forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.ndim) || x.shape[1] !== this.numFeatures)
      throw new ShapeError(
        `${this.constructor.name}: expected a ${this.ranks.join('-D or ')}-D input with ${this.numFeatures} channels in dim 1, got ${fmtShape(x.shape)}`,
      );
    const useBatch = this.training || !this.trackRunningStats;
    const update = this.training && this.trackRunningStats;
    let momentum = this.momentum ?? 0;
    // the cumulative average's weight 1/count stays on the device where reads are asynchronous
    const cumulativeOnDevice = update && this.momentum === null && !x.storage.backend.capabilities.syncRead;
    if (update) {
      const count = this.numBatchesTracked!;
      noGrad(() => copyInto(count, add(count, 1)));
      if (this.momentum === null && !cumulativeOnDevice) momentum = 1 / count.item();
    }
    if (useBatch && x.numel / this.numFeatures <= 1)
      throw new ArgumentError(
        `${this.constructor.name}: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`,
      );
    if (cumulativeOnDevice) return this.cumulativeForward(x);
    return batchNorm(
      x,
      update ? this.runningMean : useBatch ? null : this.runningMean,
      update ? this.runningVar : useBatch ? null : this.runningVar,
      this.weight,
      this.bias,
      { training: useBatch, momentum, eps: this.eps },
    );
  }

  /**
   * Training with momentum null without reading the count: batchNorm writes the batch mean and
   * unbiased variance into scratch buffers (momentum 1), then running = running * (1 - 1/count) +
   * batch * (1/count) on the device. Equal to the CPU path up to float32 rounding of 1/count.
   */
  private cumulativeForward(x: Tensor): Tensor {
    const rm = this.runningMean!;
    const rv = this.runningVar!;
    const batchMean = zeros([this.numFeatures], { dtype: rm.dtype });
    const batchVar = zeros([this.numFeatures], { dtype: rv.dtype });
    const y = batchNorm(x, batchMean, batchVar, this.weight, this.bias, {
      training: true,
      momentum: 1,
      eps: this.eps,
    });
    noGrad(() =>
      tidy(() => {
        const m = div(1, cast(this.numBatchesTracked!, rm.dtype));
        const keepOld = sub(1, m);
        copyInto(rm, add(mul(rm, keepOld), mul(batchMean, m)));
        copyInto(rv, add(mul(rv, keepOld), mul(batchVar, m)));
      }),
    );
    batchMean.dispose();
    batchVar.dispose();
    return y;
  }
}

/**
 * Batch normalisation over [N, C] or [N, C, L], per channel C.
 * @example const bn = new gl.nn.BatchNorm1d(64);
 */
export class BatchNorm1d extends BatchNormBase {
  /** Input ranks this layer accepts. */
  protected readonly ranks = [2, 3];
}

/**
 * Batch normalisation over [N, C, H, W], per channel. Training uses the batch statistics and updates
 * the running ones; eval() uses the running ones.
 * @example const bn = new gl.nn.BatchNorm2d(32, { momentum: 0.1 });
 */
export class BatchNorm2d extends BatchNormBase {
  /** Input ranks this layer accepts. */
  protected readonly ranks = [4];
}

/**
 * Normalises over the trailing `normalizedShape` dims, with elementwise scale and shift.
 * @example new gl.nn.LayerNorm(512).forward(gl.randn([2, 10, 512])).shape; // [2, 10, 512]
 */
export class LayerNorm extends Module {
  /** The learned scale (initialized to 1), or null without the affine part. */
  weight: Parameter | null;
  /** The learned shift (initialized to 0), or null without it. */
  bias: Parameter | null;
  /** The trailing dims normalized over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance before the square root. */
  readonly eps: number;

  constructor(
    normalizedShape: number | readonly number[],
    opts: FactoryOptions & { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    const dtype = opts.dtype ?? 'float32';
    this.weight = affine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = affine && opts.bias !== false ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  override forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }
}

/**
 * Normalises [N, C, ...] over groups of C/numGroups channels (and all spatial positions), then
 * applies a per-channel scale and shift.
 * @example new gl.nn.GroupNorm(4, 32).forward(gl.randn([2, 32, 8, 8])).shape; // [2, 32, 8, 8]
 */
export class GroupNorm extends Module {
  /** The learned scale (initialized to 1), or null without the affine part. */
  weight: Parameter | null;
  /** The learned shift (initialized to 0), or null without it. */
  bias: Parameter | null;
  /** Added to the variance before the square root. */
  readonly eps: number;

  constructor(
    /** Groups the channels are split into (must divide numChannels). */
    readonly numGroups: number,
    /** Channels C of the input [N, C, ...]. */
    readonly numChannels: number,
    opts: FactoryOptions & { eps?: number; affine?: boolean } = {},
  ) {
    super();
    if (!Number.isInteger(numGroups) || numGroups < 1 || numChannels % numGroups !== 0)
      throw new ArgumentError(
        `GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`,
      );
    this.eps = opts.eps ?? 1e-5;
    const dtype = opts.dtype ?? 'float32';
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(full([numChannels], 1, { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels)
      throw new ShapeError(`GroupNorm: expected [N, ${this.numChannels}, ...], got ${fmtShape(x.shape)}`);
    const N = x.shape[0];
    const g = reshape(x, [N, this.numGroups, -1]);
    const mu = mean(g, 2, true);
    const centered = sub(g, mu);
    const v = mean(mul(centered, centered), 2, true);
    let y = reshape(mul(centered, rsqrt(add(v, this.eps))), x.shape);
    const shape = x.shape.map((d, i) => (i === 1 ? d : 1));
    if (this.weight) y = mul(y, reshape(this.weight, shape));
    if (this.bias) y = add(y, reshape(this.bias, shape));
    return y;
  }
}
