// Refined learning-rate schedules (Defazio et al., paper 37): from a previous run's gradient norms, median-filtered, to per-step lr factors.
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import { tidy } from '../../core/tensor.js';
import { median } from '../../ops/sort.js';
import { tensor } from '../../ops/tensor-like.js';
import { unfold } from '../../ops/unfold.js';
import { integer, knownKeys, oneOf, positive } from '../validate.js';

/**
 * A 1-D median filter of odd `width` with edges extended by the nearest value (SciPy's
 * `median_filter(x, size=width, mode='nearest')`), computed with gl.median over sliding windows.
 * @example gl.optim.medianFilter1d([1, 9, 2, 3, 8], 3); // [1, 2, 3, 3, 8]
 */
export function medianFilter1d(values: readonly number[], width: number): number[] {
  integer('medianFilter1d', 'width', width, 1);
  if (width % 2 === 0) throw new ArgumentError(`medianFilter1d: width must be odd, got ${width}`);
  const n = values.length;
  if (n === 0) return [];
  const h = (width - 1) / 2;
  const padded = new Float64Array(n + 2 * h);
  for (let i = 0; i < padded.length; i++) padded[i] = values[Math.min(n - 1, Math.max(0, i - h))];
  return noGrad(() =>
    tidy(() => {
      const cols = unfold(tensor(padded).reshape([1, 1, 1, padded.length]), [1, width]); // [1, width, n]
      return Array.from(median(cols.reshape([width, n]), 0).values.dataSync());
    }),
  );
}

/** Options of refinedSchedule. */
export interface RefinedScheduleOptions {
  /** Steps of the schedule (default: the number of gradient norms given). */
  steps?: number;
  /** τ: the median filter's width as a fraction of the (interpolated) sequence (default 0.1, the official visual.py). */
  tau?: number;
  /** 'l2' (SGD-type; weights G⁻², default) or 'l1' (Adam-type, ℓ₁ norms; weights G⁻¹). */
  norm?: 'l2' | 'l1';
  /** Points the norms are interpolated to before filtering (default 10,000, as the official code). */
  nvals?: number;
}

/** Linear interpolation of `y` (at evenly spaced points on [0, 1]) to `m` evenly spaced points. */
function resample(y: readonly number[], m: number): number[] {
  const n = y.length;
  if (n === 1) return new Array<number>(m).fill(y[0]);
  return Array.from({ length: m }, (_, i) => {
    const pos = m === 1 ? 0 : (i * (n - 1)) / (m - 1);
    const k = Math.min(n - 2, Math.floor(pos));
    const f = pos - k;
    return y[k] * (1 - f) + y[k + 1] * f;
  });
}

/**
 * The refined schedule of Defazio et al. (arXiv 2310.07831; official `find_schedule.py` and
 * `visual.py`): smooth a previous run's per-step gradient norms G (interpolated to `nvals` points,
 * reflect-padded at the end by twice the filter width, median-filtered with width 2⌊τ·nvals/2⌋+1),
 * take weights w_t = G̃_t⁻² (ℓ₂) or G̃_t⁻¹ (ℓ₁), and set η_t ∝ w_t · Σ_{p>t} w_p, normalised to max 1
 * (so η_{T−1} = 0; constant G gives linear decay ∝ T−1−t). Returns one lr factor per step; multiply by
 * a tuned base lr (e.g. through LambdaLR).
 * @example
 * const normsOfLinearRun = [1, 0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.5]; // gradient norms logged by a linear-decay run
 * const f = gl.optim.refinedSchedule(normsOfLinearRun, { tau: 0.1 });
 * const opt = new gl.optim.SGD(new gl.nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * const sched = new gl.optim.LambdaLR(opt, (t) => f[Math.min(t, f.length - 1)]);
 */
export function refinedSchedule(gradNorms: readonly number[], opts: RefinedScheduleOptions = {}): number[] {
  knownKeys('refinedSchedule', opts, ['steps', 'tau', 'norm', 'nvals']);
  if (gradNorms.length < 2)
    throw new ArgumentError(`refinedSchedule: expected at least 2 gradient norms, got ${gradNorms.length}`);
  for (const g of gradNorms)
    if (!(g > 0) || !Number.isFinite(g))
      throw new ArgumentError(`refinedSchedule: gradient norms must be positive and finite, got ${g}`);
  const T = opts.steps ?? gradNorms.length;
  integer('refinedSchedule', 'steps', T, 2);
  const tau = opts.tau ?? 0.1;
  positive('refinedSchedule', 'tau', tau);
  const norm = opts.norm ?? 'l2';
  oneOf('refinedSchedule', 'norm', norm, ['l2', 'l1']);
  const nvals = opts.nvals ?? 10_000;
  integer('refinedSchedule', 'nvals', nvals, 2);
  const G = resample(gradNorms, nvals);
  const width = 2 * Math.floor(Math.floor(tau * nvals) / 2) + 1;
  const pad = Math.min(2 * width, nvals - 1);
  // numpy's pad(..., 'reflect') at the end: G[n-2], G[n-3], ... (the edge not repeated)
  const padded = [...G];
  for (let i = 1; i <= pad; i++) padded.push(G[nvals - 1 - i]);
  const smooth = resample(medianFilter1d(padded, width).slice(0, nvals), T);
  const w = smooth.map((g) => (norm === 'l2' ? g ** -2 : 1 / g));
  const tail = new Array<number>(T + 1).fill(0);
  for (let t = T - 1; t >= 0; t--) tail[t] = tail[t + 1] + w[t];
  const sched = w.map((wt, t) => (wt * tail[t + 1]) / tail[0]);
  const top = Math.max(...sched);
  return sched.map((v) => v / top);
}
