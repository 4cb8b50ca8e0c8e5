// Adamax: Adam with an infinity-norm second moment (PyTorch 1.13 semantics).
import { keep, type Tensor } from '../core/tensor.js';
import { zerosLike } from '../ops/creation.js';
import { updates, type AdamaxHyper } from './updates.js';
import { Optimizer, type OptimizerExtras, type Params } from './optimizer.js';
import type { ParamGroup, ParamState } from './types.js';
import { betas, boolean, nonNegative } from './validate.js';

export type { AdamaxHyper };
/** Adamax's constructor options: any hyper-parameter (PyTorch's defaults otherwise) and the optimizer extras (transforms...). */
export type AdamaxOptions = Partial<AdamaxHyper> & OptimizerExtras;

/**
 * Adamax: `u = max(b2 * u, |g| + eps)`, `p -= lr / (1 - b1^t) * m / u`.
 * Defaults: lr 2e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0.
 * @example const opt = new gl.optim.Adamax(params, { lr: 2e-3 });
 */
export class Adamax extends Optimizer<AdamaxHyper> {
  constructor(params: Params<AdamaxHyper>, options: AdamaxOptions = {}) {
    const defaults: AdamaxHyper = {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
    };
    super('Adamax', params, defaults, options);
  }

  protected checkHyper(h: AdamaxHyper): void {
    nonNegative('Adamax', 'lr', h.lr);
    nonNegative('Adamax', 'eps', h.eps);
    betas('Adamax', h.betas);
    nonNegative('Adamax', 'weightDecay', h.weightDecay);
    boolean('Adamax', 'maximize', h.maximize);
  }

  protected initState(p: Tensor): ParamState {
    return { step: 0, exp_avg: keep(zerosLike(p)), exp_inf: keep(zerosLike(p)) };
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamaxHyper>): void {
    updates.adamax(p, grad, state, group);
  }
}
