// ReduceLROnPlateau: divide the lr when a monitored metric has stopped improving for `patience` steps.
import { ArgumentError } from '../../core/errors.js';
import type { Json } from '../types.js';
import { integer, knownKeys, nonNegative, oneOf } from '../validate.js';
import {
  checkOptimizer,
  decodeJson,
  encodeJson,
  perGroup,
  type AnyOptimizer,
  type Schedule,
} from './base.js';

/** Options of ReduceLROnPlateau (PyTorch's defaults). */
export interface PlateauOptions {
  /** 'min' (default): lower metric is better; 'max': higher is better. */
  mode?: 'min' | 'max';
  /** lr multiplier on a plateau, in [0, 1) (default 0.1). */
  factor?: number;
  /** Non-improving steps tolerated before reducing (default 10). */
  patience?: number;
  /** Minimum change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of each group's lr (one value or one per group; default 0). */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces each group's lr by `factor` once the metric passed to `step(metric)` has not improved
 * for more than `patience` steps.
 * @example
 * const sched = new gl.optim.ReduceLROnPlateau(opt, { patience: 3 });
 * sched.step(validationLoss);
 */
export class ReduceLROnPlateau implements Schedule {
  /** The optimizer whose groups' lr is reduced. */
  readonly optimizer: AnyOptimizer;
  /** 'min': lower metric is better; 'max': higher is better. */
  mode: 'min' | 'max';
  /** lr multiplier on a plateau. */
  factor: number;
  /** Non-improving steps tolerated before reducing. */
  patience: number;
  /** Minimum change that counts as an improvement. */
  threshold: number;
  /** Whether threshold is relative to the best value or absolute. */
  thresholdMode: 'rel' | 'abs';
  /** Steps to wait after a reduction before counting again. */
  cooldown: number;
  /** Lower bound of each group's lr. */
  minLrs: number[];
  /** Reductions smaller than eps are skipped. */
  eps: number;
  /** The best metric seen so far (±Infinity before the first step). */
  best: number;
  /** Consecutive steps without improvement. */
  numBadEpochs = 0;
  /** Steps left in the cooldown after a reduction. */
  cooldownCounter = 0;
  /** Steps taken so far. */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: unknown, opts: PlateauOptions = {}) {
    const O = 'ReduceLROnPlateau';
    checkOptimizer(O, optimizer);
    knownKeys(O, opts, [
      'mode',
      'factor',
      'patience',
      'threshold',
      'thresholdMode',
      'cooldown',
      'minLr',
      'eps',
    ]);
    this.optimizer = optimizer;
    this.mode = opts.mode ?? 'min';
    oneOf(O, 'mode', this.mode, ['min', 'max']);
    this.factor = opts.factor ?? 0.1;
    nonNegative(O, 'factor', this.factor);
    if (this.factor >= 1)
      throw new ArgumentError(`${O}: invalid factor: expected a number < 1, got ${this.factor}`);
    this.patience = opts.patience ?? 10;
    integer(O, 'patience', this.patience, 0);
    this.threshold = opts.threshold ?? 1e-4;
    nonNegative(O, 'threshold', this.threshold);
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    oneOf(O, 'thresholdMode', this.thresholdMode, ['rel', 'abs']);
    this.cooldown = opts.cooldown ?? 0;
    integer(O, 'cooldown', this.cooldown, 0);
    this.minLrs = perGroup(O, 'minLr', opts.minLr ?? 0, optimizer.paramGroups.length);
    this.minLrs.forEach((m, i) => nonNegative(O, `minLr[${i}]`, m));
    this.eps = opts.eps ?? 1e-8;
    nonNegative(O, 'eps', this.eps);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min')
      return this.thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  /** Records one value of the metric (a number or a one-element tensor's value). */
  step(metric: number | { item(): number }): void {
    const current = typeof metric === 'number' ? metric : metric.item();
    if (typeof current !== 'number')
      throw new ArgumentError(`ReduceLROnPlateau.step: expected a number, got ${typeof metric}`);
    this.lastEpoch++;
    if (this.isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr;
        const next = Math.max(old * this.factor, this.minLrs[i]);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer') continue;
      const j = encodeJson(v);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }

  loadStateDict(state: Record<string, Json>): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(state)) if (k in this && k !== 'optimizer') self[k] = decodeJson(v);
  }
}
