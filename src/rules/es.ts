// OpenAI-ES (Salimans et al. 2017): antithetic Gaussian perturbations, centered-rank fitness, Adam or SGD on the search gradient.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { requireParameters } from './bp.js';
import { measureStep } from './measure.js';
import { releaseGrads, ruleOptimizer } from './optimizers.js';
import type { TaskSpec } from './types.js';
import type { CartPoleTask, Candidate, PopulationTask } from './population/evaluate.js';
import { makeEvaluator } from './population/evaluator.js';
import { esGradientFromFitness, type FitnessShaping } from './population/es-gradient.js';
import { drawSeed, initialWeights } from './population/genome.js';
import {
  loadWeights,
  positiveInt,
  positiveNumber,
  readWeights,
  supervisedTask,
  type GenerationReport,
  type PopulationLearner,
  type PopulationOptions,
  type PopulationRule,
} from './population/learner.js';
import { paramCount, policySpec } from './population/spec.js';

/** Options of `gl.rules.es` (`lr` default 0.03, Adam unless `optimizer: 'sgd'`). */
export interface EsOptions extends PopulationOptions {
  /** Fitness shaping: centered ranks (default, the paper's) or raw fitness. */
  shaping?: FitnessShaping;
}

/**
 * OpenAI's evolution strategy: per generation, `populationSize / 2` seeded directions ε, the fitness of
 * θ ± σε, the search gradient Σ (w⁺ − w⁻) ε / (2nσ) on centered ranks, and one optimizer step up that
 * gradient. The center starts from the same seeded initialization as a GA genome (`initialWeights`).
 * @example
 * const es = gl.rules.es.create(policy, { inputShape: [4], outputs: 2, kind: 'classification' }, { lr: 0.03 });
 * await es.evolve({ kind: 'cartpole', episodes: 1 });
 * await es.close();
 */
export const es: PopulationRule<EsOptions, PopulationLearner> = {
  name: 'es',
  summary:
    'OpenAI evolution strategy: antithetic perturbations, rank-shaped fitness, Adam on the search gradient',
  source: 'Salimans et al. 2017 (baseline of 08)',
  check(model: Module, _task: TaskSpec): void {
    if (typeof model?.forward !== 'function') throw new ArgumentError('es: expected an nn.Module');
    requireParameters('es', model);
    policySpec('es', model);
  },
  create(model: Module, task: TaskSpec, options: EsOptions = {}): PopulationLearner {
    es.check(model, task);
    const spec = policySpec('es', model);
    const size = positiveInt('es', 'populationSize', options.populationSize ?? 50);
    if (size < 2 || size % 2 !== 0)
      throw new ArgumentError(`es: populationSize must be even and >= 2 (antithetic pairs), got ${size}`);
    const pairs = size / 2;
    const sigma = positiveNumber('es', 'sigma', options.sigma ?? 0.1);
    const eliteEpisodes = positiveInt('es', 'eliteEpisodes', options.eliteEpisodes ?? 5);
    const shaping = options.shaping ?? 'centered-ranks';
    if (shaping !== 'centered-ranks' && shaping !== 'none')
      throw new ArgumentError(`es: shaping must be 'centered-ranks' or 'none', got '${String(shaping)}'`);
    const fitnessKind = options.fitness ?? 'neg-loss';
    const gen = options.generator ?? new Generator(0);
    const evaluator = makeEvaluator('es', options.workers ?? 0);
    const params = model.parameters();
    const P = paramCount(spec);
    let center = initialWeights(spec, drawSeed(gen));
    loadWeights(model, center);
    const optimizer = ruleOptimizer(params, options, 0.03);
    let generations = 0;
    let episodes = 0;

    const generation = async (task: PopulationTask): Promise<GenerationReport> => {
      center = await readWeights(model);
      const seeds = Array.from({ length: pairs }, () => drawSeed(gen));
      const candidates: Candidate[] = [
        ...seeds.map((seed) => ({ kind: 'perturbed' as const, seed, sign: 1 as const })),
        ...seeds.map((seed) => ({ kind: 'perturbed' as const, seed, sign: -1 as const })),
      ];
      const fit = await evaluator.evaluate({ spec, sigma, center, candidates, task, seed: drawSeed(gen) });
      let used = task.kind === 'cartpole' ? size * task.episodes : 0;
      const g = esGradientFromFitness(fit.subarray(0, pairs), fit.subarray(pairs), seeds, P, sigma, shaping);
      // ascend the fitness: the optimizer minimizes, so it is given −ĝ
      releaseGrads(params);
      let o = 0;
      noGrad(() => {
        for (const p of params) {
          const part = new Float32Array(p.numel);
          for (let j = 0; j < p.numel; j++) part[j] = -g[o + j];
          p.grad = fromTypedArray(part, p.shape, 'float32');
          o += p.numel;
        }
        optimizer.step();
      });
      releaseGrads(params);
      const newCenter = await readWeights(model);
      const centerTask: PopulationTask =
        task.kind === 'cartpole' ? { ...task, episodes: eliteEpisodes } : task;
      const cf = await evaluator.evaluate({
        spec,
        sigma,
        center: newCenter,
        candidates: [{ kind: 'center' }],
        task: centerTask,
        seed: drawSeed(gen),
      });
      if (task.kind === 'cartpole') used += eliteEpisodes;
      center = newCenter;
      generations++;
      episodes += used;
      let best = -Infinity;
      let mean = 0;
      for (const v of fit) {
        best = Math.max(best, v);
        mean += v / fit.length;
      }
      return { generation: generations, best, mean, elite: cf[0], episodes: used, evaluated: size };
    };

    return {
      rule: 'es',
      spec,
      get generations() {
        return generations;
      },
      get episodes() {
        return episodes;
      },
      async step(x: Tensor, y: Tensor) {
        const t = await supervisedTask('es', task, x, y, fitnessKind);
        const { value, stats } = await measureStep(params, async (fwd) => {
          const r = await generation(t);
          fwd.add(size + 1);
          return r;
        });
        return { loss: -value.elite, stats };
      },
      evolve: (t: CartPoleTask) => generation(t),
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() => model.forward(x) as Tensor);
      },
      eliteWeights: () => Float32Array.from(center),
      parameters: () => params,
      dispose(): void {
        releaseGrads(params);
        void evaluator.close();
      },
      close: () => evaluator.close(),
    };
  },
};
