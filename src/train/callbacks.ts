// Trainer callbacks: the hook interface, what each hook receives, and EarlyStopping.
import { ArgumentError } from '../core/errors.js';
import type { JsonValue } from './metrics.js';

/** Passed to every hook: lets a callback stop training after the current step. */
export interface TrainerControl {
  /**
   * Ends fit() after the current step (`reason` is reported in the result, e.g. 'early-stopping').
   * @example
   * const stopAt100: gl.train.Callback = {
   *   onStepEnd: (_info, control) => {
   *     if (control.step >= 100) control.stop('step budget');
   *   },
   * };
   */
  stop(reason?: string): void;
  /** Optimizer steps done so far (over all epochs, resumed runs included). */
  readonly step: number;
  /** The current epoch, from 0. */
  readonly epoch: number;
}

/** After each optimizer step. */
export interface StepInfo {
  /** Steps done, from 1 (the global step of this update). */
  step: number;
  /** The epoch of this step, from 0. */
  epoch: number;
  /** Position of the batch within its epoch, from 0. */
  iteration: number;
  /** Batches per epoch. */
  stepsPerEpoch: number;
  /** This batch's value of each training metric (loss, accuracy, ...). */
  metrics: Record<string, number>;
  /** Learning rate of the first parameter group used for this step. */
  lr: number;
}

/** After each epoch, with the epoch's training metrics and, given evaluation data, `val*` metrics. */
export interface EpochInfo {
  /** The epoch that ended, from 0. */
  epoch: number;
  /** Steps done so far (global). */
  step: number;
  /** `loss`, `accuracy`, ... over the epoch, plus `valLoss`, `valAccuracy`, ... */
  metrics: Record<string, number>;
}

/** After a checkpoint file was written. */
export interface CheckpointInfo {
  /** The file written. */
  path: string;
  /** Steps done when it was written. */
  step: number;
  /** The epoch when it was written, from 0. */
  epoch: number;
  /** 'step' (every N steps), 'epoch' (at an epoch end) or 'manual'. */
  trigger: 'step' | 'epoch' | 'manual';
}

/**
 * Hooks into the training loop; every member is optional and may return a promise. A callback
 * with `stateDict`/`loadStateDict` has its state saved in checkpoints (under `key`, else its
 * position in the list), so a resumed run continues it exactly.
 *
 * @example
 * const logger: gl.train.Callback = {
 *   onEpochEnd: ({ epoch, metrics }) => console.log(epoch, metrics.loss, metrics.valAccuracy),
 * };
 */
export interface Callback {
  /** The name its state is saved under in checkpoints (default: its position in the callback list). */
  key?: string;
  /** Once, before the first epoch (also on a resumed fit). */
  onFitStart?(control: TrainerControl): void | Promise<void>;
  /** Before each epoch. */
  onEpochStart?(epoch: number, control: TrainerControl): void | Promise<void>;
  /**
   * After each optimizer step.
   * @example
   * const logger: gl.train.Callback = {
   *   onStepEnd: ({ step, metrics }) => {
   *     if (step % 100 === 0) console.log(step, metrics.loss);
   *   },
   * };
   */
  onStepEnd?(info: StepInfo, control: TrainerControl): void | Promise<void>;
  /**
   * After each epoch (and its evaluation).
   * @example
   * const logger: gl.train.Callback = {
   *   onEpochEnd: ({ epoch, metrics }) => console.log(epoch, metrics.loss, metrics.valAccuracy),
   * };
   */
  onEpochEnd?(info: EpochInfo, control: TrainerControl): void | Promise<void>;
  /** After a checkpoint file was written. */
  onCheckpoint?(info: CheckpointInfo, control: TrainerControl): void | Promise<void>;
  /** Once, when fit returns: why it stopped (null: it ran its epochs) and where. */
  onFitEnd?(result: { stopReason: string | null; step: number; epoch: number }): void | Promise<void>;
  /**
   * The callback's state as JSON, saved in checkpoints.
   * @example
   * let best = Infinity;
   * const tracker: gl.train.Callback = {
   *   key: 'best',
   *   onEpochEnd: ({ metrics }) => void (best = Math.min(best, metrics.loss)),
   *   stateDict: () => ({ best }), // saved in every checkpoint
   *   loadStateDict: (s) => void (best = (s as { best: number }).best),
   * };
   */
  stateDict?(): JsonValue;
  /**
   * Restores what stateDict returned (on resume).
   * @example
   * let seen = 0;
   * const counter: gl.train.Callback = {
   *   key: 'counter',
   *   onStepEnd: () => void seen++,
   *   stateDict: () => seen,
   *   loadStateDict: (s) => void (seen = s as number), // on resume, from the checkpoint
   * };
   */
  loadStateDict?(state: JsonValue): void;
}

/** Options of EarlyStopping. */
export interface EarlyStoppingOptions {
  /** Epoch metric to watch (default 'valLoss'). */
  monitor?: string;
  /** 'min' or 'max' (default: 'max' for names containing "acc", else 'min'). */
  mode?: 'min' | 'max';
  /** Consecutive epochs without improvement that stop training (default 5, at least 1). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
}

/**
 * Stops training once an epoch metric has not improved for `patience` epochs in a row.
 * @example
 * const stopper = new gl.train.EarlyStopping({ monitor: 'valLoss', patience: 3 });
 * await trainer.fit(loader, { epochs: 100, evalData: valLoader, callbacks: [stopper] });
 */
export class EarlyStopping implements Callback {
  /** Its state's name in checkpoints. */
  readonly key = 'earlyStopping';
  /** The epoch metric watched. */
  readonly monitor: string;
  /** Whether lower ('min') or higher ('max') is better. */
  readonly mode: 'min' | 'max';
  /** Consecutive epochs without improvement that stop training. */
  readonly patience: number;
  /** Smallest change that counts as an improvement. */
  readonly minDelta: number;
  /** The best value seen (null before the first epoch). */
  best: number | null = null;
  /** The epoch of the best value (-1 before the first epoch). */
  bestEpoch = -1;
  /** Epochs since the last improvement. */
  wait = 0;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? 'valLoss';
    this.mode = opts.mode ?? (/acc/i.test(this.monitor) ? 'max' : 'min');
    this.patience = opts.patience ?? 5;
    this.minDelta = opts.minDelta ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 1)
      throw new ArgumentError(`EarlyStopping: patience must be an integer >= 1, got ${this.patience}`);
    if (!(this.minDelta >= 0))
      throw new ArgumentError(`EarlyStopping: minDelta must be >= 0, got ${this.minDelta}`);
  }

  /** Compares the monitored metric with the best; stops training after `patience` epochs without improvement. Throws ArgumentError when the metric is absent. */
  onEpochEnd(info: EpochInfo, control: TrainerControl): void {
    const v = info.metrics[this.monitor];
    if (v === undefined)
      throw new ArgumentError(
        `EarlyStopping: no epoch metric '${this.monitor}' (have ${Object.keys(info.metrics).join(', ')}); ` +
          'val* metrics need evaluation data',
      );
    const better =
      this.best === null ||
      (this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (better) {
      this.best = v;
      this.bestEpoch = info.epoch;
      this.wait = 0;
    } else if (++this.wait >= this.patience) {
      control.stop('early-stopping');
    }
  }

  /** best, bestEpoch and wait, for checkpoints. */
  stateDict(): JsonValue {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait };
  }

  /** Restores what stateDict returned. */
  loadStateDict(s: JsonValue): void {
    const o = s as { best: number | null; bestEpoch: number; wait: number };
    this.best = o.best;
    this.bestEpoch = o.bestEpoch;
    this.wait = o.wait;
  }
}
