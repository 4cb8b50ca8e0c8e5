// Node's population pool: worker threads (or processes, where the backend is process-wide), candidates split in contiguous parts (weights rebuilt there, not copied).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../../core/backend.js';
import { backendCapabilities, getBackend } from '../../core/backend-registry.js';
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

/** One worker, a thread or a process: sends requests, reports replies, is held open only while busy. */
interface Channel {
  send(msg: { id: number; job: EvalJob }): void;
  onMessage(
    f: (m: { id: number; fitness?: Float64Array; backend?: BackendName; error?: string }) => void,
  ): void;
  onError(f: (e: Error) => void): void;
  /** Keeps the event loop alive (busy) or lets the program exit (idle). */
  hold(busy: boolean): void;
  close(): Promise<void>;
}

function threadChannel(script: string, backend: BackendName): Channel {
  const w = new Worker(script, { env: { ...process.env, GRADLAB_BACKEND: backend } });
  return {
    send: (msg) => w.postMessage(msg),
    onMessage: (f) => w.on('message', f),
    onError: (f) => w.on('error', f),
    hold: (busy) => (busy ? w.ref() : w.unref()),
    close: async () => {
      await w.terminate();
    },
  };
}

function processChannel(script: string, backend: BackendName): Channel {
  const env = { ...process.env, GRADLAB_BACKEND: backend, OPENBLAS_NUM_THREADS: '1' };
  // structured clone over IPC: typed arrays cross as typed arrays
  const c = fork(script, [], {
    env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let closing = false;
  let failed: (e: Error) => void = () => {};
  const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  c.on('exit', (code, signal) => {
    if (!closing) failed(new Error(`the process exited (code ${code}, signal ${signal})`));
  });
  return {
    send: (msg) => c.send(msg),
    onMessage: (f) => c.on('message', f as (m: unknown) => void),
    onError: (f) => {
      failed = f;
      c.on('error', f);
    },
    hold: (busy) => {
      if (busy) {
        c.ref();
        c.channel?.ref();
      } else {
        c.unref();
        c.channel?.unref();
      }
    },
    close: async () => {
      closing = true;
      c.ref(); // held until it has exited
      c.kill();
      await exited;
    },
  };
}

/**
 * `n` workers evaluating a job's candidates in `n` contiguous parts on the current backend. They are
 * worker threads where the backend allows several threads of one process to compute at once
 * (`capabilities.workerThreads`: js), else child processes (native: the addon's parameter block, thread
 * pool and OpenBLAS are process-wide; webgpu: each process opens its own device), with one BLAS thread
 * each. Evaluation is a pure function of the job, so the fitness is the same with any number of workers.
 */
export function createWorkerPool(n: number): PopulationEvaluator {
  const script = workerScript();
  const backend = getBackend();
  const open = backendCapabilities().workerThreads ? threadChannel : processChannel;
  const workers = Array.from({ length: n }, () => {
    const w = open(script, backend);
    w.hold(false);
    return w;
  });
  let nextId = 0;
  let inFlight = 0;
  const pending = new Map<number, { resolve: (f: Float64Array) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.onMessage((m) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (--inFlight === 0) for (const x of workers) x.hold(false);
      if (m.error !== undefined)
        p.reject(new PopulationWorkerError(`population worker (${backend}): ${m.error}`));
      else if (m.backend !== backend)
        p.reject(new PopulationWorkerError(`population worker: computed on ${m.backend}, not on ${backend}`));
      else p.resolve(m.fitness!);
    });
    w.onError((e) => {
      for (const p of pending.values())
        p.reject(new PopulationWorkerError(`population worker (${backend}) died: ${e.message}`));
      pending.clear();
    });
  }
  const run = (w: Channel, job: EvalJob): Promise<Float64Array> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      if (inFlight++ === 0) for (const x of workers) x.hold(true);
      w.send({ id, job });
    });
  return {
    workers: n,
    backend,
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
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
