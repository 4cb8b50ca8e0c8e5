// Node's population pool: `worker_threads`, one policy per worker, candidates split in contiguous parts (weights rebuilt there, not copied).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ArgumentError } from '../../core/errors.js';
import type { EvalJob } from './evaluate.js';
import { PopulationWorkerError, type PopulationEvaluator } from './evaluator.js';

/** The compiled worker entry (src/population-worker.ts): in dist/, or dist/'s copy when running from the TypeScript sources. */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), '../../population-worker.js');
  const built = join(dirname(here), '../../../dist/src/population-worker.js');
  if (!existsSync(built))
    throw new ArgumentError(
      `population workers: ${built} is missing; build first (npx tsc -p tsconfig.json)`,
    );
  return built;
}

/**
 * `n` worker threads evaluating a job's candidates in `n` contiguous parts. Workers run the js
 * backend: worker threads share one process, and so one native addon (whose metadata block and
 * thread pool are process-wide) and one OpenBLAS — a worker thread cannot have BLAS threads of its
 * own. Each worker computes single-threaded in plain TypeScript; the parallelism is the workers.
 */
export function createWorkerPool(n: number): PopulationEvaluator {
  const script = workerScript();
  const workers = Array.from({ length: n }, () => {
    const w = new Worker(script, { env: { ...process.env, GRADLAB_BACKEND: 'js' } });
    w.unref();
    return w;
  });
  let nextId = 0;
  let inFlight = 0;
  const pending = new Map<number, { resolve: (f: Float64Array) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.on('message', (m: { id: number; fitness?: Float64Array; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (--inFlight === 0) for (const x of workers) x.unref();
      if (m.error !== undefined) p.reject(new PopulationWorkerError(`population worker: ${m.error}`));
      else p.resolve(m.fitness!);
    });
    w.on('error', (e) => {
      for (const p of pending.values())
        p.reject(new PopulationWorkerError(`population worker died: ${e.message}`));
      pending.clear();
    });
  }
  const run = (w: Worker, job: EvalJob): Promise<Float64Array> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      if (inFlight++ === 0) for (const x of workers) x.ref();
      w.postMessage({ id, job });
    });
  return {
    workers: n,
    async evaluate(job: EvalJob): Promise<Float64Array> {
      const C = job.candidates.length;
      const per = Math.ceil(C / n);
      const parts: Promise<Float64Array>[] = [];
      for (let i = 0; i < n && i * per < C; i++)
        parts.push(run(workers[i], { ...job, candidates: job.candidates.slice(i * per, (i + 1) * per) }));
      const out = new Float64Array(C);
      (await Promise.all(parts)).forEach((f, i) => out.set(f, i * per));
      return out;
    },
    async close(): Promise<void> {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
