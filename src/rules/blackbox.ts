// gl.rules.blackBox: a forward-only layer (a "physical" system): runs without recording, refuses to be differentiated.
import { customGrad } from '../core/custom.js';
import { noGrad, state } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { Module } from '../nn/module.js';
import { BlackBoxGradError } from './errors.js';

/**
 * A layer that can only be run forward, like a physical system: `fn` runs without recording a graph, and a
 * backward walk that reaches the layer throws BlackBoxGradError. `calls` counts forward calls and
 * `backwardAttempts` the backward walks that reached it (a rule that never differentiates through it keeps 0).
 * @example
 * const box = new gl.rules.BlackBox((x) => gl.tanh(x), 'phys');
 * box.forward(gl.ones([2, 3])); // runs without recording a graph
 * box.calls; // 1
 */
export class BlackBox extends Module {
  /** Forward calls so far. */
  calls = 0;
  /** Backward walks that reached the layer (each threw BlackBoxGradError). */
  backwardAttempts = 0;
  private readonly refuse: (x: Tensor) => Tensor;

  constructor(
    private readonly fn: (x: Tensor) => Tensor,
    /** The box's name in errors and in the module tree. */
    readonly label = 'blackBox',
  ) {
    super();
    this.refuse = customGrad({
      name: `blackBox(${label})`,
      forward: (_ctx, x: Tensor) => this.fn(x),
      backward: () => {
        this.backwardAttempts++;
        throw new BlackBoxGradError(
          `blackBox '${this.label}' is forward-only: a backward walk reached it (detach its input, or train with a rule that does not differentiate through it, such as 'ff-blackbox')`,
        );
      },
    });
  }

  override forward(x: Tensor): Tensor {
    this.calls++;
    if (state.gradEnabled && x.requiresGrad) return this.refuse(x);
    return noGrad(() => this.fn(x));
  }

  override extraRepr(): string {
    return this.label;
  }
}

/**
 * Wraps a forward-only function (a simulated or real physical system) as a layer: it runs without recording a
 * graph, and any attempt to differentiate through it throws BlackBoxGradError.
 * @example
 * const phys = gl.rules.blackBox((x) => gl.tanh(x), 'phys');
 * const model = new gl.nn.Sequential(phys, new gl.nn.Linear(12, 10));
 * const w = gl.ones([3, 12], { requiresGrad: true });
 * // gl.sum(phys.forward(w)).backward() throws BlackBoxGradError; phys.backwardAttempts === 1
 */
export function blackBox(fn: (x: Tensor) => Tensor, label = 'blackBox'): BlackBox {
  return new BlackBox(fn, label);
}
