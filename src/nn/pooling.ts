// Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d.
import type { Tensor } from '../core/tensor.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, type PoolOptions } from '../ops/nn.js';
import { Module } from './module.js';
import type { Pair } from './util.js';

/**
 * Max over kernel windows of [N, C, H, W] (stride defaults to the kernel size).
 * @example new gl.nn.MaxPool2d(2).forward(gl.randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]: halves H and W
 */
export class MaxPool2d extends Module {
  /**
   * @param kernelSize - Window size, one number or [h, w].
   * @param opts - stride (default: the kernel size), padding, dilation.
   */
  constructor(
    readonly kernelSize: Pair,
    readonly opts: Omit<PoolOptions, 'countIncludePad'> = {},
  ) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.opts);
  }
}

/**
 * Mean over kernel windows (padding counted unless `countIncludePad` is false).
 * @example new gl.nn.AvgPool2d(2).forward(gl.randn([1, 3, 8, 8])).shape; // [1, 3, 4, 4]
 */
export class AvgPool2d extends Module {
  /**
   * @param kernelSize - Window size, one number or [h, w].
   * @param opts - stride (default: the kernel size), padding, countIncludePad (default true).
   */
  constructor(
    readonly kernelSize: Pair,
    readonly opts: Omit<PoolOptions, 'dilation'> = {},
  ) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.opts);
  }
}

/**
 * Average pooling to a fixed output size.
 * @example new gl.nn.AdaptiveAvgPool2d(1).forward(gl.randn([2, 3, 8, 8])).shape; // [2, 3, 1, 1]
 */
export class AdaptiveAvgPool2d extends Module {
  /** @param outputSize - [H, W] of the output, or one number for both. */
  constructor(readonly outputSize: Pair) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}
