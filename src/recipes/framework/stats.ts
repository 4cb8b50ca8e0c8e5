// Statistics of per-seed values: mean, sample sd, a 95% t interval (n ≥ 3), paired differences.
import { ArgumentError } from '../../core/errors.js';

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * t quantile for a two-sided 95% interval with `df` degrees of freedom (tables to 30, then 40/60/120/∞).
 * @example gl.recipes.t975(4); // 2.776
 */
export function t975(df: number): number {
  if (!Number.isInteger(df) || df < 1)
    throw new ArgumentError(`t975: df must be a positive integer, got ${df}`);
  if (df <= 30) return T975[df - 1];
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.0;
  if (df <= 120) return 1.98;
  return 1.96;
}

/** Summary of a sample: n, mean, sample sd (n − 1; null for n < 2), 95% t interval (null for n < 3). */
export interface SampleStats {
  /** Number of values. */
  n: number;
  /** Their mean. */
  mean: number;
  /** Sample standard deviation (n − 1), null for n < 2. */
  sd: number | null;
  /** 95% Student-t interval of the mean, null for n < 3. */
  ci95: [number, number] | null;
}

/**
 * Mean, sd and 95% t interval of per-seed values.
 * @example describe([0.70, 0.72, 0.71]); // { n: 3, mean: 0.71, sd: 0.01, ci95: [0.685, 0.735] }
 */
export function describe(values: readonly number[]): SampleStats {
  const n = values.length;
  if (n === 0) throw new ArgumentError('describe: no values (expected one per seed)');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, sd: null, ci95: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  if (n < 3) return { n, mean, sd, ci95: null };
  const h = (t975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, ci95: [mean - h, mean + h] };
}

/**
 * Per-seed differences `f(a[i], b[i])` of two arms measured on the same seeds (default a − b).
 * @example paired([0.9, 0.8], [0.85, 0.82]); // [0.05, -0.02]
 */
export function paired(
  a: readonly number[],
  b: readonly number[],
  f: (x: number, y: number) => number = (x, y) => x - y,
): number[] {
  if (a.length !== b.length)
    throw new ArgumentError(`paired: arms have ${a.length} and ${b.length} seeds, expected the same seeds`);
  return a.map((x, i) => f(x, b[i]));
}

/**
 * Median and quartiles (linear interpolation) of a sample.
 * @example gl.recipes.quantiles([1, 2, 3, 4, 5]); // { min: 1, q1: 2, median: 3, q3: 4, max: 5 }
 */
export function quantiles(values: readonly number[]): {
  /** The smallest value. */
  min: number;
  /** The first quartile. */
  q1: number;
  /** The median. */
  median: number;
  /** The third quartile. */
  q3: number;
  /** The largest value. */
  max: number;
} {
  if (values.length === 0) throw new ArgumentError('quantiles: no values');
  const s = [...values].sort((x, y) => x - y);
  const q = (p: number) => {
    const i = p * (s.length - 1);
    const lo = Math.floor(i);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
  };
  return { min: s[0], q1: q(0.25), median: q(0.5), q3: q(0.75), max: s[s.length - 1] };
}
