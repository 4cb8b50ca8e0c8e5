// The interleaved timer: arms timed in alternating order, rep after rep, so load drift hits every arm alike.
import { ArgumentError } from '../../core/errors.js';
import { quantiles } from './stats.js';

/** Per-arm wall times (ms) of each repetition, and the per-repetition ratio of `arm` over `baseline`. */
export interface InterleavedTimes<A extends string> {
  /** Repetitions timed. */
  reps: number;
  /** Per arm: the wall time (ms) of each repetition. */
  ms: Record<A, number[]>;
}

/**
 * Times each arm `reps` times, interleaved: repetition r runs the arms in order, reversed on odd r (ABBA),
 * after `warmup` untimed rounds. Tests must not depend on the times; recipes report them with their spread.
 * @example
 * const t = interleavedTimes({ plain: () => step(false), sqrt: () => step(true) }, { reps: 7 });
 * ratioSpread(t, 'sqrt', 'plain').median; // √n step time / plain step time
 */
export function interleavedTimes<A extends string>(
  arms: Record<A, () => unknown>,
  opts: { reps: number; warmup?: number },
): InterleavedTimes<A> {
  const names = Object.keys(arms) as A[];
  if (names.length === 0) throw new ArgumentError('interleavedTimes: no arms');
  if (!Number.isInteger(opts.reps) || opts.reps < 1)
    throw new ArgumentError(`interleavedTimes: reps must be a positive integer, got ${opts.reps}`);
  for (let w = 0; w < (opts.warmup ?? 0); w++) for (const a of names) arms[a]();
  const ms = Object.fromEntries(names.map((a) => [a, [] as number[]])) as Record<A, number[]>;
  for (let r = 0; r < opts.reps; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const a of order) {
      const t0 = performance.now();
      arms[a]();
      ms[a].push(performance.now() - t0);
    }
  }
  return { reps: opts.reps, ms };
}

/**
 * Per-repetition ratios arm / baseline with their median, quartiles and range.
 * @example
 * const t = { reps: 3, ms: { gradlab: [10, 12, 11], torch: [20, 20, 22] } };
 * gl.recipes.ratioSpread(t, 'gradlab', 'torch').median; // 0.5 (ratios 0.5, 0.6, 0.5)
 */
export function ratioSpread<A extends string>(
  t: InterleavedTimes<A>,
  arm: A,
  baseline: A,
): {
  /** arm / baseline of each repetition. */
  ratios: number[];
  /** The smallest ratio. */
  min: number;
  /** The first quartile of the ratios. */
  q1: number;
  /** Their median. */
  median: number;
  /** The third quartile. */
  q3: number;
  /** The largest ratio. */
  max: number;
} {
  const ratios = t.ms[arm].map((v, i) => v / t.ms[baseline][i]);
  return { ratios, ...quantiles(ratios) };
}
