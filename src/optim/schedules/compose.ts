// Combining schedules: SequentialLR (one after another at milestones) and ChainedScheduler (all at once).
import { ArgumentError } from '../../core/errors.js';
import type { Json } from '../types.js';
import { integer } from '../validate.js';
import { LRScheduler, bisectRight, checkOptimizer, type AnyOptimizer, type Schedule } from './base.js';

function checkSchedulers(owner: string, schedulers: readonly LRScheduler[], optimizer: AnyOptimizer): void {
  if (!Array.isArray(schedulers) || schedulers.length === 0)
    throw new ArgumentError(`${owner}: invalid schedulers: expected a non-empty array of schedulers`);
  schedulers.forEach((s, i) => {
    if (!(s instanceof LRScheduler))
      throw new ArgumentError(
        `${owner}: invalid schedulers[${i}]: expected an LRScheduler (StepLR, LinearLR...)`,
      );
    if (s.optimizer !== optimizer)
      throw new ArgumentError(`${owner}: schedulers[${i}] belongs to a different optimizer`);
  });
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` (restarted from its step 0)
 * until `milestones[1]`, and so on — e.g. a linear warm-up followed by cosine annealing.
 * @example
 * const warm = new gl.optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 * const cos = new gl.optim.CosineAnnealingLR(opt, 95);
 * const sched = new gl.optim.SequentialLR(opt, [warm, cos], [5]);
 */
export class SequentialLR implements Schedule {
  /** The optimizer whose groups' lr the schedulers set. */
  readonly optimizer: AnyOptimizer;
  /** The schedulers, in the order they run. */
  readonly schedulers: LRScheduler[];
  /** The steps at which the next scheduler takes over (one fewer than the schedulers). */
  readonly milestones: number[];
  /** Steps taken so far. */
  lastEpoch: number;
  private lastLr: number[];

  constructor(optimizer: unknown, schedulers: readonly LRScheduler[], milestones: readonly number[]) {
    checkOptimizer('SequentialLR', optimizer);
    checkSchedulers('SequentialLR', schedulers, optimizer);
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1)
      throw new ArgumentError(
        `SequentialLR: invalid milestones: expected ${schedulers.length - 1} (one fewer than the schedulers), got ${milestones?.length}`,
      );
    milestones.forEach((m, i) => integer('SequentialLR', `milestones[${i}]`, m, 0));
    this.optimizer = optimizer;
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = 0;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]._initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  step(): void {
    this.lastEpoch++;
    const idx = bisectRight(this.milestones, this.lastEpoch);
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s._stepTo(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, Json> {
    return {
      lastEpoch: this.lastEpoch,
      lastLr: [...this.lastLr],
      schedulers: this.schedulers.map((s) => s.stateDict()),
    };
  }

  loadStateDict(state: Record<string, Json>): void {
    const subs = state.schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length)
      throw new ArgumentError(
        `SequentialLR.loadStateDict: expected ${this.schedulers.length} scheduler states`,
      );
    this.lastEpoch = state.lastEpoch as number;
    this.lastLr = [...(state.lastLr as number[])];
    this.schedulers.forEach((s, i) => s.loadStateDict(subs[i] as Record<string, Json>));
  }
}

/**
 * Steps every scheduler at each step, so their (multiplicative) effects combine.
 * @example const sched = new gl.optim.ChainedScheduler([warmup, new gl.optim.ExponentialLR(opt, 0.9)]);
 */
export class ChainedScheduler implements Schedule {
  /** The optimizer of the schedulers (all must share it, else ArgumentError). */
  readonly optimizer: AnyOptimizer;
  /** The schedulers stepped, in order, at every step. */
  readonly schedulers: LRScheduler[];
  private lastLr: number[];

  constructor(schedulers: readonly LRScheduler[]) {
    checkOptimizer('ChainedScheduler', schedulers?.[0]?.optimizer);
    checkSchedulers('ChainedScheduler', schedulers, schedulers[0].optimizer);
    this.optimizer = schedulers[0].optimizer;
    this.schedulers = [...schedulers];
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, Json> {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(state: Record<string, Json>): void {
    const subs = state.schedulers;
    if (!Array.isArray(subs) || subs.length !== this.schedulers.length)
      throw new ArgumentError(
        `ChainedScheduler.loadStateDict: expected ${this.schedulers.length} scheduler states`,
      );
    this.lastLr = [...(state.lastLr as number[])];
    this.schedulers.forEach((s, i) => s.loadStateDict(subs[i] as Record<string, Json>));
  }
}
