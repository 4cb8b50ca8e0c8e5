// Option checks shared by optimizers and schedules: each failure is an ArgumentError naming the option.
import { ArgumentError } from '../core/errors.js';

const show = (v: unknown): string =>
  typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v}]` : `${v}`;

/** Throws unless `v` is a finite number >= 0. */
export function nonNegative(owner: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
    throw new ArgumentError(`${owner}: invalid ${name}: expected a finite number >= 0, got ${show(v)}`);
}

/** Throws unless `v` is a finite number > 0. */
export function positive(owner: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
    throw new ArgumentError(`${owner}: invalid ${name}: expected a finite number > 0, got ${show(v)}`);
}

/** Throws unless `v` is an integer >= min. */
export function integer(owner: string, name: string, v: unknown, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new ArgumentError(`${owner}: invalid ${name}: expected an integer >= ${min}, got ${show(v)}`);
}

/** Throws unless `v` is a number in [lo, hi] (or [lo, hi) when `openHigh`). */
export function inRange(
  owner: string,
  name: string,
  v: unknown,
  lo: number,
  hi: number,
  openHigh = false,
): void {
  const ok = typeof v === 'number' && v >= lo && (openHigh ? v < hi : v <= hi);
  if (!ok)
    throw new ArgumentError(
      `${owner}: invalid ${name}: expected a number in [${lo}, ${hi}${openHigh ? ')' : ']'}, got ${show(v)}`,
    );
}

/** Throws unless `v` is a boolean. */
export function boolean(owner: string, name: string, v: unknown): void {
  if (typeof v !== 'boolean')
    throw new ArgumentError(`${owner}: invalid ${name}: expected true or false, got ${show(v)}`);
}

/** Throws unless `v` is a pair of numbers, each in [0, 1). */
export function betas(owner: string, v: unknown): void {
  if (!Array.isArray(v) || v.length !== 2)
    throw new ArgumentError(`${owner}: invalid betas: expected a pair [beta1, beta2], got ${show(v)}`);
  inRange(owner, 'betas[0]', v[0], 0, 1, true);
  inRange(owner, 'betas[1]', v[1], 0, 1, true);
}

/** Throws unless `v` is one of `choices`. */
export function oneOf(owner: string, name: string, v: unknown, choices: readonly string[]): void {
  if (typeof v !== 'string' || !choices.includes(v))
    throw new ArgumentError(
      `${owner}: invalid ${name}: expected one of ${choices.map(show).join(', ')}, got ${show(v)}`,
    );
}

/** Throws on keys of `opts` that are not in `known` (catches typos such as weight_decay). */
export function knownKeys(owner: string, opts: object, known: readonly string[]): void {
  for (const k of Object.keys(opts))
    if (!known.includes(k))
      throw new ArgumentError(`${owner}: unknown option '${k}' (expected one of ${known.join(', ')})`);
}
