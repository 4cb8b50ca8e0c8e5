// SGD with momentum, dampening, Nesterov momentum, L2 weight decay and maximize (PyTorch 1.13 semantics).
import { ArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { updates, type SGDHyper } from './updates.js';
import { Optimizer, type OptimizerExtras, type Params } from './optimizer.js';
import type { ParamGroup, ParamState } from './types.js';
import { boolean, nonNegative } from './validate.js';

export type { SGDHyper };
/** SGD's options: `lr` is required; momentum, dampening, weightDecay 0; nesterov, maximize false. */
export type SGDOptions = Partial<SGDHyper> & {
  /** The learning rate (required). */
  lr: number;
} & OptimizerExtras;

/**
 * Stochastic gradient descent, optionally with (Nesterov) momentum:
 * `b = momentum * b + (1 - dampening) * g` (b = g at the first step), `p -= lr * b`
 * (or `p -= lr * (g + momentum * b)` with Nesterov).
 * @example
 * const opt = new gl.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 */
export class SGD extends Optimizer<SGDHyper> {
  constructor(params: Params<SGDHyper>, options: SGDOptions) {
    const defaults: SGDHyper = {
      lr: NaN,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    };
    super('SGD', params, defaults, options ?? {});
  }

  protected checkHyper(h: SGDHyper): void {
    if (h.lr === undefined || Number.isNaN(h.lr))
      throw new ArgumentError('SGD: lr is required (e.g. { lr: 0.01 })');
    nonNegative('SGD', 'lr', h.lr);
    nonNegative('SGD', 'momentum', h.momentum);
    if (typeof h.dampening !== 'number' || !Number.isFinite(h.dampening))
      throw new ArgumentError(`SGD: invalid dampening: expected a finite number, got ${h.dampening}`);
    nonNegative('SGD', 'weightDecay', h.weightDecay);
    boolean('SGD', 'nesterov', h.nesterov);
    boolean('SGD', 'maximize', h.maximize);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0))
      throw new ArgumentError(
        `SGD: invalid nesterov: Nesterov momentum needs momentum > 0 and dampening 0, got momentum ${h.momentum}, dampening ${h.dampening}`,
      );
  }

  protected initState(): ParamState {
    return {};
  }

  protected updateParam(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<SGDHyper>): void {
    updates.sgd(p, grad, state, group);
  }
}
