// The LRScheduler base class (PyTorch's chainable _LRScheduler semantics) and JSON helpers for scheduler state.
import { ArgumentError } from '../../core/errors.js';
import { Optimizer } from '../optimizer.js';
import type { BaseHyper, Json, ParamGroup } from '../types.js';

/** Any optimizer (schedules only read and write group hyper-parameters). */
export type AnyOptimizer = Optimizer<BaseHyper>;

/** What every schedule offers: step(), the last learning rates and a JSON state. */
export interface Schedule {
  /**
   * Advances the schedule one step (an epoch or a batch, as the caller decides) and sets the groups' lr.
   * @example
   * const opt = new gl.optim.SGD(new gl.nn.Linear(4, 2).parameters(), { lr: 0.1 });
   * const sched = new gl.optim.StepLR(opt, 10, { gamma: 0.5 });
   * for (let epoch = 0; epoch < 20; epoch++) {
   *   // ... one epoch of opt.step() calls ...
   *   sched.step();
   * }
   * sched.getLastLr(); // [0.025]
   */
  step(...args: never[]): void;
  /**
   * The learning rate of each parameter group after the last step.
   * @example
   * const opt = new gl.optim.SGD(new gl.nn.Linear(4, 2).parameters(), { lr: 0.1 });
   * const sched = new gl.optim.ExponentialLR(opt, 0.9);
   * sched.step();
   * sched.getLastLr(); // [0.09]
   */
  getLastLr(): number[];
  /**
   * The schedule's counters and settings as JSON (for checkpoints).
   * @example
   * const opt = new gl.optim.SGD(new gl.nn.Linear(4, 2).parameters(), { lr: 0.1 });
   * const sched = new gl.optim.CosineAnnealingLR(opt, 100);
   * const json = JSON.stringify(sched.stateDict()); // goes into the checkpoint
   */
  stateDict(): Record<string, Json>;
  /**
   * Restores what stateDict returned.
   * @example
   * const opt = new gl.optim.SGD(new gl.nn.Linear(4, 2).parameters(), { lr: 0.1 });
   * const sched = new gl.optim.StepLR(opt, 10);
   * for (let i = 0; i < 15; i++) sched.step();
   * const resumed = new gl.optim.StepLR(opt, 10);
   * resumed.loadStateDict(sched.stateDict());
   * resumed.lastEpoch; // 15
   */
  loadStateDict(state: Record<string, Json>): void;
}

/**
 * Plain data as JSON (undefined for anything holding a function or a class instance). JSON cannot
 * hold Infinity or NaN: they are stored as the strings 'Infinity', '-Infinity', 'NaN'.
 */
export function encodeJson(v: unknown): Json | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const out = v.map(encodeJson);
    return out.includes(undefined) ? undefined : (out as Json[]);
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v as object)) {
      const j = encodeJson(x);
      if (j === undefined) return undefined;
      out[k] = j;
    }
    return out;
  }
  return undefined;
}

export function decodeJson(v: Json): unknown {
  if (v === 'Infinity' || v === '-Infinity' || v === 'NaN') return Number(v);
  if (Array.isArray(v)) return v.map(decodeJson);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeJson(x)]));
  return v;
}

/** Index of the first element > x in sorted `a` (Python's bisect_right). */
export function bisectRight(a: readonly number[], x: number): number {
  let i = 0;
  while (i < a.length && a[i] <= x) i++;
  return i;
}

/** Throws unless `optimizer` is a gradlab optimizer. */
export function checkOptimizer(owner: string, optimizer: unknown): asserts optimizer is AnyOptimizer {
  if (!(optimizer instanceof Optimizer))
    throw new ArgumentError(
      `${owner}: expected an optimizer (gl.optim.SGD, Adam...), got ${typeof optimizer}`,
    );
}

/** Expands a per-group value: one value for all groups, or an array with one per group. */
export function perGroup<T>(owner: string, name: string, v: T | readonly T[], groups: number): T[] {
  if (!Array.isArray(v)) return new Array<T>(groups).fill(v as T);
  if (v.length !== groups)
    throw new ArgumentError(
      `${owner}: invalid ${name}: expected ${groups} values (one per group), got ${v.length}`,
    );
  return [...v];
}

/**
 * Base class of the epoch/step-indexed schedules. Like PyTorch: construction records each group's
 * `initialLr` and performs step 0; each `step()` advances `lastEpoch` and sets every group's lr
 * (mostly by the recursive, chainable formula, so schedules can be combined). Call `step()` after
 * `optimizer.step()`.
 * @example
 * class HalveEvery extends gl.optim.LRScheduler {
 *   constructor(optimizer: gl.optim.SGD, readonly period: number) {
 *     super('HalveEvery', optimizer);
 *     this._initialStep();
 *   }
 *   protected getLr(): number[] {
 *     const decay = this.lastEpoch > 0 && this.lastEpoch % this.period === 0;
 *     return this.optimizer.paramGroups.map((g) => (decay ? g.lr / 2 : g.lr));
 *   }
 * }
 * const sched = new HalveEvery(new gl.optim.SGD(new gl.nn.Linear(4, 2).parameters(), { lr: 0.1 }), 5);
 * for (let i = 0; i < 5; i++) sched.step();
 * sched.getLastLr(); // [0.05]
 */
export abstract class LRScheduler implements Schedule {
  /** The optimizer whose groups' `lr` this schedule sets. */
  readonly optimizer: AnyOptimizer;
  /** The initial learning rates of the groups. */
  baseLrs: number[];
  /** Index of the last step taken (0 after construction). */
  lastEpoch = -1;
  /** step() calls so far, including the one in the constructor. */
  stepCount = 0;
  /** The learning rates set by the last step (getLastLr returns a copy). */
  protected lastLr: number[] = [];

  protected constructor(owner: string, optimizer: unknown) {
    checkOptimizer(owner, optimizer);
    this.optimizer = optimizer;
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** The groups being scheduled. */
  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  /**
   * The learning rates for the current lastEpoch (chainable form).
   * @example
   * // doc-test: fragment: a method of an LRScheduler subclass (the class example shows a whole one)
   * protected getLr(): number[] {
   *   return this.optimizer.paramGroups.map((g) => g.lr * 0.9); // chainable: from the current lr
   * }
   */
  protected abstract getLr(): number[];

  /**
   * The learning rates as a function of lastEpoch alone, where a closed form exists.
   * @example
   * // doc-test: fragment: a method of an LRScheduler subclass (the class example shows a whole one)
   * protected closedFormLr(): number[] {
   *   return this.baseLrs.map((b) => b * 0.9 ** this.lastEpoch); // from lastEpoch alone
   * }
   */
  protected closedFormLr?(): number[];

  /** @internal PyTorch's _initial_step: resets the step count and takes step 0. */
  _initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** Advances one step and sets each group's lr. */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    this.setLrs(this.getLr());
  }

  /** @internal jumps to `epoch` (closed form where there is one), as SequentialLR does at a milestone. */
  _stepTo(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.setLrs(this.closedFormLr ? this.closedFormLr() : this.getLr());
  }

  /**
   * Sets every group's lr (one value per group) and records them as the last ones.
   * @example
   * // doc-test: fragment: inside an LRScheduler subclass, e.g. a step() that sets the rates directly
   * this.setLrs(this.baseLrs.map((b) => b * 0.5));
   */
  protected setLrs(lrs: number[]): void {
    this.groups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.groups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Every field except the optimizer and functions, as JSON. */
  stateDict(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer') continue;
      const j = encodeJson(v);
      if (j !== undefined) out[k] = j;
    }
    return out;
  }

  /** Restores what stateDict returned (the optimizer is not part of it). */
  loadStateDict(state: Record<string, Json>): void {
    if (typeof state !== 'object' || state === null)
      throw new ArgumentError(`${this.constructor.name}.loadStateDict: expected an object`);
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(state)) if (k in this && k !== 'optimizer') self[k] = decodeJson(v);
  }
}
