// Seeded random splits of a dataset into Subsets (train / validation / test).
import { ArgumentError } from '../core/errors.js';
import { Subset, type Dataset } from './dataset.js';
import { generatorFrom, permutation, type SeedOptions } from './random.js';

/** Sizes from `lengths` (counts summing to n, or fractions summing to 1 with the remainder spread first-come). */
function resolveLengths(lengths: readonly number[], n: number): number[] {
  if (lengths.length === 0) throw new ArgumentError('randomSplit: expected at least one length');
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => Number.isInteger(l) && l >= 0) && total === n) return [...lengths];
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-9) {
    const sizes = lengths.map((f) => Math.floor(f * n));
    let rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]++;
    return sizes;
  }
  throw new ArgumentError(
    `randomSplit: lengths must be counts summing to the dataset length ${n} or fractions summing to 1, got [${lengths.join(', ')}]`,
  );
}

/**
 * Splits `dataset` into non-overlapping random Subsets of the given sizes (counts or fractions).
 * The split depends only on the seed (default 0) or the generator's state.
 * @example const [train, val] = gl.data.randomSplit(ds, [0.9, 0.1], { seed: 42 });
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  opts: SeedOptions = {},
): Subset<T>[] {
  const sizes = resolveLengths(lengths, dataset.length);
  const order = permutation(dataset.length, generatorFrom(opts, 'randomSplit'));
  const out: Subset<T>[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(new Subset(dataset, order.subarray(at, at + s)));
    at += s;
  }
  return out;
}

/**
 * A seeded train / validation split: `valFraction` of the examples (rounded down) go to `val`.
 * @example const { train, val } = gl.data.trainValSplit(ds, 0.1, { seed: 0 });
 */
export function trainValSplit<T>(
  dataset: Dataset<T>,
  valFraction: number,
  opts: SeedOptions = {},
): {
  /** The remaining examples, in a seeded random order. */
  train: Subset<T>;
  /** floor(valFraction * length) examples, in a seeded random order. */
  val: Subset<T>;
} {
  if (!(valFraction >= 0 && valFraction < 1))
    throw new ArgumentError(`trainValSplit: valFraction must be in [0, 1), got ${valFraction}`);
  const nVal = Math.floor(valFraction * dataset.length);
  const [train, val] = randomSplit(dataset, [dataset.length - nVal, nVal], opts);
  return { train, val };
}
