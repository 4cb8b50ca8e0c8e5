// Discrete mutual information by binning (paper 38): entropies of hashed activation patterns, I(X;T) and I(T;Y) per layer.
import { ArgumentError } from '../../core/errors.js';

/**
 * Entropy in bits of a distribution given by counts.
 * @example
 * gl.lab.info.entropyBits([5, 5]); // 1: a fair coin
 * gl.lab.info.entropyBits([1, 1, 1, 1]); // 2
 */
export function entropyBits(counts: Iterable<number>): number {
  let n = 0;
  const cs: number[] = [];
  for (const c of counts) {
    if (!(c >= 0)) throw new ArgumentError(`entropyBits: counts must be non-negative, got ${c}`);
    cs.push(c);
    n += c;
  }
  if (n === 0) return 0;
  let h = 0;
  for (const c of cs) if (c > 0) h -= (c / n) * Math.log2(c / n);
  return h;
}

function counts<K>(keys: Iterable<K>): Map<K, number> {
  const m = new Map<K, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/**
 * Mutual information in bits between two discrete variables observed together (`a[i]`, `b[i]` one sample,
 * samples equally likely): H(A) + H(B) − H(A, B).
 * @example gl.lab.info.discreteMI([0, 1, 0, 1], [0, 1, 0, 1]); // 1
 */
export function discreteMI(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  if (a.length !== b.length)
    throw new ArgumentError(`discreteMI: expected paired samples, got ${a.length} and ${b.length} values`);
  const joint = a.map((x, i) => `${x}\u0000${b[i]}`);
  const mi =
    entropyBits(counts(a).values()) + entropyBits(counts(b).values()) - entropyBits(counts(joint).values());
  return Math.max(0, mi);
}

/** How a layer's activations are binned: equal-width bins over a fixed range, or over [0, max] of the values. */
export interface BinOptions {
  /** Number of equal-width bins (default 30, as the paper's code). */
  bins?: number;
  /** `[lo, hi]` (default [−1, 1], tanh's range), or 'max': [0, the largest value] (for ReLU layers). */
  range?: [number, number] | 'max';
}

/**
 * Discretises each row of a [rows, cols] activation matrix (row-major) into one key: every value goes to its
 * bin (values outside the range to the first or last), and the row's bin indices joined are the key.
 * @example gl.lab.info.binRows([0.1, -0.9, 0.5, 0.5], 2, 2, { bins: 2 }); // ['1,0', '1,1']
 */
export function binRows(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  opts: BinOptions = {},
): string[] {
  const bins = opts.bins ?? 30;
  if (!Number.isInteger(bins) || bins < 1)
    throw new ArgumentError(`binRows: bins must be a positive integer, got ${bins}`);
  if (values.length !== rows * cols)
    throw new ArgumentError(
      `binRows: expected ${rows}×${cols} = ${rows * cols} values, got ${values.length}`,
    );
  let lo: number;
  let hi: number;
  if (opts.range === 'max') {
    lo = 0;
    hi = 0;
    for (let i = 0; i < values.length; i++) hi = Math.max(hi, values[i]);
    if (hi === 0) hi = 1;
  } else {
    [lo, hi] = opts.range ?? [-1, 1];
    if (!(hi > lo)) throw new ArgumentError(`binRows: range must have hi > lo, got [${lo}, ${hi}]`);
  }
  const w = (hi - lo) / bins;
  const keys: string[] = new Array<string>(rows);
  const idx = new Array<number>(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      idx[c] = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)));
    }
    keys[r] = idx.join(',');
  }
  return keys;
}

/** One layer's point in the information plane. */
export interface InfoPoint {
  /** I(X;T) in bits: H(T) for a deterministic layer with every input a distinct X. */
  ixt: number;
  /** I(T;Y) in bits. */
  ity: number;
}

/**
 * The information-plane point of one layer: its activations on every input (one row per distinct input, X
 * uniform over them, as the paper's 4096 patterns) are binned and hashed into a discrete T; then
 * I(X;T) = H(T) (the net is deterministic) and I(T;Y) = H(T) + H(Y) − H(T, Y).
 * @example gl.lab.info.infoPoint(acts, 4096, 3, labels, { range: [-1, 1] }); // { ixt, ity }
 */
export function infoPoint(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  labels: readonly number[] | ArrayLike<number>,
  opts: BinOptions = {},
): InfoPoint {
  if (labels.length !== rows)
    throw new ArgumentError(`infoPoint: expected one label per row (${rows}), got ${labels.length}`);
  const t = binRows(values, rows, cols, opts);
  return { ixt: entropyBits(counts(t).values()), ity: discreteMI(t, Array.from(labels)) };
}

/**
 * About `count` epochs between 1 and `last`, spaced evenly in log scale, rounded and deduplicated (the
 * paper's code: np.logspace(log2(1), log2(last), count, base=2), unique).
 * @example gl.lab.info.logSpacedEpochs(1000, 10); // [1, 2, 5, 10, 22, 46, 100, 215, 464, 1000]
 */
export function logSpacedEpochs(last: number, count: number): number[] {
  if (!Number.isInteger(last) || last < 1)
    throw new ArgumentError(`logSpacedEpochs: last must be an integer ≥ 1, got ${last}`);
  if (!Number.isInteger(count) || count < 1)
    throw new ArgumentError(`logSpacedEpochs: count must be an integer ≥ 1, got ${count}`);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(count === 1 ? last : last ** (i / (count - 1))));
  return [...out].sort((a, b) => a - b);
}

/** What gradientSnr returns. */
export interface GradientSnr {
  /** Norm of the mean gradient. */
  meanNorm: number;
  /** Norm of the elementwise sample standard deviation. */
  stdNorm: number;
  /** meanNorm / stdNorm. */
  snr: number;
}

/**
 * Gradient signal-to-noise of one layer over an epoch's minibatch gradients (flat, equal lengths):
 * the norm of their mean over the norm of their elementwise standard deviation (the paper's drift vs diffusion);
 * Infinity for equal nonzero gradients, 0 when all are zero.
 * @example gl.lab.info.gradientSnr([g1, g2, g3]); // { meanNorm, stdNorm, snr }
 */
export function gradientSnr(grads: readonly ArrayLike<number>[]): GradientSnr {
  const n = grads.length;
  if (n < 2) throw new ArgumentError(`gradientSnr: expected at least 2 gradients, got ${n}`);
  const p = grads[0].length;
  if (grads.some((g) => g.length !== p))
    throw new ArgumentError(
      `gradientSnr: gradients must have equal lengths (${p}), got ${grads.map((g) => g.length).join(', ')}`,
    );
  let m2 = 0;
  let v2 = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    for (const g of grads) s += g[j];
    const mean = s / n;
    let v = 0;
    for (const g of grads) v += (g[j] - mean) ** 2;
    m2 += mean * mean;
    v2 += v / (n - 1);
  }
  const meanNorm = Math.sqrt(m2);
  const stdNorm = Math.sqrt(v2);
  return { meanNorm, stdNorm, snr: stdNorm > 0 ? meanNorm / stdNorm : meanNorm > 0 ? Infinity : 0 };
}
