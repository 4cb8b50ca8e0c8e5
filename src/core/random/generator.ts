// Seeded random streams: a Generator is a Philox key plus a counter, so any stream can be replayed exactly.
import { ArgumentError } from '../errors.js';
import { blocksFor, philoxFill } from './philox.js';

/** Draws made inside a checkpointed region, so recomputation can replay them. */
let replayLog: Map<Generator, number> | null = null;

/**
 * A stream of random numbers: `key` (from the seed) and a block counter advanced by every draw.
 * @example
 * const g = new gl.Generator(42);
 * const a = gl.randn([3], { generator: g });
 */
export class Generator {
  /** The Philox key: two uint32 words made from the seed. */
  key: [number, number] = [0, 0];
  /** The next 128-bit block counter; every draw advances it by the blocks it used. */
  counter = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /**
   * Resets the stream to the start of `seed`'s sequence.
   * @example
   * const g = new gl.Generator();
   * g.manualSeed(42);
   * const a = gl.rand([2], { generator: g });
   * g.manualSeed(42);
   * gl.rand([2], { generator: g }); // the same values as a
   */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new ArgumentError(`manualSeed: seed must be a non-negative integer, got ${seed}`);
    this.key = [seed >>> 0, Math.floor(seed / 0x100000000) >>> 0];
    this.counter = 0;
    return this;
  }

  /**
   * The full state, to restore later with setState.
   * @example
   * const g = new gl.Generator(0);
   * const s = g.getState(); // { key, counter }: JSON for a checkpoint
   */
  getState(): {
    /** The Philox key. */
    key: [number, number];
    /** The block counter. */
    counter: number;
  } {
    return { key: [...this.key], counter: this.counter };
  }

  /**
   * Restores a state that getState returned: the stream continues exactly from there.
   * @example const s = g.getState(); gl.rand([2], { generator: g }); g.setState(s); // replays the draw
   */
  setState(s: { key: readonly [number, number]; counter: number }): this {
    this.key = [s.key[0] >>> 0, s.key[1] >>> 0];
    this.counter = s.counter;
    return this;
  }

  /**
   * An independent stream derived from this one (advances this one by one block).
   * @example
   * const data = new gl.Generator(0);
   * const dropout = data.fork(); // its own stream: drawing from it does not shift data's
   */
  fork(): Generator {
    const g = new Generator(0);
    const c = this.reserve(1, 'uniform');
    g.key = [(this.key[0] ^ 0x85ebca6b ^ c) >>> 0, (this.key[1] + 0x9e3779b9 + c) >>> 0];
    return g;
  }

  /** @internal reserves the blocks for `n` values and returns the first block's counter. */
  reserve(n: number, dist: 'uniform' | 'normal'): number {
    if (replayLog && !replayLog.has(this)) replayLog.set(this, this.counter);
    const c = this.counter;
    this.counter += blocksFor(n, dist);
    return c;
  }
}

/**
 * `n` values of `dist` drawn on the host from `gen`'s stream, advancing it exactly as `gl.rand` /
 * `gl.randn` with `dtype: 'float64'` do and giving the same numbers. Needs no device, so code that
 * wants random numbers on the host (shuffles, splits, initializers) gets the same values on every
 * backend, including those without float64 or synchronous reads.
 * @internal
 */
export function sampleHost(gen: Generator, n: number, dist: 'uniform' | 'normal'): Float64Array {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError(`sampleHost: n must be a non-negative integer, got ${n}`);
  const out = new Float64Array(n);
  if (n === 0) return out;
  const counter = gen.reserve(n, dist);
  philoxFill(out, gen.key, counter, dist);
  return out;
}

/** The stream used when no generator is passed. */
export const defaultGenerator = new Generator(0);

/**
 * Seeds the default stream: the same seed gives the same numbers on every backend.
 * @example gl.manualSeed(0);
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** @internal records the first counter of every generator drawn from inside `fn` (for checkpoint replay). */
export function recordDraws<T>(fn: () => T): { result: T; draws: Map<Generator, number> } {
  const prev = replayLog;
  const log = new Map<Generator, number>();
  replayLog = log;
  try {
    return { result: fn(), draws: log };
  } finally {
    replayLog = prev;
    if (prev) for (const [g, c] of log) if (!prev.has(g)) prev.set(g, c);
  }
}

/** @internal runs `fn` with generators rewound to the recorded counters, then restores them. */
export function replayDraws<T>(draws: Map<Generator, number>, fn: () => T): T {
  const saved = [...draws.keys()].map((g) => [g, g.counter] as const);
  for (const [g, c] of draws) g.counter = c;
  try {
    return fn();
  } finally {
    for (const [g, c] of saved) g.counter = c;
  }
}
