// Training metrics: running averages over an epoch (loss, accuracy, top-k), resumable through a JSON state.
import { ArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { noGrad } from '../core/state.js';
import { AURC, ExpectedCalibrationError, NegativeLogLikelihood } from './calibration.js';
import { MeanMetric } from './mean-metric.js';

/** Plain JSON, as saved in checkpoints. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/**
 * A metric accumulated over the batches of an epoch. `update` sees each batch's model output,
 * target and (mean) loss, and returns the batch's own value (for per-step logging), or a promise
 * of it; `compute` returns the value over all batches since `reset`. `state`/`loadState` let a
 * checkpoint taken mid-epoch resume the running value exactly.
 *
 * The Trainer awaits what `update` returns, after the step's tensors are released, so a metric that
 * reads its value with `await t.itemAsync()` (or `t.data()`) works on every backend, webgpu
 * included; it must start the read (call `itemAsync`/`data`) before returning, as the built-ins do.
 * A synchronous `item()` works only where `backend.capabilities.syncRead` holds.
 *
 * @example
 * // mean absolute error, weighted by batch size; reads asynchronously, so it runs on every backend
 * class MAE implements gl.train.Metric {
 *   name = 'mae'; private sum = 0; private n = 0;
 *   async update(out: gl.Tensor, y: gl.Tensor) {
 *     const v = await out.sub(y).abs().mean().itemAsync(); const k = y.shape[0];
 *     this.sum += v * k; this.n += k; return v;
 *   }
 *   compute() { return this.n ? this.sum / this.n : NaN; }
 *   reset() { this.sum = 0; this.n = 0; }
 *   state() { return { sum: this.sum, n: this.n }; }
 *   loadState(s: any) { this.sum = s.sum; this.n = s.n; }
 * }
 */
export interface Metric {
  /** The key the value is reported under (`loss`, `accuracy`; `val` + Name for evaluation). */
  readonly name: string;
  /**
   * Adds one batch (model output, target, loss) and returns the batch's own value.
   * @example
   * const m: gl.train.Metric = new gl.train.Accuracy();
   * await m.update(gl.tensor([[0.1, 0.9], [0.8, 0.2]]), gl.tensor([1, 1], { dtype: 'int32' }), gl.tensor(0.3)); // 0.5
   */
  update(output: Tensor, target: Tensor, loss: Tensor): number | Promise<number>;
  /**
   * The value over the batches since the last reset (NaN when there were none).
   * @example
   * const m: gl.train.Metric = new gl.train.Accuracy();
   * await m.update(gl.tensor([[0.1, 0.9]]), gl.tensor([1], { dtype: 'int32' }), gl.tensor(0.3));
   * await m.update(gl.tensor([[0.1, 0.9]]), gl.tensor([0], { dtype: 'int32' }), gl.tensor(0.9));
   * m.compute(); // 0.5
   */
  compute(): number;
  /**
   * Forgets the batches seen (at the start of every epoch).
   * @example
   * const m: gl.train.Metric = new gl.train.Accuracy();
   * await m.update(gl.tensor([[0.1, 0.9]]), gl.tensor([1], { dtype: 'int32' }), gl.tensor(0.3));
   * m.reset();
   * m.compute(); // NaN
   */
  reset(): void;
  /**
   * The running state as JSON (saved in checkpoints mid-epoch).
   * @example
   * const m: gl.train.Metric = new gl.train.Accuracy();
   * await m.update(gl.tensor([[0.1, 0.9]]), gl.tensor([1], { dtype: 'int32' }), gl.tensor(0.3));
   * JSON.stringify(m.state()); // '{"sum":1,"count":1}'
   */
  state(): JsonValue;
  /**
   * Restores what state returned.
   * @example
   * const m: gl.train.Metric = new gl.train.Accuracy();
   * await m.update(gl.tensor([[0.1, 0.9]]), gl.tensor([1], { dtype: 'int32' }), gl.tensor(0.3));
   * const resumed: gl.train.Metric = new gl.train.Accuracy();
   * resumed.loadState(m.state());
   * resumed.compute(); // 1
   */
  loadState(state: JsonValue): void;
}

/**
 * Starts an asynchronous read of the scalar `t` now, then releases `t` (the read was queued before
 * the release, so later work cannot overwrite it); resolves to its value on every backend.
 */
function readScalar(t: Tensor): Promise<number> {
  const pending = t.itemAsync();
  t.dispose();
  return pending;
}

/**
 * The mean of the loss, weighted by batch size (one asynchronous scalar read per batch).
 * @example
 * const m = new gl.train.LossMetric();
 * await m.update(gl.zeros([2, 3]), gl.zeros([2]), gl.tensor(0.5));
 * await m.update(gl.zeros([6, 3]), gl.zeros([6]), gl.tensor(1.5));
 * m.compute(); // 1.25: weighted by batch size
 */
export class LossMetric extends MeanMetric {
  /** Reported as `loss` (and `valLoss`). */
  readonly name = 'loss';
  /** Adds the batch's mean loss with weight target.shape[0]; resolves to the batch loss. */
  async update(_output: Tensor, target: Tensor, loss: Tensor): Promise<number> {
    const v = await loss.itemAsync();
    const n = target.shape[0] ?? 1;
    this.sum += v * n;
    this.count += n;
    return v;
  }
}

/**
 * Classification accuracy of the arg-max of dimension 1 (`topK` > 1: the target among the k largest).
 * @example
 * const acc = new gl.train.Accuracy();
 * await acc.update(gl.tensor([[0.1, 0.9], [0.8, 0.2]]), gl.tensor([1, 1], { dtype: 'int32' }));
 * acc.compute(); // 0.5
 */
export class Accuracy extends MeanMetric {
  /** `accuracy`, or `top<k>Accuracy` for topK > 1. */
  readonly name: string;
  /** @param topK - Count a hit when the target is among the k largest outputs (a positive integer). */
  constructor(readonly topK = 1) {
    super();
    if (!Number.isInteger(topK) || topK < 1)
      throw new ArgumentError(`Accuracy: topK must be a positive integer, got ${topK}`);
    this.name = topK === 1 ? 'accuracy' : `top${topK}Accuracy`;
  }
  /** Adds a batch: output [N, classes], int targets [N] (else ArgumentError); resolves to the batch's accuracy. */
  async update(output: Tensor, target: Tensor): Promise<number> {
    if (output.ndim !== 2 || target.ndim !== 1 || target.shape[0] !== output.shape[0])
      throw new ArgumentError(
        `${this.name}: expected output [N, classes] and integer targets [N], got [${output.shape}] and [${target.shape}]`,
      );
    const n = target.shape[0];
    const correct = await noGrad(() => {
      if (this.topK === 1) return readScalar(output.argmax(1).eq(target).sum());
      // the target is in the top k when fewer than k classes score strictly higher than it
      const score = output.gather(1, target.reshape([n, 1]).int());
      return readScalar(output.gt(score).sum(1).lt(this.topK).sum());
    });
    this.sum += correct;
    this.count += n;
    return n > 0 ? correct / n : NaN;
  }
}

/**
 * Turns metric names ('loss', 'accuracy' or 'acc', 'top5', 'ece', 'nll', 'aurc') or objects into Metric instances.
 * @example gl.train.resolveMetrics(['loss', 'acc', 'top5']).map((m) => m.name); // ['loss', 'accuracy', 'top5Accuracy']
 */
export function resolveMetrics(specs: readonly (string | Metric)[]): Metric[] {
  const out = specs.map((s) => {
    if (typeof s !== 'string') return s;
    if (s === 'loss') return new LossMetric();
    if (s === 'accuracy' || s === 'acc') return new Accuracy();
    if (s === 'ece') return new ExpectedCalibrationError();
    if (s === 'nll') return new NegativeLogLikelihood();
    if (s === 'aurc') return new AURC();
    const m = /^top(\d+)$/.exec(s);
    if (m) return new Accuracy(Number(m[1]));
    throw new ArgumentError(
      `unknown metric '${s}' (expected loss, accuracy, topK such as top5, ece, nll, aurc, or a Metric object)`,
    );
  });
  const names = out.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new ArgumentError(`metric '${dup}' is listed twice`);
  return out;
}
