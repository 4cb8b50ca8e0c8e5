// GhostBatchNorm1d/2d (Hoffer et al. 2017): BatchNorm over virtual batches (chunks of the batch) in training, running statistics in eval.
import { ArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { cat, narrow } from '../ops/shape.js';
import { BatchNorm1d, BatchNorm2d, type BatchNormLayerOptions } from './normalization.js';

/** Options of GhostBatchNorm1d/2d: BatchNorm's plus the virtual batch size. */
export interface GhostBatchNormOptions extends BatchNormLayerOptions {
  /** Examples per virtual ("ghost") batch; the last one holds the remainder (default 128, the paper's code). */
  virtualBatchSize?: number;
}

function checkSize(owner: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new ArgumentError(`${owner}: virtualBatchSize must be an integer >= 1, got ${v}`);
  return v;
}

/** Runs `bn` on each chunk of `size` examples in order (running statistics updated per chunk) and concatenates. */
function ghostForward(x: Tensor, size: number, bn: (chunk: Tensor) => Tensor): Tensor {
  const n = x.shape[0];
  if (n <= size) return bn(x);
  const out: Tensor[] = [];
  for (let s = 0; s < n; s += size) out.push(bn(narrow(x, 0, s, Math.min(size, n - s))));
  return cat(out, 0);
}

/**
 * Ghost batch normalisation over [N, C] or [N, C, L]: in training, BatchNorm1d applied to each chunk of
 * `virtualBatchSize` examples in turn (exactly BatchNorm on each chunk: values, gradients, and running
 * statistics updated once per chunk, in order); in eval mode the running statistics, as BatchNorm1d
 * (so eval output does not depend on the virtual batch size). A last chunk of one example without a
 * length dim is refused, as BatchNorm refuses a batch of one.
 * @example const gbn = new gl.nn.GhostBatchNorm1d(256, { virtualBatchSize: 64 });
 */
export class GhostBatchNorm1d extends BatchNorm1d {
  /** Examples per virtual batch. */
  readonly virtualBatchSize: number;
  constructor(numFeatures: number, opts: GhostBatchNormOptions = {}) {
    const { virtualBatchSize, ...bn } = opts;
    super(numFeatures, bn);
    this.virtualBatchSize = checkSize('GhostBatchNorm1d', virtualBatchSize ?? 128);
  }
  override forward(x: Tensor): Tensor {
    if (!this.training) return super.forward(x);
    return ghostForward(x, this.virtualBatchSize, (c) => super.forward(c));
  }
}

/**
 * Ghost batch normalisation over [N, C, H, W]: BatchNorm2d on each chunk of `virtualBatchSize` examples
 * in training, running statistics in eval (see GhostBatchNorm1d).
 * @example const gbn = new gl.nn.GhostBatchNorm2d(32, { virtualBatchSize: 32 });
 */
export class GhostBatchNorm2d extends BatchNorm2d {
  /** Examples per virtual batch. */
  readonly virtualBatchSize: number;
  constructor(numFeatures: number, opts: GhostBatchNormOptions = {}) {
    const { virtualBatchSize, ...bn } = opts;
    super(numFeatures, bn);
    this.virtualBatchSize = checkSize('GhostBatchNorm2d', virtualBatchSize ?? 128);
  }
  override forward(x: Tensor): Tensor {
    if (!this.training) return super.forward(x);
    return ghostForward(x, this.virtualBatchSize, (c) => super.forward(c));
  }
}
