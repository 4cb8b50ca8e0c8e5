// Seeded draws for the data module, all taken from the core's Philox Generator streams.
import { ArgumentError } from '../core/errors.js';
import { Generator, sampleHost } from '../core/random/generator.js';

/** How callers pick a random stream: an explicit Generator, or a seed for a fresh one. */
export interface SeedOptions {
  /** Seed of a fresh Generator (default 0), ignored when `generator` is given. */
  seed?: number;
  /** The stream to draw from (advanced by the draws). */
  generator?: Generator;
}

/** The generator the options name (a fresh one from `seed`, default 0). */
export function generatorFrom(opts: SeedOptions, who: string): Generator {
  if (opts.generator !== undefined) {
    if (!(opts.generator instanceof Generator))
      throw new ArgumentError(`${who}: generator must be a gl.Generator, got ${typeof opts.generator}`);
    return opts.generator;
  }
  return new Generator(opts.seed ?? 0);
}

/** `n` uniform samples in [0, 1) as float64, drawn on the host (the same on every backend). */
export function uniforms(gen: Generator, n: number): Float64Array {
  return sampleHost(gen, n, 'uniform');
}

/** `n` standard normal samples as float64, drawn on the host (the same on every backend). */
export function normals(gen: Generator, n: number): Float64Array {
  return sampleHost(gen, n, 'normal');
}

/**
 * A uniformly random permutation of 0..n-1 (Fisher-Yates driven by `gen`).
 * @example const order = gl.data.permutation(10, new gl.Generator(0));
 */
export function permutation(n: number, gen: Generator): Int32Array {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError(`permutation: n must be a non-negative integer, got ${n}`);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const u = uniforms(gen, n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[i] * (i + 1)));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
