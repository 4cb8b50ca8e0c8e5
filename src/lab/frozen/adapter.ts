// Bottleneck adapter (Houlsby et al. 2019): a frozen block followed by a trainable residual x + Up(ReLU(Down(x))).
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { add } from '../../ops/elementwise.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';

/**
 * Wraps a block whose output has `width` features: the block is frozen, and a bottleneck of
 * `bottleneck` units is added after it, y = h + Up(ReLU(Down(h))) with h = block(x). Up starts at
 * zero, so the adapted block starts equal to the block.
 * @example
 * const blocks = backbone.map((b) => new gl.lab.frozen.BottleneckAdapter(b, 128, 16));
 */
export class BottleneckAdapter extends Module {
  /** width → bottleneck. */
  readonly down: Linear;
  /** bottleneck → width, zero at the start. */
  readonly up: Linear;

  /**
   * @param block - The block adapted; its parameters are frozen.
   * @param width - Features of the block's output.
   * @param bottleneck - Units of the bottleneck.
   */
  constructor(
    readonly block: Module,
    width: number,
    bottleneck: number,
  ) {
    super();
    if (!Number.isInteger(bottleneck) || bottleneck < 1 || !Number.isInteger(width) || width < 1)
      throw new ArgumentError(
        `BottleneckAdapter: expected positive integer width and bottleneck, got ${width} and ${bottleneck}`,
      );
    block.requiresGrad_(false);
    this.down = new Linear(width, bottleneck);
    this.up = new Linear(bottleneck, width);
    noGrad(() => {
      this.up.weight.zero_();
      this.up.bias?.zero_();
    });
  }

  override forward(x: Tensor): Tensor {
    const h = this.block.forward(x) as Tensor;
    return add(h, this.up.forward(this.down.forward(h).relu()));
  }
}
