// DiffROAR (Shah et al. 2021, paper 25): retrain on inputs keeping only each example's top-k or bottom-k attributed features; the accuracy gap says whether the ranking finds discriminative features.
import { noGrad } from '../../core/state.js';
import { tidy, type Tensor } from '../../core/tensor.js';
import { fmtShape } from '../../core/errors.js';
import { argmax, mean } from '../../ops/reduce.js';
import { narrow } from '../../ops/shape.js';
import { fromTypedArray } from '../../ops/tensor-like.js';
import { ExplainError } from './common.js';

/** Which features a ROAR arm keeps: the k·D most ('top') or least ('bottom') attributed ones of each example. */
export type RoarKeep = 'top' | 'bottom';

/**
 * Each example with only round(fraction·D) of its D features kept — the most ('top') or least ('bottom')
 * attributed by |attr| (ties: lower index first) — and the others set to `maskValue` (DiffROAR uses the data mean).
 * @example
 * const x = gl.rand([2, 1, 4, 4]);
 * const saliency = gl.rand([2, 1, 4, 4]);
 * const kept = gl.explain.roarMask(x, saliency, 0.25, 'top', 0.13); // x where saliency is in each row's top 25 %, else 0.13
 */
export function roarMask(
  x: Tensor,
  attr: Tensor,
  fraction: number,
  keep: RoarKeep,
  maskValue: number,
): Tensor {
  if (x.shape.join() !== attr.shape.join())
    throw new ExplainError(
      `roarMask: attributions ${fmtShape(attr.shape)} must have the inputs' shape ${fmtShape(x.shape)}`,
    );
  if (!(fraction >= 0 && fraction <= 1))
    throw new ExplainError(`roarMask: fraction must be in [0, 1], got ${fraction}`);
  if (keep !== 'top' && keep !== 'bottom')
    throw new ExplainError(`roarMask: keep must be 'top' or 'bottom', got '${String(keep)}'`);
  const n = x.shape[0];
  const D = x.numel / Math.max(n, 1);
  const k = Math.round(fraction * D);
  const xs = x.dataSync();
  const as = attr.dataSync();
  const out = new Float32Array(xs.length).fill(maskValue);
  const order = new Int32Array(D);
  for (let e = 0; e < n; e++) {
    const off = e * D;
    for (let j = 0; j < D; j++) order[j] = j;
    order.sort((a, b) => Math.abs(as[off + b]) - Math.abs(as[off + a]) || a - b);
    const from = keep === 'top' ? 0 : D - k;
    for (let r = from; r < from + k; r++) out[off + order[r]] = xs[off + order[r]];
  }
  return fromTypedArray(out, x.shape, 'float32');
}

/** A labelled set with one attribution per input (same shape as x). */
export interface AttributedSet {
  /** Inputs [n, ...]. */
  x: Tensor;
  /** Labels, int32 [n]. */
  y: Tensor;
  /** Attributions of x (e.g. gl.explain.Saliency), same shape as x. */
  attr: Tensor;
}

/** Options of diffRoar. */
export interface DiffRoarOptions {
  /** Fractions k of the features kept (the paper: 5 … 40 %). */
  fractions: readonly number[];
  /** Value of the removed features (default the training inputs' mean). */
  maskValue?: number;
  /** Trains a fresh model on the masked training set and returns its forward (logits [n, classes]). */
  fit: (
    train: { x: Tensor; y: Tensor },
    arm: { fraction: number; keep: RoarKeep },
  ) => ((x: Tensor) => Tensor) | Promise<(x: Tensor) => Tensor>;
}

/** One fraction's result: test accuracies of the top-k and bottom-k retrained models, and their difference. */
export interface DiffRoarRow {
  /** The fraction k of features kept. */
  fraction: number;
  /** Test accuracy of the model retrained on the top-k-kept data (test masked by its own attributions). */
  top: number;
  /** Test accuracy of the model retrained on the bottom-k-kept data. */
  bottom: number;
  /** top − bottom: > 0 the ranking finds discriminative features, ≈ 0 random, < 0 feature inversion. */
  diffRoar: number;
}

async function accuracy(f: (x: Tensor) => Tensor, x: Tensor, y: Tensor): Promise<number> {
  const labels = await y.data();
  const n = x.shape[0];
  let right = 0;
  for (let s = 0; s < n; s += 500) {
    const len = Math.min(500, n - s);
    const p = noGrad(() => tidy(() => argmax(f(narrow(x, 0, s, len)), 1)));
    const pred = await p.data();
    p.dispose();
    for (let i = 0; i < len; i++) if (pred[i] === labels[s + i]) right++;
  }
  return right / Math.max(n, 1);
}

/**
 * DiffROAR (Shah, Jain, Netrapalli 2021): for each fraction k, retrain a fresh model (`fit`) on the training set
 * with only each example's top-k attributed features kept, and another with only the bottom-k; evaluate each on
 * the test set masked the same way by the test examples' own attributions; DiffROAR(k) = acc(top) − acc(bottom).
 * Random attributions give ≈ 0.
 * @example
 * const set = (n: number) => {
 *   const x = gl.randn([n, 4]);
 *   return { x, y: gl.tensor(Array.from({ length: n }, (_, i) => i % 2), { dtype: 'int32' }), attr: x.abs() };
 * };
 * // fit trains a fresh model on the masked set: here a few full-batch SGD steps of a linear classifier
 * const trainFreshMlp = (train: { x: gl.Tensor; y: gl.Tensor }) => {
 *   const net = new gl.nn.Linear(4, 2);
 *   const opt = new gl.optim.SGD(net.parameters(), { lr: 0.5 });
 *   for (let s = 0; s < 5; s++) {
 *     opt.zeroGrad();
 *     gl.crossEntropy(net.forward(train.x), train.y).backward();
 *     opt.step();
 *   }
 *   return (x: gl.Tensor) => net.forward(x);
 * };
 * const rows = await gl.explain.diffRoar(set(16), set(8), { fractions: [0.25, 0.5], fit: trainFreshMlp });
 */
export async function diffRoar(
  train: AttributedSet,
  test: AttributedSet,
  opts: DiffRoarOptions,
): Promise<DiffRoarRow[]> {
  if (opts.fractions.length === 0)
    throw new ExplainError('diffRoar: expected at least one fraction, got none');
  const maskValue = opts.maskValue ?? noGrad(() => mean(train.x).item());
  const rows: DiffRoarRow[] = [];
  for (const fraction of opts.fractions) {
    const acc: Record<RoarKeep, number> = { top: 0, bottom: 0 };
    for (const keep of ['top', 'bottom'] as const) {
      const xtr = roarMask(train.x, train.attr, fraction, keep, maskValue);
      const xte = roarMask(test.x, test.attr, fraction, keep, maskValue);
      const f = await opts.fit({ x: xtr, y: train.y }, { fraction, keep });
      acc[keep] = await accuracy(f, xte, test.y);
      xtr.dispose();
      xte.dispose();
    }
    rows.push({ fraction, top: acc.top, bottom: acc.bottom, diffRoar: acc.top - acc.bottom });
  }
  return rows;
}
