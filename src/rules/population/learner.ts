// What GA and ES share: the episodic API (one generation on CartPole), the supervised batch as a task, weights in and out of the model.
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import type { Module } from '../../nn/module.js';
import { copyInto } from '../../ops/inplace.js';
import { fromTypedArray } from '../../ops/tensor-like.js';
import type { CommonRuleOptions, Learner, LearningRule, TaskSpec } from '../types.js';
import type { CartPoleTask, SupervisedTask } from './evaluate.js';
import type { PolicySpec } from './spec.js';

/** Options GA and ES share. */
export interface PopulationOptions extends CommonRuleOptions {
  /** Candidates evaluated per generation (GA: 100; ES: 50, i.e. 25 antithetic pairs). */
  populationSize?: number;
  /** Mutation / perturbation strength σ (default 0.1: Such et al.'s 0.002 is for ~4M weights; per-weight σ grows as the net shrinks). */
  sigma?: number;
  /** Workers evaluating the population on the current backend (0, the default: this thread; > 0: Node only, threads or processes as the backend allows). */
  workers?: number;
  /** Supervised fitness: −loss (default) or accuracy (classification only). */
  fitness?: 'neg-loss' | 'accuracy';
  /** Episodes the elite (GA) or the center (ES) is evaluated on after each generation of an episodic task (default 5). */
  eliteEpisodes?: number;
}

/** One generation's record. */
export interface GenerationReport {
  /** The generation's number, from 1. */
  generation: number;
  /** Fitness of the best candidate evaluated this generation. */
  best: number;
  /** Mean fitness over the generation's candidates. */
  mean: number;
  /** GA: the elite's fitness (re-evaluated over `eliteEpisodes` on episodic tasks); ES: the center's. */
  elite: number;
  /** Episodes run this generation (candidates, elite re-evaluation and center included). */
  episodes: number;
  /** Candidates evaluated this generation. */
  evaluated: number;
}

/**
 * A GA or ES learner: a `Learner` whose `step(x, y)` is one generation on the batch (fitness −loss or
 * accuracy, `predict` = the elite / center), plus `evolve(task)`, one generation on an episodic task.
 * @example
 * const learner = gl.rules.ga.create(policy, { inputShape: [4], outputs: 2, kind: 'classification' });
 * for (let g = 0; g < 30; g++) console.log((await learner.evolve({ kind: 'cartpole', episodes: 1 })).elite);
 * await learner.close();
 */
export interface PopulationLearner extends Learner {
  /** One generation on an episodic task; the model ends holding the elite (GA) or the new center (ES). */
  evolve(task: CartPoleTask): Promise<GenerationReport>;
  /** The elite's (GA) or center's (ES) weights, flat float32 in `model.parameters()` order. */
  eliteWeights(): Float32Array;
  /** The policy's layers as plain data. */
  readonly spec: PolicySpec;
  /** Generations run so far. */
  readonly generations: number;
  /** Episodes run so far (every candidate's, re-evaluations included). */
  readonly episodes: number;
  /** Stops the workers (and frees what `dispose` frees). */
  close(): Promise<void>;
}

/** A learning rule whose learners are population learners (GA, ES). */
export type PopulationRule<O extends PopulationOptions, L extends PopulationLearner> = Omit<
  LearningRule<O>,
  'create'
> & {
  /** A population learner for `model` (trained in place). */
  create(model: Module, task: TaskSpec, options?: O): L;
};

/** Checks a positive integer option. */
export function positiveInt(rule: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new ArgumentError(`${rule}: ${name} must be an integer >= 1, got ${v}`);
  return v;
}

/** Checks σ. */
export function positiveNumber(rule: string, name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0))
    throw new ArgumentError(`${rule}: ${name} must be a number > 0, got ${v}`);
  return v;
}

/** The batch (x, y) as a plain-data supervised task. */
export async function supervisedTask(
  rule: string,
  task: TaskSpec,
  x: Tensor,
  y: Tensor,
  fitness: 'neg-loss' | 'accuracy',
): Promise<SupervisedTask> {
  if (task.kind === 'regression' && fitness === 'accuracy')
    throw new ArgumentError(`${rule}: fitness 'accuracy' needs a classification task`);
  const n = x.shape[0];
  const xs = Float32Array.from((await x.data()) as ArrayLike<number>);
  const ys =
    task.kind === 'classification'
      ? Int32Array.from((await y.data()) as ArrayLike<number>)
      : Float32Array.from((await y.data()) as ArrayLike<number>);
  return { kind: 'supervised', x: xs, n, y: ys, classification: task.kind === 'classification', fitness };
}

/**
 * Copies flat weights into the model's parameters (in order).
 * @example
 * const model = new gl.nn.Linear(4, 2);
 * const spec = gl.rules.population.policySpec('ga', model);
 * gl.rules.population.loadWeights(model, gl.rules.population.initialWeights(spec, 7));
 */
export function loadWeights(model: Module, theta: Float32Array): void {
  let o = 0;
  noGrad(() => {
    for (const p of model.parameters()) {
      copyInto(p, fromTypedArray(theta.subarray(o, o + p.numel), p.shape, 'float32'));
      o += p.numel;
    }
  });
  if (o !== theta.length)
    throw new ArgumentError(`loadWeights: the model has ${o} parameters, got ${theta.length} weights`);
}

/**
 * The model's parameters, flat float32 in order.
 * @example const theta = await gl.rules.population.readWeights(new gl.nn.Linear(4, 2)); // Float32Array [10]
 */
export async function readWeights(model: Module): Promise<Float32Array> {
  const parts = await Promise.all(model.parameters().map((p) => p.data()));
  const out = new Float32Array(parts.reduce((a, d) => a + d.length, 0));
  let o = 0;
  for (const d of parts) {
    out.set(d as ArrayLike<number>, o);
    o += d.length;
  }
  return out;
}
