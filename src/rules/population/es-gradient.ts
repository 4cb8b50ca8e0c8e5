// OpenAI-ES's gradient estimate (Salimans et al. 2017): antithetic pairs, centered-rank fitness shaping.
import { ArgumentError } from '../../core/errors.js';
import { Generator } from '../../core/random/generator.js';
import { drawSeed, noise } from './genome.js';

/** How fitness values become weights: centered ranks in [−0.5, 0.5] (the paper's), or the raw values. */
export type FitnessShaping = 'centered-ranks' | 'none';

/**
 * Ranks of `values` scaled to [−0.5, 0.5] (ties broken by position, as argsort does).
 * @example gl.rules.population.centeredRanks([10, 30, 20]); // Float64Array [-0.5, 0.5, 0]
 */
export function centeredRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const out = new Float64Array(n);
  if (n === 1) return out;
  order.forEach((idx, rank) => (out[idx] = rank / (n - 1) - 0.5));
  return out;
}

/**
 * The search gradient from antithetic fitness pairs: ĝ = Σᵢ (w⁺ᵢ − w⁻ᵢ) εᵢ / (2nσ), with w the shaped
 * fitness of θ + σεᵢ and θ − σεᵢ and εᵢ the noise of `seeds[i]`. Unshaped, it is the unbiased estimate of
 * the gradient of the Gaussian-smoothed fitness.
 * @example
 * const P = 10;
 * const seeds = [11, 12, 13];
 * const plus = [1.0, 0.5, 0.2]; // fitness of θ + σε(seed), per seed
 * const minus = [0.1, 0.4, 0.3]; // fitness of θ − σε(seed)
 * const grad = gl.rules.population.esGradientFromFitness(plus, minus, seeds, P, 0.1, 'centered-ranks'); // [P]
 */
export function esGradientFromFitness(
  plus: ArrayLike<number>,
  minus: ArrayLike<number>,
  seeds: readonly number[],
  P: number,
  sigma: number,
  shaping: FitnessShaping,
): Float64Array {
  const n = seeds.length;
  if (plus.length !== n || minus.length !== n)
    throw new ArgumentError(
      `esGradient: expected ${n} fitness pairs, got ${plus.length} and ${minus.length}`,
    );
  let wp: ArrayLike<number> = plus;
  let wm: ArrayLike<number> = minus;
  if (shaping === 'centered-ranks') {
    const r = centeredRanks([...Array.from(plus), ...Array.from(minus)]);
    wp = r.subarray(0, n);
    wm = r.subarray(n);
  }
  const g = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    const w = wp[i] - wm[i];
    if (w === 0) continue;
    const eps = noise(seeds[i], P);
    for (let j = 0; j < P; j++) g[j] += w * eps[j];
  }
  const scale = 1 / (2 * n * sigma);
  for (let j = 0; j < P; j++) g[j] *= scale;
  return g;
}

/**
 * The ES gradient estimate of a host function `f` at `center` (float32): `pairs` antithetic pairs of
 * seeded noise, seeds drawn from `new Generator(seed)`.
 * @example
 * const g = gl.rules.population.esGradient((t) => -t.reduce((a, v) => a + v * v, 0), new Float32Array([1, 2]), {
 *   sigma: 0.1, pairs: 50, seed: 0, shaping: 'none',
 * }); // ≈ [-2, -4]
 */
export function esGradient(
  f: (theta: Float32Array) => number,
  center: Float32Array,
  opts: { sigma: number; pairs: number; seed: number; shaping: FitnessShaping },
): Float64Array {
  const g = new Generator(opts.seed);
  const seeds = Array.from({ length: opts.pairs }, () => drawSeed(g));
  const s = Math.fround(opts.sigma);
  const at = (seed: number, sign: number) => {
    const eps = noise(seed, center.length);
    return f(center.map((c, j) => Math.fround(c + sign * Math.fround(s * eps[j]))));
  };
  const plus = seeds.map((seed) => at(seed, 1));
  const minus = seeds.map((seed) => at(seed, -1));
  return esGradientFromFitness(plus, minus, seeds, center.length, opts.sigma, opts.shaping);
}
