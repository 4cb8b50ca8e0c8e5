// A training callback that tracks sharpness (the top Hessian eigenvalue, by power iteration) against 2/η.
import { ArgumentError } from '../../core/errors.js';
import type { Callback, StepInfo } from '../../train/callbacks.js';
import type { JsonValue } from '../../train/metrics.js';
import { HessianOperator, type CurvatureOptions, type LossClosure, type ParamsLike } from './operator.js';
import { powerIterate } from './probes.js';
import { Directions } from './vectors.js';

/** One sharpness measurement. */
export interface SharpnessRecord {
  /** The optimizer step after which it was measured. */
  step: number;
  /** Top Hessian eigenvalue (largest in magnitude, by power iteration). */
  lambdaMax: number;
  /** The learning rate of the step. */
  lr: number;
  /** lambdaMax / (2 / lr): 1 is the edge of stability of gradient descent on a quadratic. */
  ratioToEdge: number;
}

/** Options of SharpnessCallback. */
export interface SharpnessOptions extends CurvatureOptions {
  /** The loss to probe, re-evaluated at the current parameters on each measurement (e.g. on a fixed batch). */
  loss: LossClosure;
  /** The parameters (a Module or a list). */
  params: ParamsLike;
  /** Measure after every `every` optimizer steps (default 25). */
  every?: number;
  /** Power iterations per measurement (default 20; each warm-starts from the previous eigenvector). */
  iters?: number;
  /** Seed of the first start vector (default 0). */
  seed?: number;
  /** Checkpoint key (default 'sharpness'). */
  key?: string;
}

/**
 * Records λ_max of the training loss's Hessian every `every` steps (power iteration warm-started from the last
 * eigenvector) and its ratio to 2/η, the edge of stability (Cohen et al. 2021). Its history is saved in checkpoints.
 * @example
 * const sharp = new gl.curvature.SharpnessCallback({ loss: () => lossFn(model.forward(xb), yb), params: model, every: 10 });
 * await gl.train.fit(model, data, { callbacks: [sharp] }); sharp.history;
 */
export class SharpnessCallback implements Callback {
  /** Checkpoint key of its state. */
  readonly key: string;
  /** Every measurement so far, in step order. */
  history: SharpnessRecord[] = [];
  private readonly opts: SharpnessOptions;
  private vector: Float64Array | null = null;

  constructor(opts: SharpnessOptions) {
    if (typeof opts?.loss !== 'function' && !Array.isArray(opts?.loss))
      throw new ArgumentError('SharpnessCallback: expected options { loss, params }, got no loss closure');
    const every = opts.every ?? 25;
    if (!Number.isInteger(every) || every < 1)
      throw new ArgumentError(`SharpnessCallback: every must be a positive integer, got ${every}`);
    this.opts = opts;
    this.key = opts.key ?? 'sharpness';
  }

  /**
   * Measures λ_max now (called by onStepEnd; callable directly outside the trainer).
   * @example
   * const model = new gl.nn.Linear(4, 2, { dtype: 'float64' });
   * const x = gl.randn([8, 4], { dtype: 'float64' });
   * const sharp = new gl.curvature.SharpnessCallback({ loss: () => model.forward(x).pow(2).mean(), params: model, iters: 10 });
   * sharp.measure(0, 0.1).lambdaMax; // the largest Hessian eigenvalue now (2/lr = 20 is the edge of stability)
   */
  measure(step: number, lr: number): SharpnessRecord {
    const op = new HessianOperator(this.opts.loss, this.opts.params, this.opts);
    const start =
      this.vector && this.vector.length === op.n
        ? this.vector
        : new Directions(this.opts.seed ?? 0).unit(op.n);
    const r = powerIterate(op, start, this.opts.iters ?? 20, 0);
    this.vector = r.vector;
    const rec = { step, lambdaMax: r.value, lr, ratioToEdge: (r.value * lr) / 2 };
    this.history.push(rec);
    return rec;
  }

  /** Measures after every `every`-th step (the trainer calls it). */
  onStepEnd(info: StepInfo): void {
    if (info.step % (this.opts.every ?? 25) === 0) this.measure(info.step, info.lr);
  }

  /** The history, saved in checkpoints. */
  stateDict(): JsonValue {
    return { history: this.history.map((r) => ({ ...r })) } as unknown as JsonValue;
  }

  /** Restores the history of a checkpoint. */
  loadStateDict(state: JsonValue): void {
    const h = (state as { history?: SharpnessRecord[] } | null)?.history;
    if (!Array.isArray(h))
      throw new ArgumentError('SharpnessCallback.loadStateDict: expected { history: [...] }');
    this.history = h.map((r) => ({ ...r }));
  }
}
