// Genomes as seed chains (Such et al. 2017): a genome is its list of seeds; weights are rebuilt from it on the host in float32.
import { ArgumentError } from '../../core/errors.js';
import { Generator, sampleHost } from '../../core/random/generator.js';
import { paramCount, type PolicySpec } from './spec.js';

/**
 * A genome: the seed of the initial weights, then one seed per mutation. Its weights are a pure
 * function of (spec, genome, σ): see `rebuildWeights`.
 */
export type Genome = readonly number[];

/** Bytes one genome entry takes when stored (a seed below 2^53, written as 8 bytes). */
export const GENOME_ENTRY_BYTES = 8;

/**
 * Draws a fresh seed (below 2^48) from `gen`: two 24-bit uniforms.
 * @example gl.rules.population.drawSeed(new gl.Generator(0)); // an integer below 2^48
 */
export function drawSeed(gen: Generator): number {
  const u = sampleHost(gen, 2, 'uniform');
  return Math.floor(u[0] * 16777216) * 16777216 + Math.floor(u[1] * 16777216);
}

/**
 * `P` standard normals of seed `seed`'s stream, each rounded to float32.
 * @example gl.rules.population.noise(42, 5); // Float32Array of 5 standard normals, the same for seed 42 everywhere
 */
export function noise(seed: number, P: number): Float32Array {
  return Float32Array.from(sampleHost(new Generator(seed), P, 'normal'));
}

/**
 * The initial weights of seed `seed`: every weight N(0, 1)·(1/√fan_in) rounded to float32, biases 0.
 * Layout: each layer's weight [out, in] then bias [out] (the order of `model.parameters()`).
 * @example
 * const spec = gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2));
 * gl.rules.population.initialWeights(spec, 7).length; // 10: weight [2, 4] then bias [2]
 */
export function initialWeights(spec: PolicySpec, seed: number): Float32Array {
  const P = paramCount(spec);
  const eps = noise(seed, P);
  const out = new Float32Array(P);
  let o = 0;
  for (const l of spec.layers) {
    const scale = Math.fround(1 / Math.sqrt(l.in));
    for (let i = 0; i < l.in * l.out; i++, o++) out[o] = Math.fround(eps[o] * scale);
    if (l.bias) o += l.out; // biases stay 0
  }
  return out;
}

/**
 * θ ← θ + σ·ε(seed), every product and sum rounded to float32 (no fused multiply-add: the same bits everywhere).
 * @example
 * const theta = new Float32Array(10);
 * gl.rules.population.mutateInPlace(theta, 42, 0.02); // θ += 0.02 · noise(42, 10)
 */
export function mutateInPlace(theta: Float32Array, seed: number, sigma: number): void {
  const eps = noise(seed, theta.length);
  const s = Math.fround(sigma);
  for (let i = 0; i < theta.length; i++) theta[i] = Math.fround(theta[i] + Math.fround(s * eps[i]));
}

function checkGenome(genome: Genome): void {
  if (genome.length === 0)
    throw new ArgumentError('genome: expected at least one seed (the initial weights)');
  for (const s of genome)
    if (!Number.isSafeInteger(s) || s < 0)
      throw new ArgumentError(`genome: seeds must be non-negative safe integers, got ${s}`);
}

/**
 * The weights of `genome` (float32, `paramCount(spec)` of them): the initial weights of its first seed,
 * then one mutation of strength σ per further seed. Bit-identical on every run, machine and backend.
 * @example
 * const theta = gl.rules.population.rebuildWeights(spec, [17, 4, 99], 0.1);
 */
export function rebuildWeights(
  spec: PolicySpec,
  genome: Genome,
  sigma: number,
  cache?: WeightCache,
): Float32Array {
  checkGenome(genome);
  let start = 1;
  let theta: Float32Array | null = null;
  if (cache) {
    const hit = cache.longestPrefix(genome);
    if (hit) {
      theta = Float32Array.from(hit.weights);
      start = hit.length;
    }
  }
  if (!theta) theta = initialWeights(spec, genome[0]);
  for (let i = start; i < genome.length; i++) mutateInPlace(theta, genome[i], sigma);
  cache?.put(genome, theta);
  return theta;
}

/**
 * Stored size of a genome in bytes.
 * @example gl.rules.population.genomeBytes([7, 8, 9]); // 24
 */
export function genomeBytes(genome: Genome): number {
  return genome.length * GENOME_ENTRY_BYTES;
}

/**
 * How many times smaller the genome is than its float32 weights: 4·P / genome bytes.
 * @example
 * const spec = gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2));
 * gl.rules.population.compressionRatio(spec, [7, 8]); // 4·10 / 16 = 2.5
 */
export function compressionRatio(spec: PolicySpec, genome: Genome): number {
  return (4 * paramCount(spec)) / genomeBytes(genome);
}

/**
 * Recently rebuilt weights by genome, so a child is its parent's weights plus one mutation (Such et
 * al.'s cache); bounded, oldest dropped first. Results are the same with or without it.
 * @example
 * const cache = new gl.rules.population.WeightCache(64);
 * const spec = gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2));
 * const job: gl.rules.population.EvalJob = { spec, sigma: 0.02, candidates: [], task: { kind: 'cartpole', episodes: 1 }, seed: 0 };
 * gl.rules.population.candidateWeights(job, { kind: 'genome', genome: [7, 8] }, cache);
 * cache.longestPrefix([7, 8, 9])?.length; // 2: only seed 9's mutation is left to apply
 */
export class WeightCache {
  private readonly map = new Map<string, Float32Array>();
  constructor(
    /** The most weight vectors kept. */
    readonly capacity = 256,
  ) {}

  /**
   * The cached weights of the longest prefix of `genome`'s seed chain, or null when none is cached.
   * @example
   * const cache = new gl.rules.population.WeightCache();
   * cache.put([7], new Float32Array(10));
   * cache.longestPrefix([7, 8]); // { length: 1, weights: the cached Float32Array }
   */
  longestPrefix(genome: Genome): {
    /** How many seeds of the chain the cached weights cover. */
    length: number;
    /** The weights after those seeds. */
    weights: Float32Array;
  } | null {
    for (let n = genome.length; n >= 1; n--) {
      const w = this.map.get(genome.slice(0, n).join(','));
      if (w) return { length: n, weights: w };
    }
    return null;
  }

  /**
   * Caches the weights that `genome`'s seed chain rebuilds to.
   * @example
   * const cache = new gl.rules.population.WeightCache();
   * cache.put([7, 8], new Float32Array(10)); // the weights that seed chain [7, 8] rebuilds to
   */
  put(genome: Genome, weights: Float32Array): void {
    const key = genome.join(',');
    this.map.delete(key);
    this.map.set(key, Float32Array.from(weights));
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}
