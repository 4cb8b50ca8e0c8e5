// The deep GA (Such et al. 2017): seed-chain genomes, truncation selection, elitism with re-evaluation, Gaussian mutation.
import { ArgumentError } from '../core/errors.js';
import { Generator, sampleHost } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import { requireParameters } from './bp.js';
import { measureStep } from './measure.js';
import type { TaskSpec } from './types.js';
import type { CartPoleTask, PopulationTask } from './population/evaluate.js';
import { makeEvaluator } from './population/evaluator.js';
import { compressionRatio, drawSeed, genomeBytes, rebuildWeights, type Genome } from './population/genome.js';
import {
  loadWeights,
  positiveInt,
  positiveNumber,
  supervisedTask,
  type GenerationReport,
  type PopulationLearner,
  type PopulationOptions,
  type PopulationRule,
} from './population/learner.js';
import { policySpec } from './population/spec.js';

/** Options of `gl.rules.ga` (no learning rate: GA has none). */
export interface GaOptions extends PopulationOptions {
  /** Parents: the top T candidates of a generation (default 10). */
  truncation?: number;
  /** On episodic tasks, the top candidates re-evaluated over `eliteEpisodes` to pick the elite (default 10). */
  eliteCandidates?: number;
}

/** A GA learner: a population learner that also shows its elite genome. */
export interface GaLearner extends PopulationLearner {
  /** The elite's genome (its seeds): `rebuildWeights(spec, genome, σ)` gives its weights bit for bit. */
  eliteGenome(): Genome;
  /** 4·P bytes of float32 weights over the elite genome's bytes (8 per seed). */
  compression(): number;
  /** Bytes of the elite genome. */
  genomeBytes(): number;
}

/** Index order by fitness, best first (ties: lower index first). */
function bestFirst(f: ArrayLike<number>): number[] {
  return Array.from({ length: f.length }, (_, i) => i).sort((a, b) => f[b] - f[a] || a - b);
}

/**
 * A genetic algorithm without crossover: each generation keeps the elite unchanged and fills the rest
 * with mutants (θ + σε, ε from a fresh seed) of parents drawn uniformly from the top T. A genome is its
 * list of seeds; weights are rebuilt from it on the host in float32 (bit-identical on every backend).
 * The model's own initial weights are replaced by generation 0's.
 * @example
 * const policy = new gl.nn.Sequential(new gl.nn.Linear(4, 32), new gl.nn.Tanh(), new gl.nn.Linear(32, 2));
 * const ga = gl.rules.ga.create(policy, { inputShape: [4], outputs: 2, kind: 'classification' }, { populationSize: 50 });
 * const report = await ga.evolve({ kind: 'cartpole', episodes: 1 });
 * await ga.close();
 */
export const ga: PopulationRule<GaOptions, GaLearner> = {
  name: 'ga',
  summary:
    'genetic algorithm on seed-chain genomes: truncation selection, elitism, Gaussian mutation (no gradients)',
  source: '08',
  check(model: Module, _task: TaskSpec): void {
    if (typeof model?.forward !== 'function') throw new ArgumentError('ga: expected an nn.Module');
    requireParameters('ga', model);
    policySpec('ga', model);
  },
  create(model: Module, task: TaskSpec, options: GaOptions = {}): GaLearner {
    ga.check(model, task);
    const spec = policySpec('ga', model);
    const N = positiveInt('ga', 'populationSize', options.populationSize ?? 100);
    const T = positiveInt('ga', 'truncation', options.truncation ?? 10);
    const K = positiveInt('ga', 'eliteCandidates', options.eliteCandidates ?? 10);
    const eliteEpisodes = positiveInt('ga', 'eliteEpisodes', options.eliteEpisodes ?? 5);
    const sigma = positiveNumber('ga', 'sigma', options.sigma ?? 0.1);
    if (T > N) throw new ArgumentError(`ga: truncation (${T}) must not exceed populationSize (${N})`);
    const fitnessKind = options.fitness ?? 'neg-loss';
    const gen = options.generator ?? new Generator(0);
    const evaluator = makeEvaluator('ga', options.workers ?? 0);
    const params = model.parameters();
    let population: Genome[] = Array.from({ length: N }, () => [drawSeed(gen)]);
    let elite: Genome = population[0];
    let generations = 0;
    let episodes = 0;

    const generation = async (task: PopulationTask): Promise<GenerationReport & { eliteIndex: number }> => {
      const candidates = population.map((genome) => ({ kind: 'genome' as const, genome }));
      const fit = await evaluator.evaluate({ spec, sigma, candidates, task, seed: drawSeed(gen) });
      const order = bestFirst(fit);
      let eliteIndex = order[0];
      let eliteFitness = fit[eliteIndex];
      let used = task.kind === 'cartpole' ? N * task.episodes : 0;
      if (task.kind === 'cartpole') {
        // the top candidates are re-evaluated on fresh episodes; the best mean becomes the elite
        const top = order.slice(0, Math.min(K, N));
        const re = await evaluator.evaluate({
          spec,
          sigma,
          candidates: top.map((i) => candidates[i]),
          task: { ...task, episodes: eliteEpisodes },
          seed: drawSeed(gen),
        });
        const j = bestFirst(re)[0];
        eliteIndex = top[j];
        eliteFitness = re[j];
        used += top.length * eliteEpisodes;
      }
      elite = population[eliteIndex];
      loadWeights(model, rebuildWeights(spec, elite, sigma));
      const parents = order.slice(0, T).map((i) => population[i]);
      const pick = sampleHost(gen, N - 1, 'uniform');
      population = [elite, ...Array.from(pick, (u) => [...parents[Math.floor(u * T)], drawSeed(gen)])];
      generations++;
      episodes += used;
      let mean = 0;
      for (const v of fit) mean += v / N;
      return {
        generation: generations,
        best: fit[order[0]],
        mean,
        elite: eliteFitness,
        episodes: used,
        evaluated: N,
        eliteIndex,
      };
    };

    const learner: GaLearner = {
      rule: 'ga',
      spec,
      get generations() {
        return generations;
      },
      get episodes() {
        return episodes;
      },
      async step(x: Tensor, y: Tensor) {
        const t = await supervisedTask('ga', task, x, y, fitnessKind);
        const { value, stats } = await measureStep(params, async (fwd) => {
          const r = await generation(t);
          fwd.add(N);
          return r;
        });
        return { loss: -value.elite, stats };
      },
      async evolve(t: CartPoleTask) {
        const { eliteIndex: _, ...r } = await generation(t);
        return r;
      },
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() => model.forward(x) as Tensor);
      },
      eliteWeights: () => rebuildWeights(spec, elite, sigma),
      eliteGenome: () => [...elite],
      compression: () => compressionRatio(spec, elite),
      genomeBytes: () => genomeBytes(elite),
      parameters: () => params,
      dispose(): void {
        void evaluator.close();
      },
      close: () => evaluator.close(),
    };
    loadWeights(model, rebuildWeights(spec, elite, sigma));
    return learner;
  },
};
