// Step-wise decays: StepLR (every stepSize steps), MultiStepLR (at milestones), ExponentialLR (every step).
import { ArgumentError } from '../../core/errors.js';
import { integer, knownKeys, nonNegative } from '../validate.js';
import { LRScheduler, bisectRight } from './base.js';

/**
 * Multiplies the lr by `gamma` every `stepSize` steps.
 * @example const sched = new gl.optim.StepLR(opt, 30, { gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  /** Steps between two decays. */
  stepSize: number;
  /** Multiplier applied every stepSize steps (default 0.1). */
  gamma: number;

  constructor(optimizer: unknown, stepSize: number, opts: { gamma?: number } = {}) {
    super('StepLR', optimizer);
    knownKeys('StepLR', opts, ['gamma']);
    integer('StepLR', 'stepSize', stepSize, 1);
    this.stepSize = stepSize;
    this.gamma = opts.gamma ?? 0.1;
    nonNegative('StepLR', 'gamma', this.gamma);
    this._initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies the lr by `gamma` at each milestone (a step index; repeated milestones apply twice).
 * @example const sched = new gl.optim.MultiStepLR(opt, [30, 80], { gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  /** The steps at which the lr is multiplied by gamma (sorted). */
  milestones: number[];
  /** Multiplier applied at each milestone (default 0.1). */
  gamma: number;

  constructor(optimizer: unknown, milestones: readonly number[], opts: { gamma?: number } = {}) {
    super('MultiStepLR', optimizer);
    knownKeys('MultiStepLR', opts, ['gamma']);
    if (!Array.isArray(milestones))
      throw new ArgumentError(`MultiStepLR: invalid milestones: expected an array of step indices`);
    milestones.forEach((m, i) => integer('MultiStepLR', `milestones[${i}]`, m, 0));
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = opts.gamma ?? 0.1;
    nonNegative('MultiStepLR', 'gamma', this.gamma);
    this._initialStep();
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(this.milestones, this.lastEpoch));
  }
}

/**
 * Multiplies the lr by `gamma` at every step.
 * @example const sched = new gl.optim.ExponentialLR(opt, 0.95);
 */
export class ExponentialLR extends LRScheduler {
  /** Multiplier applied at every step. */
  gamma: number;

  constructor(optimizer: unknown, gamma: number) {
    super('ExponentialLR', optimizer);
    nonNegative('ExponentialLR', 'gamma', gamma);
    this.gamma = gamma;
    this._initialStep();
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}
