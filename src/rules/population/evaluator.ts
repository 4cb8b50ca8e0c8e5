// Where a population is evaluated: in this thread, or split over worker threads (Node registers the pool; browsers have none).
import type { BackendName } from '../../core/backend.js';
import { ArgumentError, GradlabError } from '../../core/errors.js';
import { evaluate, type EvalJob } from './evaluate.js';
import { WeightCache } from './genome.js';

/**
 * A population worker thread failed while evaluating (its error's name and message), or died.
 * @example
 * declare const ev: gl.rules.population.PopulationEvaluator;
 * declare const job: gl.rules.population.EvalJob;
 * try {
 *   await ev.evaluate(job);
 * } catch (e) {
 *   if (e instanceof gl.rules.population.PopulationWorkerError) console.log(e.message); // the worker's error, by name
 * }
 */
export class PopulationWorkerError extends GradlabError {}

/** Evaluates jobs (`evaluate` is pure, so where it runs does not change the numbers). */
export interface PopulationEvaluator {
  /** Workers used (0: this thread). */
  readonly workers: number;
  /** The backend the workers compute on (the current one when they started; null in this thread: the current one). */
  readonly backend: BackendName | null;
  /** The fitness of each of the job's candidates, in order. */
  evaluate(job: EvalJob): Promise<Float64Array>;
  /** Stops the worker threads (a no-op in this thread). */
  close(): Promise<void>;
}

/**
 * Evaluation in the calling thread, on the current backend.
 * @example
 * const ev = gl.rules.population.inProcessEvaluator();
 * ev.workers; // 0
 * await ev.close();
 */
export function inProcessEvaluator(): PopulationEvaluator {
  const cache = new WeightCache();
  return {
    workers: 0,
    backend: null,
    evaluate: (job) => evaluate(job, cache),
    close: async () => {},
  };
}

type PoolFactory = (workers: number) => PopulationEvaluator;
let poolFactory: PoolFactory | null = null;

/** @internal The Node entry registers its worker-thread pool here. */
export function registerWorkerPool(factory: PoolFactory): void {
  poolFactory = factory;
}

/**
 * The evaluator for `workers` workers (0: in-process), computing on the current backend.
 * @example
 * const ev = gl.rules.population.makeEvaluator('ga', 0); // 0: in this thread; n > 0 starts n workers
 * await ev.close();
 */
export function makeEvaluator(rule: string, workers: number): PopulationEvaluator {
  if (!Number.isInteger(workers) || workers < 0)
    throw new ArgumentError(`${rule}: workers must be an integer >= 0, got ${workers}`);
  if (workers === 0) return inProcessEvaluator();
  if (!poolFactory)
    throw new ArgumentError(
      `${rule}: worker threads need Node.js (import 'gradlab', not 'gradlab/browser'); use workers: 0`,
    );
  return poolFactory(workers);
}
