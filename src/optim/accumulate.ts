// Gradient accumulation: sum the gradients of N micro-batches, then step once (optionally averaging).
import type { Tensor } from '../core/tensor.js';
import { keep } from '../core/tensor.js';
import { noGrad } from '../core/state.js';
import { div } from '../ops/elementwise.js';
import type { Optimizer } from './optimizer.js';
import type { BaseHyper } from './types.js';
import { ArgumentError } from '../core/errors.js';
import { integer } from './validate.js';

/** Options of GradientAccumulator. */
export interface AccumulateOptions {
  /** Divide the summed gradients by the number of micro-batches before stepping (default true). */
  average?: boolean;
}

/**
 * Steps an optimizer once every `every` micro-batches. Call `backward`-then-`step()` per
 * micro-batch: gradients add up in `.grad` across backward calls; on the N-th call the accumulator
 * divides them by N (with `average`), runs `optimizer.step()` and `optimizer.zeroGrad()`, and
 * returns true. Do not call `zeroGrad()` yourself between micro-batches (that would drop the
 * micro-batches so far); the accumulator does it after each real step. `flush()` steps on a
 * partial accumulation (dividing by the number actually accumulated), e.g. at the end of an epoch.
 * @example
 * const acc = new gl.optim.GradientAccumulator(opt, 4);
 * for (const [x, y] of batches) {
 *   lossFn(model.forward(x), y).backward();
 *   if (acc.step()) scheduler.step();
 * }
 * acc.flush();
 */
export class GradientAccumulator<H extends BaseHyper = BaseHyper> {
  /** Micro-batches accumulated since the last real step. */
  count = 0;
  /** Divide the summed gradients by the number of micro-batches before stepping (default true). */
  readonly average: boolean;

  /**
   * @param optimizer - The optimizer stepped every `every` micro-batches.
   * @param every - Micro-batches per real step (an integer >= 1, else ArgumentError).
   */
  constructor(
    readonly optimizer: Optimizer<H>,
    readonly every: number,
    opts: AccumulateOptions = {},
  ) {
    integer('GradientAccumulator', 'every', every, 1);
    if (opts.average !== undefined && typeof opts.average !== 'boolean')
      throw new ArgumentError(
        `GradientAccumulator: invalid average: expected true or false, got ${opts.average}`,
      );
    this.average = opts.average ?? true;
  }

  /**
   * Counts one micro-batch (call after its backward); steps and returns true on every N-th.
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * const acc = new gl.optim.GradientAccumulator(new gl.optim.SGD(model.parameters(), { lr: 0.1 }), 4);
   * for (let i = 0; i < 8; i++) {
   *   gl.mseLoss(model.forward(gl.randn([2, 4])), gl.zeros([2, 2])).backward();
   *   if (acc.step()) console.log('optimizer step after micro-batch', i); // 3 and 7
   * }
   */
  step(): boolean {
    this.count++;
    if (this.count < this.every) return false;
    this.apply();
    return true;
  }

  /**
   * Steps now if any micro-batch is pending (returns whether it stepped).
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * const acc = new gl.optim.GradientAccumulator(new gl.optim.SGD(model.parameters(), { lr: 0.1 }), 4);
   * gl.mseLoss(model.forward(gl.randn([2, 4])), gl.zeros([2, 2])).backward();
   * acc.step(); // 1 of 4: no step yet
   * acc.flush(); // true: the end of the epoch steps with what is pending
   */
  flush(): boolean {
    if (this.count === 0) return false;
    this.apply();
    return true;
  }

  private apply(): void {
    const n = this.count;
    if (this.average && n > 1)
      noGrad(() => {
        for (const p of this.optimizer.parameters() as Tensor[]) if (p.grad) p.grad = keep(div(p.grad, n));
      });
    this.optimizer.step();
    this.optimizer.zeroGrad();
    this.count = 0;
  }

  /**
   * The pending micro-batch count, for checkpoints (the optimizer's state is saved separately).
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * const acc = new gl.optim.GradientAccumulator(new gl.optim.SGD(model.parameters(), { lr: 0.1 }), 4);
   * acc.stateDict(); // { count: 0 }
   */
  stateDict(): {
    /** Micro-batches accumulated since the last real step. */
    count: number;
  } {
    return { count: this.count };
  }

  /**
   * Restores the pending count (an integer >= 0, else ArgumentError).
   * @example
   * const model = new gl.nn.Linear(4, 2);
   * const acc = new gl.optim.GradientAccumulator(new gl.optim.SGD(model.parameters(), { lr: 0.1 }), 4);
   * acc.loadStateDict({ count: 2 }); // resume mid-accumulation, as saved by stateDict()
   */
  loadStateDict(s: { count: number }): void {
    integer('GradientAccumulator.loadStateDict', 'count', s?.count, 0);
    this.count = s.count;
  }
}
