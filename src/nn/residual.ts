// Residual: y = body(x) + shortcut(x), the shortcut being the identity unless a module is given.
import type { Tensor } from '../core/tensor.js';
import { add } from '../ops/elementwise.js';
import { Module } from './module.js';

/**
 * A residual connection around `body` (keys `body.*`, and `shortcut.*` for a projection shortcut).
 * @example const block = new gl.nn.Residual(new gl.nn.Sequential(new gl.nn.Linear(64, 64), new gl.nn.ReLU()));
 * block.forward(gl.randn([8, 64])).shape; // [8, 64]: x + f(x)
 */
export class Residual extends Module {
  /**
   * @param body - The residual branch.
   * @param shortcut - A projection on the skip path (e.g. a 1x1 conv when shapes change), or null for the identity.
   */
  constructor(
    readonly body: Module,
    readonly shortcut: Module | null = null,
  ) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return add(this.body.forward(x), this.shortcut ? this.shortcut.forward(x) : x);
  }
}
