// Adam (optionally AMSGrad) with L2 weight decay, and AdamW with decoupled weight decay (PyTorch 1.13 semantics).
import { keep, type Tensor } from '../core/tensor.js';
import { zerosLike } from '../ops/creation.js';
import { updates, type AdamHyper } from './updates.js';
import { Optimizer, type OptimizerExtras, type Params } from './optimizer.js';
import type { ParamGroup, ParamState } from './types.js';
import { betas, boolean, nonNegative } from './validate.js';

export type { AdamHyper };
/** Adam's and AdamW's options. */
export type AdamOptions = Partial<AdamHyper> & OptimizerExtras;

/** Checks Adam-family hyper-parameters. */
function checkAdam(owner: string, h: AdamHyper): void {
  nonNegative(owner, 'lr', h.lr);
  nonNegative(owner, 'eps', h.eps);
  betas(owner, h.betas);
  nonNegative(owner, 'weightDecay', h.weightDecay);
  boolean(owner, 'amsgrad', h.amsgrad);
  boolean(owner, 'maximize', h.maximize);
}

/** State of an Adam-family parameter: step, exp_avg, exp_avg_sq (and max_exp_avg_sq with amsgrad). */
function adamState(p: Tensor, group: ParamGroup<AdamHyper>): ParamState {
  const s: ParamState = { step: 0, exp_avg: keep(zerosLike(p)), exp_avg_sq: keep(zerosLike(p)) };
  if (group.amsgrad) s.max_exp_avg_sq = keep(zerosLike(p));
  return s;
}

/**
 * Adam: bias-corrected moving averages of the gradient and its square;
 * `p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`. Defaults: lr 1e-3,
 * betas [0.9, 0.999], eps 1e-8, weightDecay 0 (added to the gradient), amsgrad false.
 * @example const opt = new gl.optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamHyper> {
  constructor(params: Params<AdamHyper>, options: AdamOptions = {}) {
    const defaults: AdamHyper = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    };
    super('Adam', params, defaults, options);
  }

  protected checkHyper(h: AdamHyper): void {
    checkAdam('Adam', h);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamHyper>): ParamState {
    return adamState(p, group);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamHyper>): void {
    if (group.amsgrad && !state.max_exp_avg_sq) state.max_exp_avg_sq = keep(zerosLike(p));
    updates.adam(p, grad, state, group);
  }
}

/**
 * AdamW: Adam with decoupled weight decay (`p *= 1 - lr * weightDecay` before the Adam step).
 * Defaults as Adam but weightDecay 1e-2.
 * @example const opt = new gl.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends Optimizer<AdamHyper> {
  constructor(params: Params<AdamHyper>, options: AdamOptions = {}) {
    const defaults: AdamHyper = {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 1e-2,
      amsgrad: false,
      maximize: false,
    };
    super('AdamW', params, defaults, options);
  }

  protected checkHyper(h: AdamHyper): void {
    checkAdam('AdamW', h);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamHyper>): ParamState {
    return adamState(p, group);
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdamHyper>): void {
    if (group.amsgrad && !state.max_exp_avg_sq) state.max_exp_avg_sq = keep(zerosLike(p));
    updates.adamw(p, grad, state, group);
  }
}
