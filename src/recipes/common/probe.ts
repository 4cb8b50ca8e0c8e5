// Linear probes for recipes: a multinomial logistic regression on frozen features (host, float64), scored on held-out folds.
import { ArgumentError } from '../../core/errors.js';

/** Softmax regression fitted by full-batch gradient descent on standardised features, with a small L2 penalty. */
function fitSoftmax(
  x: Float64Array,
  y: Int32Array,
  rows: number[],
  d: number,
  k: number,
  iters: number,
): (i: number) => number {
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const i of rows) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / rows.length;
  for (const i of rows) for (let j = 0; j < d; j++) sd[j] += (x[i * d + j] - mean[j]) ** 2 / rows.length;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  const z = (i: number, j: number) => (x[i * d + j] - mean[j]) / sd[j];
  const W = new Float64Array(k * (d + 1));
  const G = new Float64Array(k * (d + 1));
  const p = new Float64Array(k);
  const logits = (i: number) => {
    let mx = -Infinity;
    for (let c = 0; c < k; c++) {
      let s = W[c * (d + 1) + d];
      for (let j = 0; j < d; j++) s += W[c * (d + 1) + j] * z(i, j);
      p[c] = s;
      mx = Math.max(mx, s);
    }
    return mx;
  };
  const lr = 0.5;
  const l2 = 1e-3;
  for (let it = 0; it < iters; it++) {
    G.fill(0);
    for (const i of rows) {
      const mx = logits(i);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += p[c] = Math.exp(p[c] - mx);
      for (let c = 0; c < k; c++) {
        const g = (p[c] / sum - (y[i] === c ? 1 : 0)) / rows.length;
        for (let j = 0; j < d; j++) G[c * (d + 1) + j] += g * z(i, j);
        G[c * (d + 1) + d] += g;
      }
    }
    for (let q = 0; q < W.length; q++) W[q] -= lr * (G[q] + (q % (d + 1) === d ? 0 : l2 * W[q]));
  }
  return (i) => {
    logits(i);
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c] > p[best]) best = c;
    return best;
  };
}

/**
 * Held-out accuracy of a linear probe (softmax regression) predicting `labels` (0..k−1) from `features`
 * (row-major [n, d]): k-fold cross-validation over an interleaved split (fold f holds rows i ≡ f mod folds).
 */
export function probeAccuracy(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: { folds?: number; iters?: number } = {},
): number {
  const n = labels.length;
  if (n < 2 || features.length % n !== 0)
    throw new ArgumentError(
      `probeAccuracy: features must be [n, d] for n = ${n} labels, got ${features.length} values`,
    );
  const d = features.length / n;
  const x = Float64Array.from(features);
  const y = Int32Array.from(labels);
  const k = Math.max(...y) + 1;
  const folds = opts.folds ?? 5;
  let correct = 0;
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (i % folds === f ? test : train).push(i);
    const predict = fitSoftmax(x, y, train, d, k, opts.iters ?? 200);
    for (const i of test) if (predict(i) === y[i]) correct++;
  }
  return correct / n;
}
