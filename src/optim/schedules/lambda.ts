// LambdaLR: the lr as the initial lr times a user function of the step index.
import { ArgumentError } from '../../core/errors.js';
import { LRScheduler, perGroup } from './base.js';

/** A multiplicative factor as a function of the step index (0, 1, 2...). */
export type LrLambda = (step: number) => number;

/**
 * Sets each group's lr to `initialLr * lrLambda(step)` (one function for all groups, or one per group).
 * The functions are not part of stateDict().
 * @example const sched = new gl.optim.LambdaLR(opt, (step) => Math.min(1, (step + 1) / 100));
 */
export class LambdaLR extends LRScheduler {
  /** One factor function of the step per parameter group. */
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: unknown, lrLambda: LrLambda | readonly LrLambda[]) {
    super('LambdaLR', optimizer);
    this.lrLambdas = perGroup('LambdaLR', 'lrLambda', lrLambda, this.groups.length);
    for (const f of this.lrLambdas)
      if (typeof f !== 'function')
        throw new ArgumentError(
          `LambdaLR: invalid lrLambda: expected a function of the step, got ${typeof f}`,
        );
    this._initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const f = this.lrLambdas[i](this.lastEpoch);
      if (typeof f !== 'number' || Number.isNaN(f))
        throw new ArgumentError(`LambdaLR: lrLambda(${this.lastEpoch}) returned ${f}, expected a number`);
      return b * f;
    });
  }
}
