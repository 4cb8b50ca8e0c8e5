// Adagrad with learning-rate decay, an initial accumulator value and L2 weight decay (PyTorch 1.13 semantics).
import { keep, type Tensor } from '../core/tensor.js';
import { fullLike } from '../ops/creation.js';
import { updates, type AdagradHyper } from './updates.js';
import { Optimizer, type OptimizerExtras, type Params } from './optimizer.js';
import type { ParamGroup, ParamState } from './types.js';
import { boolean, nonNegative } from './validate.js';

export type { AdagradHyper };
/** Adagrad's constructor options: any hyper-parameter (PyTorch's defaults otherwise) and the optimizer extras (transforms...). */
export type AdagradOptions = Partial<AdagradHyper> & OptimizerExtras;

/**
 * Adagrad: `s += g^2`, `p -= lr / (1 + (t - 1) * lrDecay) * g / (sqrt(s) + eps)`, s starting at
 * initialAccumulatorValue. Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10.
 * @example const opt = new gl.optim.Adagrad(params, { lr: 0.1, lrDecay: 1e-3 });
 */
export class Adagrad extends Optimizer<AdagradHyper> {
  constructor(params: Params<AdagradHyper>, options: AdagradOptions = {}) {
    const defaults: AdagradHyper = {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    };
    super('Adagrad', params, defaults, options);
  }

  protected checkHyper(h: AdagradHyper): void {
    nonNegative('Adagrad', 'lr', h.lr);
    nonNegative('Adagrad', 'lrDecay', h.lrDecay);
    nonNegative('Adagrad', 'weightDecay', h.weightDecay);
    nonNegative('Adagrad', 'initialAccumulatorValue', h.initialAccumulatorValue);
    nonNegative('Adagrad', 'eps', h.eps);
    boolean('Adagrad', 'maximize', h.maximize);
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradHyper>): ParamState {
    return { step: 0, sum: keep(fullLike(p, group.initialAccumulatorValue)) };
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<AdagradHyper>): void {
    updates.adagrad(p, grad, state, group);
  }
}
