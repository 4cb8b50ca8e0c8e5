// The entry of a population worker (gl.rules.ga / es with workers > 0), a thread or a process: rebuilds candidates' weights from their seeds, evaluates on GRADLAB_BACKEND.
import { parentPort } from 'node:worker_threads';
import { createNativeBackend } from './backends/native/index.js';
import { getBackend, registerBackend, setBackend } from './core/backend-registry.js';
import type { BackendName } from './core/backend.js';
import './portable.js';
import { evaluate, type EvalJob } from './rules/population/evaluate.js';
import { WeightCache } from './rules/population/genome.js';

/** What the pool sends: a job to score, tagged with its request id. */
interface Request {
  id: number;
  job: EvalJob;
}
/** What goes back: the fitness of each candidate and the backend that computed it, or the error's name and message. */
type Reply = { id: number; fitness: Float64Array; backend: BackendName } | { id: number; error: string };

registerBackend('native', createNativeBackend, 10); // as the Node entry does (portable.ts has js and webgpu)
const cache = new WeightCache();
const ready = setBackend((process.env.GRADLAB_BACKEND ?? 'js') as BackendName);
ready.catch(() => {}); // a backend that fails to load is reported in the reply to each request
// a worker thread talks through parentPort, a child process through its IPC channel
const reply = (r: Reply): void => {
  if (parentPort) parentPort.postMessage(r, 'fitness' in r ? [r.fitness.buffer as ArrayBuffer] : []);
  else process.send!(r);
};

const onRequest = (msg: Request): void => {
  void (async () => {
    try {
      await ready;
      reply({ id: msg.id, fitness: await evaluate(msg.job, cache), backend: getBackend() });
    } catch (e) {
      reply({ id: msg.id, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  })();
};
if (parentPort) parentPort.on('message', onRequest);
else process.on('message', (m) => onRequest(m as Request));
