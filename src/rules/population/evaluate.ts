// Fitness of a population: a pure function of (candidates, task, seed) — CartPole episodes in lockstep or a supervised batch.
import { ArgumentError } from '../../core/errors.js';
import { Generator } from '../../core/random/generator.js';
import { tidy } from '../../core/tensor.js';
import { CartPoleBatch } from '../../envs/cartpole-batch.js';
import { CARTPOLE } from '../../envs/cartpole-physics.js';
import { argmax, mean } from '../../ops/reduce.js';
import { cast, eq, mul, sub } from '../../ops/elementwise.js';
import { logSoftmax } from '../../ops/nn.js';
import { expand, gather, reshape } from '../../ops/shape.js';
import { fromTypedArray } from '../../ops/tensor-like.js';
import { drawSeed, noise, rebuildWeights, type Genome, type WeightCache } from './genome.js';
import { stackedForward, stackWeights, type StackedWeights } from './forward.js';
import type { PolicySpec } from './spec.js';

/** CartPole-v1 episodes: fitness is the mean return over `episodes` episodes; actions are the argmax of the policy's 2 outputs. */
export interface CartPoleTask {
  /** Discriminates the task union. */
  kind: 'cartpole';
  /** Episodes per candidate (their initial states are shared by all candidates of one evaluation). */
  episodes: number;
  /** Step cap (CartPole-v1: 500). */
  maxSteps?: number;
}

/** A supervised batch as plain arrays: fitness is −loss (cross-entropy or MSE) or accuracy on it. */
export interface SupervisedTask {
  /** Discriminates the task union. */
  kind: 'supervised';
  /** Inputs, row-major [N, features]. */
  x: Float32Array;
  /** Number of examples N. */
  n: number;
  /** Class labels [N] (classification) or targets row-major [N, outputs] (regression). */
  y: Int32Array | Float32Array;
  /** True for class labels (cross-entropy / accuracy), false for regression targets (MSE). */
  classification: boolean;
  /** What fitness is: −loss on the batch, or accuracy (classification only). */
  fitness: 'neg-loss' | 'accuracy';
}

/** What a population rule evaluates on. */
export type PopulationTask = CartPoleTask | SupervisedTask;

/** A candidate: a GA genome, an ES perturbation center ± σ·ε(seed) of the job's center, or the center itself. */
export type Candidate =
  | {
      /** A GA genome. */
      kind: 'genome';
      /** Its seed chain. */
      genome: Genome;
    }
  | {
      /** An ES perturbation of the job's center. */
      kind: 'perturbed';
      /** Seed of the noise ε. */
      seed: number;
      /** +1 for center + σε, −1 for center − σε (antithetic pairs). */
      sign: 1 | -1;
    }
  | {
      /** The job's center itself. */
      kind: 'center';
    };

/** One evaluation: everything it depends on, as plain data (it crosses to worker threads). */
export interface EvalJob {
  /** The policy's layer shapes and activations. */
  spec: PolicySpec;
  /** Mutation / perturbation strength σ. */
  sigma: number;
  /** ES only: the current center θ (float32). */
  center?: Float32Array;
  /** The candidates to score, in order (the result has one fitness each). */
  candidates: Candidate[];
  /** What they are scored on. */
  task: PopulationTask;
  /** Seeds the episodes' initial states (ignored by supervised tasks). */
  seed: number;
}

/**
 * The weights of one candidate (genome rebuilt from its seeds; perturbation rebuilt from its seed).
 * @example
 * const spec = gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2));
 * const job: gl.rules.population.EvalJob = {
 *   spec, sigma: 0.02, candidates: [], task: { kind: 'cartpole', episodes: 1 }, seed: 0,
 * };
 * gl.rules.population.candidateWeights(job, { kind: 'genome', genome: [7, 8] }).length; // 10: θ of seed 7, mutated by seed 8
 */
export function candidateWeights(job: EvalJob, c: Candidate, cache?: WeightCache): Float32Array {
  if (c.kind === 'genome') return rebuildWeights(job.spec, c.genome, job.sigma, cache);
  if (!job.center) throw new ArgumentError(`evaluate: a '${c.kind}' candidate needs the job's center`);
  if (c.kind === 'center') return Float32Array.from(job.center);
  const eps = noise(c.seed, job.center.length);
  const s = Math.fround(job.sigma) * c.sign;
  const out = new Float32Array(job.center.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(job.center[i] + Math.fround(s * eps[i]));
  return out;
}

/**
 * The initial-state seeds of the `episodes` episodes of an evaluation seeded `seed` (shared by its candidates).
 * @example gl.rules.population.episodeSeeds(0, 3); // three initial-state seeds, the same for every candidate
 */
export function episodeSeeds(seed: number, episodes: number): number[] {
  const g = new Generator(seed);
  return Array.from({ length: episodes }, () => drawSeed(g));
}

/**
 * Fitness of each candidate of `job`, in order. Pure: the same job gives the same numbers, whether it
 * runs whole or split into parts (each candidate's forward is its own slice of every batched matmul).
 * @example
 * const spec = gl.rules.population.policySpec('ga', new gl.nn.Linear(4, 2));
 * const fitness = await gl.rules.population.evaluate({
 *   spec,
 *   sigma: 0.02,
 *   candidates: [{ kind: 'genome', genome: [1] }, { kind: 'genome', genome: [2] }],
 *   task: { kind: 'cartpole', episodes: 2, maxSteps: 50 },
 *   seed: 0,
 * }); // Float64Array [2]: mean return of each candidate
 */
export async function evaluate(job: EvalJob, cache?: WeightCache): Promise<Float64Array> {
  if (job.candidates.length === 0) return new Float64Array(0);
  const thetas = job.candidates.map((c) => candidateWeights(job, c, cache));
  if (job.task.kind === 'cartpole') return cartpoleFitness(job, job.task, thetas);
  const w = stackWeights(job.spec, thetas);
  try {
    return await supervisedFitness(job, job.task, w);
  } finally {
    disposeStacked(w);
  }
}

async function cartpoleFitness(
  job: EvalJob,
  task: CartPoleTask,
  thetas: readonly Float32Array[],
): Promise<Float64Array> {
  const G = job.candidates.length;
  const E = task.episodes;
  if (!Number.isInteger(E) || E < 1)
    throw new ArgumentError(`cartpole task: episodes must be >= 1, got ${E}`);
  const first = job.spec.layers[0];
  const last = job.spec.layers[job.spec.layers.length - 1];
  if (first.in !== 4 || last.out !== 2)
    throw new ArgumentError(
      `cartpole task: the policy must map 4 inputs to 2 outputs, got ${first.in} → ${last.out}`,
    );
  const seeds = episodeSeeds(job.seed, E);
  const envs = new CartPoleBatch(G * E, { maxSteps: task.maxSteps ?? CARTPOLE.maxSteps });
  envs.reset(Array.from({ length: G * E }, (_, i) => seeds[i % E]));
  // genomes with a running episode; their weights are restacked whenever one finishes all its episodes
  let active: number[] = [];
  let w: StackedWeights | null = null;
  const actions = new Int32Array(G * E);
  try {
    while (!envs.allDone()) {
      const now = Array.from({ length: G }, (_, g) => g).filter((g) => {
        for (let e = 0; e < E; e++) if (envs.running[g * E + e]) return true;
        return false;
      });
      if (now.length !== active.length) {
        if (w) disposeStacked(w);
        active = now;
        w = stackWeights(
          job.spec,
          active.map((g) => thetas[g]),
        );
      }
      const A = active.length;
      const obs = new Float32Array(A * E * 4);
      active.forEach((g, i) => obs.set(envs.states.subarray(g * E * 4, (g + 1) * E * 4), i * E * 4));
      const chosen = tidy(() =>
        argmax(stackedForward(job.spec, w!, fromTypedArray(obs, [A, E, 4], 'float32')), -1),
      );
      const a = await chosen.data();
      chosen.dispose();
      active.forEach((g, i) => {
        for (let e = 0; e < E; e++) actions[g * E + e] = a[i * E + e];
      });
      envs.step(actions);
    }
  } finally {
    if (w) disposeStacked(w);
  }
  const fit = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    let s = 0;
    for (let e = 0; e < E; e++) s += envs.returns[g * E + e];
    fit[g] = s / E;
  }
  return fit;
}

function disposeStacked(w: StackedWeights): void {
  for (const t of [...w.weights, ...w.biases]) t?.dispose();
}

async function supervisedFitness(
  job: EvalJob,
  task: SupervisedTask,
  w: StackedWeights,
): Promise<Float64Array> {
  const spec = job.spec;
  const inF = spec.layers[0].in;
  const outF = spec.layers[spec.layers.length - 1].out;
  if (task.x.length !== task.n * inF)
    throw new ArgumentError(`supervised task: expected x of ${task.n}×${inF} values, got ${task.x.length}`);
  const G = job.candidates.length;
  const per = tidy(() => {
    const x = fromTypedArray(task.x, [task.n, inF], 'float32');
    const out = stackedForward(spec, w, x); // [G, N, out]
    if (task.classification) {
      const y = expand(fromTypedArray(task.y, [1, task.n, 1], 'int32'), [G, task.n, 1]);
      if (task.fitness === 'accuracy') {
        const hit = cast(eq(argmax(out, -1), reshape(y, [G, task.n])), 'float32');
        return mean(hit, 1);
      }
      const nll = gather(logSoftmax(out, -1), 2, y); // [G, N, 1]
      return mean(reshape(nll, [G, task.n]), 1); // −cross-entropy: the mean log-probability of the label
    }
    const y = fromTypedArray(task.y, [1, task.n, outF], 'float32');
    const d = sub(out, y);
    const mse = mean(reshape(mul(d, d), [G, task.n * outF]), 1);
    return mul(mse, -1); // regression: −MSE (accuracy is refused when the rule is created)
  });
  const v = await per.data();
  per.dispose();
  return Float64Array.from(v as Float32Array);
}
