// Adversarial training (Madry et al. 2018): PGD in the training loop, as the `adversarial` option of gl.train's Trainer.
import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../core/tensor.js';
import { pgd, type PgdOptions } from './pgd.js';

/**
 * The `adversarial` option of `gl.train.Trainer` / `gl.train.fit` for PGD adversarial training: every batch is
 * replaced by its PGD adversarial version (attacking the current weights, in eval mode, `.grad` untouched).
 * @example
 * const trainer = new gl.train.Trainer({ model, optimizer,
 *   adversarial: gl.attacks.pgdTraining({ eps: 0.1, alpha: 0.025, steps: 7, generator: new gl.Generator(0) }) });
 */
export function pgdTraining(opts: PgdOptions = {}): (model: Module, x: Tensor, y: Tensor) => Tensor {
  return (model, x, y) => pgd(model, x, y, opts);
}
