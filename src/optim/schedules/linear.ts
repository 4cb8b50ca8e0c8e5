// LinearLR (linear change of a multiplicative factor, for decay or warm-up) and linearWarmup(opt, n, after).
import { ArgumentError } from '../../core/errors.js';
import { inRange, integer, knownKeys } from '../validate.js';
import { LRScheduler } from './base.js';
import { SequentialLR } from './compose.js';

/** Options of LinearLR. */
export interface LinearLROptions {
  /** Factor at step 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor from step totalIters on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Steps over which the factor moves (default 5). */
  totalIters?: number;
}

/**
 * Multiplies the initial lr by a factor moving linearly from `startFactor` to `endFactor` over
 * `totalIters` steps: a warm-up with endFactor 1, a linear decay with startFactor 1 and endFactor 0.
 * @example const decay = new gl.optim.LinearLR(opt, { startFactor: 1, endFactor: 0, totalIters: 1000 });
 */
export class LinearLR extends LRScheduler {
  /** Factor at step 0. */
  startFactor: number;
  /** Factor from step totalIters on. */
  endFactor: number;
  /** Steps over which the factor moves. */
  totalIters: number;

  constructor(optimizer: unknown, opts: LinearLROptions = {}) {
    super('LinearLR', optimizer);
    knownKeys('LinearLR', opts, ['startFactor', 'endFactor', 'totalIters']);
    this.startFactor = opts.startFactor ?? 1 / 3;
    this.endFactor = opts.endFactor ?? 1;
    this.totalIters = opts.totalIters ?? 5;
    inRange('LinearLR', 'startFactor', this.startFactor, 0, 1);
    if (this.startFactor === 0)
      throw new ArgumentError('LinearLR: invalid startFactor: expected a number in (0, 1], got 0');
    inRange('LinearLR', 'endFactor', this.endFactor, 0, 1);
    integer('LinearLR', 'totalIters', this.totalIters, 1);
    this._initialStep();
  }

  protected getLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    if (t === 0) return this.groups.map((g) => g.lr * s);
    if (t > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(n, t)) / n));
  }
}

/**
 * A linear warm-up from `startFactor * lr` to `lr` over `warmupSteps` steps, followed by `after`
 * (any LRScheduler on the same optimizer, restarted from its step 0 when the warm-up ends) or by
 * the constant lr. The result is a SequentialLR of LinearLR and `after`.
 * `startFactor` defaults to 1 / (warmupSteps + 1): lr * (t + 1) / (warmupSteps + 1) at step t.
 * @example
 * const sched = gl.optim.linearWarmup(opt, 5, new gl.optim.CosineAnnealingLR(opt, 95));
 */
export function linearWarmup(
  optimizer: unknown,
  warmupSteps: number,
  after?: LRScheduler,
  opts: { startFactor?: number } = {},
): SequentialLR | LinearLR {
  integer('linearWarmup', 'warmupSteps', warmupSteps, 1);
  knownKeys('linearWarmup', opts, ['startFactor']);
  const warm = new LinearLR(optimizer, {
    startFactor: opts.startFactor ?? 1 / (warmupSteps + 1),
    endFactor: 1,
    totalIters: warmupSteps,
  });
  return after === undefined ? warm : new SequentialLR(optimizer, [warm, after], [warmupSteps]);
}
