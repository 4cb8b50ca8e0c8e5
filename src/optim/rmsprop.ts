// RMSprop, plain or centered, with optional momentum and L2 weight decay (PyTorch 1.13 semantics).
import { keep, type Tensor } from '../core/tensor.js';
import { zerosLike } from '../ops/creation.js';
import { updates, type RMSpropHyper } from './updates.js';
import { Optimizer, type OptimizerExtras, type Params } from './optimizer.js';
import type { ParamGroup, ParamState } from './types.js';
import { boolean, nonNegative } from './validate.js';

export type { RMSpropHyper };
/** RMSprop's constructor options: any hyper-parameter (PyTorch's defaults otherwise) and the optimizer extras (transforms...). */
export type RMSpropOptions = Partial<RMSpropHyper> & OptimizerExtras;

/**
 * RMSprop: `v = alpha * v + (1 - alpha) * g^2`, `p -= lr * g / (sqrt(v) + eps)`; centered
 * subtracts the squared moving mean of g from v; momentum accumulates `g / (sqrt(v) + eps)`.
 * Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false.
 * @example const opt = new gl.optim.RMSprop(params, { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  constructor(params: Params<RMSpropHyper>, options: RMSpropOptions = {}) {
    const defaults: RMSpropHyper = {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    };
    super('RMSprop', params, defaults, options);
  }

  protected checkHyper(h: RMSpropHyper): void {
    nonNegative('RMSprop', 'lr', h.lr);
    nonNegative('RMSprop', 'eps', h.eps);
    nonNegative('RMSprop', 'momentum', h.momentum);
    nonNegative('RMSprop', 'weightDecay', h.weightDecay);
    nonNegative('RMSprop', 'alpha', h.alpha);
    boolean('RMSprop', 'centered', h.centered);
    boolean('RMSprop', 'maximize', h.maximize);
  }

  protected initState(): ParamState {
    return { step: 0 };
  }

  protected updateParam(p: Tensor, grad: Tensor, s: ParamState, group: ParamGroup<RMSpropHyper>): void {
    s.square_avg ??= keep(zerosLike(p));
    if (group.momentum > 0) s.momentum_buffer ??= keep(zerosLike(p));
    if (group.centered) s.grad_avg ??= keep(zerosLike(p));
    updates.rmsprop(p, grad, s, group);
  }
}
