// Dropout: zeroes activations with probability p in training mode, identity in eval mode.
import { ArgumentError } from '../core/errors.js';
import type { Generator } from '../core/random/generator.js';
import type { Tensor } from '../core/tensor.js';
import { dropout } from '../ops/nn.js';
import { Module } from './module.js';

/**
 * Zeroes each element with probability `p` and scales the rest by 1/(1-p) while training; the
 * identity after eval(). Draws from `generator` (default: the global seeded stream).
 * @example const drop = new gl.nn.Dropout(0.1);
 * drop.forward(gl.ones([2, 4])); // in training mode: each entry 0 (p = 0.1) or 1 / 0.9
 */
export class Dropout extends Module {
  /** The stream the masks are drawn from (undefined: the global one). */
  readonly generator: Generator | undefined;
  /** @param p - Probability of zeroing each element, in [0, 1] (else ArgumentError). */
  constructor(
    readonly p = 0.5,
    opts: { generator?: Generator } = {},
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ArgumentError(`Dropout: p must be in [0, 1], got ${p}`);
    this.generator = opts.generator;
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training, { generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
