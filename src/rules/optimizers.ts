// The optimizer a rule's gradient-like updates go through (`optimizer: 'adam' | 'sgd'` in every rule's options).
import type { Optimizer } from '../optim/optimizer.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import type { BaseHyper } from '../optim/types.js';
import type { Parameter } from '../nn/parameter.js';
import { ArgumentError } from '../core/errors.js';
import type { CommonRuleOptions } from './types.js';

/** Builds the rule's optimizer over `params` (Adam unless `optimizer: 'sgd'`; `lr` falls back to `defaultLr`). */
export function ruleOptimizer(
  params: Parameter[],
  opts: CommonRuleOptions,
  defaultLr: number,
): Optimizer<BaseHyper> {
  const lr = opts.lr ?? defaultLr;
  if (!(Number.isFinite(lr) && lr > 0))
    throw new ArgumentError(`rules: lr must be a number > 0, got ${opts.lr}`);
  const kind = opts.optimizer ?? 'adam';
  if (kind === 'adam') return new Adam(params, { lr }) as unknown as Optimizer<BaseHyper>;
  if (kind === 'sgd') return new SGD(params, { lr, momentum: 0.9 }) as unknown as Optimizer<BaseHyper>;
  throw new ArgumentError(`rules: optimizer must be 'adam' or 'sgd', got '${String(kind)}'`);
}

/** Disposes and drops the gradients of `params` (so memory stays flat from step to step). */
export function releaseGrads(params: readonly Parameter[]): void {
  for (const p of params) {
    const g = p.grad;
    if (g) {
      p.grad = null;
      g.dispose();
    }
  }
}
