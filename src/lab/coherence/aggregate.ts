// Robust aggregation of per-example (or per-group) gradients (paper 27): median of means (M3) and winsorised means, in float64 on the host.
import { ArgumentError } from '../../core/errors.js';

function check(who: string, grads: readonly ArrayLike<number>[]): number {
  if (grads.length === 0) throw new ArgumentError(`${who}: expected at least one gradient, got none`);
  const p = grads[0].length;
  grads.forEach((g, i) => {
    if (g.length !== p)
      throw new ArgumentError(`${who}: gradient ${i} has ${g.length} entries, expected ${p} like gradient 0`);
  });
  return p;
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, linear interpolation (numpy's and torch.quantile's default). */
function quantileSorted(s: Float64Array, q: number): number {
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * Median of means (M3 with `groups` = 3): the rows are split into `groups` contiguous groups of near-equal size,
 * averaged within each group, and the coordinate-wise median of the group means is returned. Takes per-example
 * or per-group gradients, not an averaged `.grad` (which has lost what a robust mean needs).
 * @example gl.lab.coherence.medianOfMeans(perExample, 3); // Float64Array of the parameter count
 */
export function medianOfMeans(grads: readonly ArrayLike<number>[], groups = 3): Float64Array {
  const p = check('medianOfMeans', grads);
  if (!Number.isInteger(groups) || groups < 1 || groups > grads.length)
    throw new ArgumentError(
      `medianOfMeans: groups must be an integer in [1, ${grads.length}] (the number of gradients), got ${groups}`,
    );
  const means: Float64Array[] = [];
  for (let k = 0; k < groups; k++) {
    const a = Math.floor((k * grads.length) / groups);
    const b = Math.floor(((k + 1) * grads.length) / groups);
    const m = new Float64Array(p);
    for (let i = a; i < b; i++) for (let j = 0; j < p; j++) m[j] += grads[i][j];
    for (let j = 0; j < p; j++) m[j] /= b - a;
    means.push(m);
  }
  const out = new Float64Array(p);
  const col = new Float64Array(groups);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < groups; k++) col[k] = means[k][j];
    col.sort();
    out[j] = quantileSorted(col, 0.5);
  }
  return out;
}

/**
 * Winsorised mean: per coordinate, the values are clipped to their `c`-th and (1 − c)-th quantiles (c in
 * [0, 0.5), e.g. 0.1 for the 10th and 90th percentiles) before averaging.
 * @example gl.lab.coherence.winsorizedMean(perExample, 0.1);
 */
export function winsorizedMean(grads: readonly ArrayLike<number>[], c: number): Float64Array {
  const p = check('winsorizedMean', grads);
  if (!(c >= 0 && c < 0.5)) throw new ArgumentError(`winsorizedMean: c must be in [0, 0.5), got ${c}`);
  const n = grads.length;
  const out = new Float64Array(p);
  const col = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < n; i++) col[i] = grads[i][j];
    const s = Float64Array.from(col).sort();
    const lo = quantileSorted(s, c);
    const hi = quantileSorted(s, 1 - c);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.min(hi, Math.max(lo, col[i]));
    out[j] = sum / n;
  }
  return out;
}
