// Large-batch regime adaptation (Hoffer et al. 2017): √-scaled learning rates and a schedule multiplier keyed on samples seen.
import { ArgumentError } from '../../core/errors.js';
import { integer, knownKeys, nonNegative, positive } from '../validate.js';
import { LRScheduler } from './base.js';

/** The large-batch adjustments for a batch size against a reference one. */
export interface Regime {
  /** Multiply the reference lr by this: (B / B_ref)^lrPower (√ by default). */
  lrScale: number;
  /** Stretch every regime length (epochs, milestones) by this: ceil(B / B_ref) with adaptation, else 1. */
  stretch: number;
}

/**
 * The paper's fixes for training with batch `batchSize` instead of `refBatchSize`: the lr scale
 * (B/B_ref)^0.5 ("√-scaled learning rate") and, with `adapt` (default true), the regime stretch
 * ceil(B/B_ref) so that the large-batch run makes as many updates as the reference one.
 * @example
 * const r = gl.optim.regimeAdaptation(1024, 64); // { lrScale: 4, stretch: 16 }
 * new gl.optim.SGD(new gl.nn.Linear(2, 1).parameters(), { lr: 0.1 * r.lrScale, momentum: 0.9 });
 */
export function regimeAdaptation(
  batchSize: number,
  refBatchSize: number,
  opts: { lrPower?: number; adapt?: boolean } = {},
): Regime {
  integer('regimeAdaptation', 'batchSize', batchSize, 1);
  integer('regimeAdaptation', 'refBatchSize', refBatchSize, 1);
  knownKeys('regimeAdaptation', opts, ['lrPower', 'adapt']);
  const p = opts.lrPower ?? 0.5;
  nonNegative('regimeAdaptation', 'lrPower', p);
  return {
    lrScale: (batchSize / refBatchSize) ** p,
    stretch: opts.adapt === false ? 1 : Math.ceil(batchSize / refBatchSize),
  };
}

/** A factor of the lr as a function of the training samples seen (in reference-regime units). */
export type SampleMultiplier = (samples: number) => number;

/**
 * A step regime keyed on samples: gamma^k where k is the number of `milestones` (in samples) ≤ samples.
 * @example const m = gl.optim.milestoneMultiplier([600_000, 1_200_000], 0.1); m(700_000); // 0.1
 */
export function milestoneMultiplier(milestones: readonly number[], gamma = 0.1): SampleMultiplier {
  for (const m of milestones) nonNegative('milestoneMultiplier', 'milestones', m);
  positive('milestoneMultiplier', 'gamma', gamma);
  const sorted = [...milestones].sort((a, b) => a - b);
  return (s) => gamma ** sorted.filter((m) => m <= s).length;
}

/** Options of SampleCountLR. */
export interface SampleCountOptions {
  /** Samples per step (the default advance of step()). */
  batchSize: number;
  /** The regime's factor of samples seen (default: 1 always). */
  multiplier?: SampleMultiplier;
  /** Regime stretch: the multiplier is read at samplesSeen / stretch (default 1; regimeAdaptation's `stretch`). */
  stretch?: number;
  /** A constant factor on top (default 1; regimeAdaptation's `lrScale`). */
  lrScale?: number;
}

/**
 * Sets each group's lr to `initialLr · lrScale · multiplier(samplesSeen / stretch)`, where samplesSeen grows
 * by `batchSize` (or step(n)'s n) per step: a regime written once in samples of the reference run, used
 * unchanged by large-batch runs (stretch 1) or adapted to them (stretch = ceil(B/B_ref)).
 * @example
 * const r = gl.optim.regimeAdaptation(1024, 64);
 * const opt = new gl.optim.SGD(new gl.nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * const sched = new gl.optim.SampleCountLR(opt, { batchSize: 1024, ...r, multiplier: gl.optim.milestoneMultiplier([6e5], 0.1) });
 * sched.step(); // after each optimizer.step()
 */
export class SampleCountLR extends LRScheduler {
  /** Samples seen so far. */
  samplesSeen = 0;
  /** Samples per step. */
  readonly batchSize: number;
  /** Regime stretch. */
  readonly stretch: number;
  /** Constant factor. */
  readonly lrScale: number;
  private readonly multiplier: SampleMultiplier;

  constructor(optimizer: unknown, opts: SampleCountOptions) {
    super('SampleCountLR', optimizer);
    knownKeys('SampleCountLR', opts ?? {}, ['batchSize', 'multiplier', 'stretch', 'lrScale']);
    integer('SampleCountLR', 'batchSize', opts?.batchSize, 1);
    this.batchSize = opts.batchSize;
    this.stretch = opts.stretch ?? 1;
    positive('SampleCountLR', 'stretch', this.stretch);
    this.lrScale = opts.lrScale ?? 1;
    positive('SampleCountLR', 'lrScale', this.lrScale);
    this.multiplier = opts.multiplier ?? (() => 1);
    if (typeof this.multiplier !== 'function')
      throw new ArgumentError(
        `SampleCountLR: multiplier must be a function of samples, got ${typeof this.multiplier}`,
      );
    this._initialStep();
  }

  /** Advances by `samples` (default batchSize; none at the constructor's step 0) and sets the lrs. */
  override step(samples?: number): void {
    if (this.stepCount > 0) {
      const n = samples ?? this.batchSize;
      nonNegative('SampleCountLR.step', 'samples', n);
      this.samplesSeen += n;
    }
    super.step();
  }

  protected getLr(): number[] {
    const f = this.multiplier(this.samplesSeen / this.stretch);
    if (typeof f !== 'number' || Number.isNaN(f))
      throw new ArgumentError(
        `SampleCountLR: multiplier(${this.samplesSeen / this.stretch}) returned ${f}, expected a number`,
      );
    return this.baseLrs.map((b) => b * this.lrScale * f);
  }
}
