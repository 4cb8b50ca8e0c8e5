// Calibration metrics of a classifier: ECE with reliability-diagram bins, NLL and AURC (PS-KD's utils/metric.py definitions).
import { ArgumentError } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { softmax } from '../ops/nn.js';
import type { JsonValue, Metric } from './metrics.js';
import { MeanMetric } from './mean-metric.js';

/** One bin of a reliability diagram: confidences in (lo, hi]. */
export interface ReliabilityBin {
  /** Lower edge (exclusive; the first bin also takes confidence 0). */
  lo: number;
  /** Upper edge (inclusive). */
  hi: number;
  /** Examples whose confidence falls in the bin. */
  count: number;
  /** Mean confidence of those examples (NaN when the bin is empty). */
  confidence: number;
  /** Their accuracy (NaN when the bin is empty). */
  accuracy: number;
}

/** What `calibration` returns. */
export interface CalibrationReport {
  /** Expected calibration error, Σ_b (n_b / N)·|acc_b − conf_b| (a fraction; the PS-KD paper reports ×100). */
  ece: number;
  /** Mean negative log-likelihood of the true class, −mean log softmax(z)_y. */
  nll: number;
  /** Area under the risk–coverage curve (examples sorted by confidence, highest first). */
  aurc: number;
  /** Accuracy of the arg-max. */
  accuracy: number;
  /** The reliability diagram's data, `bins` equal-width bins over [0, 1]. */
  reliability: ReliabilityBin[];
}

function checkBins(bins: number): number {
  if (!Number.isInteger(bins) || bins < 1)
    throw new ArgumentError(`calibration: bins must be a positive integer, got ${bins}`);
  return bins;
}

function checkShapes(who: string, logits: Tensor, labels: Tensor): void {
  if (
    logits.ndim !== 2 ||
    labels.ndim !== 1 ||
    labels.shape[0] !== logits.shape[0] ||
    labels.dtype !== 'int32'
  )
    throw new ArgumentError(
      `${who}: expected logits [N, classes] and int32 labels [N], got [${logits.shape}] and ${labels.dtype} [${labels.shape}]`,
    );
}

/** Bin index of a confidence: (lo, hi] bins as `conf > lo && conf <= hi`, confidence 0 into the first. */
function binOf(conf: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.ceil(conf * bins) - 1));
}

/** Per-example confidence (max softmax), correctness and log-likelihood of the true class, read to the host. */
async function perExample(
  logits: Tensor,
  labels: Tensor,
): Promise<{ conf: Float64Array; correct: Uint8Array; logp: Float64Array }> {
  const [p, y] = await Promise.all([noGrad(() => softmax(logits.detach().float(), 1)).data(), labels.data()]);
  const n = labels.shape[0];
  const k = logits.shape[1];
  const conf = new Float64Array(n);
  const correct = new Uint8Array(n);
  const logp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    const label = y[i];
    if (!(label >= 0 && label < k))
      throw new ArgumentError(`calibration: label ${label} out of range [0, ${k})`);
    conf[i] = p[i * k + best];
    correct[i] = best === label ? 1 : 0;
    logp[i] = Math.log(Math.max(p[i * k + label], 1e-45));
  }
  return { conf, correct, logp };
}

/** AURC of confidences and correctness: mean over coverages i/N of the error rate of the i most confident. */
function aurcOf(conf: ArrayLike<number>, correct: ArrayLike<number>): number {
  const n = conf.length;
  if (n === 0) return NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => conf[b] - conf[a]); // stable: ties keep order
  let errors = 0;
  let area = 0;
  order.forEach((i, r) => {
    if (!correct[i]) errors++;
    area += errors / (r + 1);
  });
  return area / n;
}

/** Bins of running sums. */
class BinSums {
  count: number[];
  conf: number[];
  hits: number[];
  constructor(readonly bins: number) {
    this.count = new Array<number>(bins).fill(0);
    this.conf = new Array<number>(bins).fill(0);
    this.hits = new Array<number>(bins).fill(0);
  }
  add(conf: number, correct: number): void {
    const b = binOf(conf, this.bins);
    this.count[b]++;
    this.conf[b] += conf;
    this.hits[b] += correct;
  }
  total(): number {
    return this.count.reduce((a, b) => a + b, 0);
  }
  ece(): number {
    const n = this.total();
    if (n === 0) return NaN;
    let e = 0;
    for (let b = 0; b < this.bins; b++)
      if (this.count[b] > 0)
        e += Math.abs(this.conf[b] / this.count[b] - this.hits[b] / this.count[b]) * (this.count[b] / n);
    return e;
  }
  diagram(): ReliabilityBin[] {
    return this.count.map((c, b) => ({
      lo: b / this.bins,
      hi: (b + 1) / this.bins,
      count: c,
      confidence: c > 0 ? this.conf[b] / c : NaN,
      accuracy: c > 0 ? this.hits[b] / c : NaN,
    }));
  }
}

/**
 * Calibration of a classifier's logits against int32 labels: ECE over `bins` equal-width confidence bins
 * (default 10, as PS-KD's `utils/metric.py`), NLL, AURC, accuracy and the reliability diagram's bins.
 * Reads the values to the host asynchronously, so it runs on every backend.
 * @example
 * const logits = gl.tensor([[2, 0], [0, 1], [1, 0], [0, 3]]);
 * const labels = gl.tensor([0, 1, 1, 1], { dtype: 'int32' });
 * const r = await gl.train.calibration(logits, labels, { bins: 5 });
 * console.log(r.ece, r.nll, r.aurc, r.reliability.map((b) => [b.confidence, b.accuracy]));
 */
export async function calibration(
  logits: Tensor,
  labels: Tensor,
  opts: { bins?: number } = {},
): Promise<CalibrationReport> {
  const bins = checkBins(opts.bins ?? 10);
  checkShapes('calibration', logits, labels);
  const { conf, correct, logp } = await perExample(logits, labels);
  const sums = new BinSums(bins);
  for (let i = 0; i < conf.length; i++) sums.add(conf[i], correct[i]);
  const n = conf.length;
  return {
    ece: sums.ece(),
    nll: n ? -logp.reduce((a, b) => a + b, 0) / n : NaN,
    aurc: aurcOf(conf, correct),
    accuracy: n ? correct.reduce((a, b) => a + b, 0) / n : NaN,
    reliability: sums.diagram(),
  };
}

/**
 * Expected calibration error as a training/evaluation metric (`ece`, `valEce`): per-bin sums over the
 * epoch's batches; `reliability()` gives the diagram's bins. Name `'ece'` in `metrics:` uses 10 bins.
 * @example
 * const ece = new gl.train.ExpectedCalibrationError(15);
 * const model = new gl.nn.Linear(4, 2);
 * const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
 * new gl.train.Trainer({ model, optimizer, metrics: ['accuracy', ece] });
 */
export class ExpectedCalibrationError implements Metric {
  /** Reported as `ece`. */
  readonly name = 'ece';
  private sums: BinSums;
  /** @param bins - Equal-width confidence bins over [0, 1] (default 10). */
  constructor(readonly bins = 10) {
    this.sums = new BinSums(checkBins(bins));
  }
  /** Adds a batch (logits [N, classes], int32 labels [N]); resolves to the batch's own ECE. */
  async update(output: Tensor, target: Tensor): Promise<number> {
    checkShapes('ece', output, target);
    const { conf, correct } = await perExample(output, target);
    const batch = new BinSums(this.bins);
    for (let i = 0; i < conf.length; i++) {
      this.sums.add(conf[i], correct[i]);
      batch.add(conf[i], correct[i]);
    }
    return batch.ece();
  }
  /** ECE over the batches since reset (NaN before any). */
  compute(): number {
    return this.sums.ece();
  }
  /**
   * The reliability diagram's bins over the batches since reset.
   * @example
   * const ece = new gl.train.ExpectedCalibrationError(2);
   * await ece.update(gl.tensor([[2, 0], [0, 1]]), gl.tensor([0, 0], { dtype: 'int32' }));
   * ece.reliability().map((b) => [b.lo, b.hi, b.count]); // [[0, 0.5, 0], [0.5, 1, 2]]
   */
  reliability(): ReliabilityBin[] {
    return this.sums.diagram();
  }
  /** Forgets the batches. */
  reset(): void {
    this.sums = new BinSums(this.bins);
  }
  /** The per-bin sums. */
  state(): JsonValue {
    return { count: this.sums.count, conf: this.sums.conf, hits: this.sums.hits };
  }
  /** Restores what state returned (a malformed state is an ArgumentError). */
  loadState(s: JsonValue): void {
    const o = s as { count?: unknown; conf?: unknown; hits?: unknown } | null;
    const ok = (a: unknown): a is number[] =>
      Array.isArray(a) && a.length === this.bins && a.every((v) => typeof v === 'number');
    if (!o || !ok(o.count) || !ok(o.conf) || !ok(o.hits))
      throw new ArgumentError(
        `metric ece: expected a saved state { count, conf, hits } of ${this.bins} bins`,
      );
    this.sums = new BinSums(this.bins);
    this.sums.count = [...o.count];
    this.sums.conf = [...o.conf];
    this.sums.hits = [...o.hits];
  }
}

/**
 * Mean negative log-likelihood of the true class (`nll`, `valNll`), whatever loss trains the model
 * (under PS-KD or label smoothing the training loss is not the NLL).
 * @example
 * const model = new gl.nn.Linear(4, 2);
 * const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
 * new gl.train.Trainer({ model, optimizer, metrics: ['accuracy', 'nll', 'ece'] });
 */
export class NegativeLogLikelihood extends MeanMetric {
  /** Reported as `nll`. */
  readonly name = 'nll';
  /**
   * Adds a batch (logits [N, classes], int32 labels [N]); resolves to the batch's mean NLL.
   * @example
   * const m = new gl.train.NegativeLogLikelihood();
   * await m.update(gl.tensor([[0, 0]]), gl.tensor([1], { dtype: 'int32' })); // ln 2 ≈ 0.693
   */
  async update(output: Tensor, target: Tensor): Promise<number> {
    checkShapes('nll', output, target);
    const { logp } = await perExample(output, target);
    const s = -logp.reduce((a, b) => a + b, 0);
    this.sum += s;
    this.count += logp.length;
    return logp.length ? s / logp.length : NaN;
  }
}

/**
 * Area under the risk–coverage curve (`aurc`, `valAurc`; lower is better): keeps every example's
 * confidence and correctness over the epoch, so its state grows with the examples seen.
 * @example
 * const model = new gl.nn.Linear(4, 2);
 * const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
 * new gl.train.Trainer({ model, optimizer, metrics: ['accuracy', 'aurc'] });
 */
export class AURC implements Metric {
  /** Reported as `aurc`. */
  readonly name = 'aurc';
  private conf: number[] = [];
  private correct: number[] = [];
  /** Adds a batch (logits [N, classes], int32 labels [N]); resolves to the batch's own AURC. */
  async update(output: Tensor, target: Tensor): Promise<number> {
    checkShapes('aurc', output, target);
    const { conf, correct } = await perExample(output, target);
    for (let i = 0; i < conf.length; i++) {
      this.conf.push(conf[i]);
      this.correct.push(correct[i]);
    }
    return aurcOf(conf, correct);
  }
  /** AURC over the examples since reset (NaN before any). */
  compute(): number {
    return aurcOf(this.conf, this.correct);
  }
  /** Forgets the examples. */
  reset(): void {
    this.conf = [];
    this.correct = [];
  }
  /** `{ conf, correct }`, one entry per example. */
  state(): JsonValue {
    return { conf: [...this.conf], correct: [...this.correct] };
  }
  /** Restores what state returned (a malformed state is an ArgumentError). */
  loadState(s: JsonValue): void {
    const o = s as { conf?: unknown; correct?: unknown } | null;
    if (!o || !Array.isArray(o.conf) || !Array.isArray(o.correct) || o.conf.length !== o.correct.length)
      throw new ArgumentError('metric aurc: expected a saved state { conf, correct } of equal lengths');
    this.conf = (o.conf as number[]).slice();
    this.correct = (o.correct as number[]).slice();
  }
}
