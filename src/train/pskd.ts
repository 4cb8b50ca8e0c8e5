// PS-KD (Kim et al. 2021): progressive self-knowledge distillation — a per-example prediction bank and the α schedule.
import { ArgumentError } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import { keep, Tensor } from '../core/tensor.js';
import { softmax } from '../ops/nn.js';
import { contiguous, oneHot, scatter } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';
import { zeros } from '../ops/creation.js';

/** Options of PS-KD (`selfDistillation:` of gl.train.Trainer). */
export interface SelfDistillationOptions {
  /** Examples in the training set (the bank has one row per dataset index). */
  examples: number;
  /** The epoch count T of the α schedule α_t = α_T·(t + 1)/T (the run's epochs, as the paper's `end_epoch`). */
  epochs: number;
  /** α_T, the final weight of the model's own past predictions (default 0.8, the paper's). */
  alphaT?: number;
}

/**
 * Progressive self-knowledge distillation (PS-KD, Kim et al. ICCV 2021, `lgcnsai/PS-KD-Pytorch` main.py):
 * the soft target of example i at epoch t is (1 − α_t)·onehot(y_i) + α_t·P[i], where P[i] is the softmax
 * the model gave i at its previous visit (the training forward pass, stored after the step) and
 * α_t = α_T·(t + 1)/T. At epoch 0 every row of P is the one-hot label, so the target is the label;
 * an example not yet visited also uses its one-hot label. The bank lives on the model's backend as
 * tensors and is written by scatter, so it works on every backend.
 *
 * @example
 * const pskd = new gl.train.SelfDistillation({ examples: 12000, epochs: 15, alphaT: 0.8 });
 * const logits = gl.randn([2, 10], { requiresGrad: true }); // a batch's model output
 * const labels = gl.tensor([3, 7], { dtype: 'int32' });
 * const indices = new Int32Array([0, 5]); // the batch's rows in the training set
 * const epoch = 0;
 * const soft = pskd.targets(labels, indices, epoch, 10); // [2, 10] probabilities
 * gl.crossEntropy(logits, soft).backward();
 * pskd.record(logits, indices);
 */
export class SelfDistillation {
  /** Rows in the bank. */
  readonly examples: number;
  /** T of the schedule. */
  readonly epochs: number;
  /** α_T. */
  readonly alphaT: number;
  /** The bank P [examples, classes] of past predictions (null until the first batch). */
  bank: Tensor | null = null;
  /** 1 for the rows written at least once, else 0 ([examples]). */
  seen: Tensor | null = null;

  constructor(opts: SelfDistillationOptions) {
    const { examples, epochs } = opts ?? ({} as SelfDistillationOptions);
    const alphaT = opts?.alphaT ?? 0.8;
    if (!Number.isInteger(examples) || examples < 1)
      throw new ArgumentError(`SelfDistillation: examples must be a positive integer, got ${examples}`);
    if (!Number.isInteger(epochs) || epochs < 1)
      throw new ArgumentError(`SelfDistillation: epochs must be a positive integer, got ${epochs}`);
    if (!(alphaT >= 0 && alphaT <= 1))
      throw new ArgumentError(`SelfDistillation: alphaT must be in [0, 1], got ${alphaT}`);
    this.examples = examples;
    this.epochs = epochs;
    this.alphaT = alphaT;
  }

  /**
   * α_t = α_T·(epoch + 1)/T (epoch from 0), as the official code (`alpha_T * ((epoch + 1) / end_epoch)`).
   * @example new gl.train.SelfDistillation({ examples: 100, epochs: 10 }).alpha(4); // 0.8 * 5 / 10 = 0.4
   */
  alpha(epoch: number): number {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new ArgumentError(`SelfDistillation.alpha: epoch must be an integer >= 0, got ${epoch}`);
    return this.alphaT * ((epoch + 1) / this.epochs);
  }

  private indexTensor(indices: Int32Array | Tensor): Tensor {
    const idx = indices instanceof Tensor ? indices : tensor(indices, { dtype: 'int32' });
    if (idx.ndim !== 1 || idx.dtype !== 'int32')
      throw new ArgumentError(`SelfDistillation: indices must be int32 [B], got ${idx.dtype} [${idx.shape}]`);
    return idx;
  }

  private ensureBank(classes: number): void {
    if (this.bank) {
      if (this.bank.shape[1] !== classes)
        throw new ArgumentError(
          `SelfDistillation: the bank holds ${this.bank.shape[1]} classes, the batch has ${classes}`,
        );
      return;
    }
    this.bank = keep(zeros([this.examples, classes]));
    this.seen = keep(zeros([this.examples]));
  }

  /**
   * The soft targets of a batch: labels int32 [B], dataset indices [B], the epoch (from 0) and the class count.
   * @example
   * const pskd = new gl.train.SelfDistillation({ examples: 8, epochs: 10 });
   * const y = gl.tensor([3, 7], { dtype: 'int32' });
   * const soft = pskd.targets(y, new Int32Array([0, 5]), 0, 10); // [2, 10]; one-hot until rows 0 and 5 are recorded
   */
  targets(labels: Tensor, indices: Int32Array | Tensor, epoch: number, classes: number): Tensor {
    if (labels.ndim !== 1 || labels.dtype !== 'int32')
      throw new ArgumentError(
        `SelfDistillation: labels must be int32 [B], got ${labels.dtype} [${labels.shape}]`,
      );
    const idx = this.indexTensor(indices);
    if (idx.shape[0] !== labels.shape[0])
      throw new ArgumentError(`SelfDistillation: ${idx.shape[0]} indices for ${labels.shape[0]} labels`);
    this.ensureBank(classes);
    const a = this.alpha(epoch);
    return noGrad(() => {
      const hot = oneHot(labels, classes).float();
      if (a === 0) return hot;
      const past = this.bank!.indexSelect(0, idx);
      const seen = this.seen!.indexSelect(0, idx).reshape([-1, 1]);
      // (1 − α)·hot + α·(seen ? P : hot) = hot + α·seen·(P − hot)
      return hot.add(past.sub(hot).mul(seen).mul(a));
    });
  }

  /**
   * Stores softmax(logits) (detached) as the batch's rows of the bank, after the step.
   * @example
   * const pskd = new gl.train.SelfDistillation({ examples: 8, epochs: 10 });
   * pskd.record(gl.randn([2, 10]), new Int32Array([0, 5])); // rows 0 and 5 of the bank
   */
  record(logits: Tensor, indices: Int32Array | Tensor): void {
    const idx = this.indexTensor(indices);
    if (logits.ndim !== 2 || logits.shape[0] !== idx.shape[0])
      throw new ArgumentError(
        `SelfDistillation.record: expected logits [${idx.shape[0]}, classes], got [${logits.shape}]`,
      );
    const k = logits.shape[1];
    this.ensureBank(k);
    const [bank, seen] = noGrad(() => {
      const p = softmax(logits.detach().float(), 1);
      const rows = contiguous(idx.reshape([-1, 1]).expand([idx.shape[0], k]));
      return [scatter(this.bank!, 0, rows, p), scatter(this.seen!, 0, idx, 1)];
    });
    this.bank!.dispose();
    this.seen!.dispose();
    this.bank = keep(bank);
    this.seen = keep(seen);
  }

  /**
   * Loads a saved bank (both tensors, as `bank`/`seen` were), e.g. from a checkpoint.
   * @example
   * const pskd = new gl.train.SelfDistillation({ examples: 8, epochs: 10 });
   * const savedBank = gl.zeros([8, 10]); // as saved from a previous run: predictions [examples, classes]
   * const savedSeen = gl.zeros([8]); // which rows were recorded
   * pskd.load(savedBank, savedSeen);
   */
  load(bank: Tensor, seen: Tensor): void {
    if (
      bank.ndim !== 2 ||
      bank.shape[0] !== this.examples ||
      seen.ndim !== 1 ||
      seen.shape[0] !== this.examples
    )
      throw new ArgumentError(
        `SelfDistillation.load: expected a bank [${this.examples}, classes] and seen [${this.examples}], got [${bank.shape}] and [${seen.shape}]`,
      );
    this.bank?.dispose();
    this.seen?.dispose();
    this.bank = keep(bank.float().clone());
    this.seen = keep(seen.float().clone());
  }
}
