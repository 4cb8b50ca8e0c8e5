// The paired-seed runner: one callback per seed, its named numbers collected into per-seed arrays.
import { ArgumentError } from '../../core/errors.js';
import type { PerSeed } from './types.js';

/**
 * Runs `fn` for each seed (arms inside `fn` share the seed, so their differences are paired) and collects
 * each returned metric into an array with one value per seed, in seed order. Every seed must return the
 * same metric names.
 * @example
 * const perSeed = await forEachSeed([0, 1, 2], (s) => ({ 'acc.plain': train(s, false), 'acc.mesa': train(s, true) }));
 * perSeed['acc.mesa']; // [a0, a1, a2]
 */
export async function forEachSeed(
  seeds: readonly number[],
  fn: (seed: number, index: number) => Record<string, number> | Promise<Record<string, number>>,
): Promise<PerSeed> {
  const out: PerSeed = {};
  for (let i = 0; i < seeds.length; i++) {
    const rec = await fn(seeds[i], i);
    const names = Object.keys(rec);
    if (i === 0) for (const k of names) out[k] = [];
    const known = Object.keys(out);
    if (names.length !== known.length || names.some((k) => !(k in out)))
      throw new ArgumentError(
        `forEachSeed: seed ${seeds[i]} returned metrics [${names.join(', ')}], expected [${known.join(', ')}]`,
      );
    for (const k of names) out[k].push(rec[k]);
  }
  return out;
}
