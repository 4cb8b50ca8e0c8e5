// The entry of a population worker thread (gl.rules.ga / es with workers > 0): rebuilds candidates' weights from their seeds, evaluates on js.
import { parentPort } from 'node:worker_threads';
import { setBackend } from './core/backend-registry.js';
import './portable.js';
import { evaluate, type EvalJob } from './rules/population/evaluate.js';
import { WeightCache } from './rules/population/genome.js';

const cache = new WeightCache();
const ready = setBackend('js');

parentPort!.on('message', (msg: { id: number; job: EvalJob }) => {
  void (async () => {
    try {
      await ready;
      const fitness = await evaluate(msg.job, cache);
      parentPort!.postMessage({ id: msg.id, fitness }, [fitness.buffer as ArrayBuffer]);
    } catch (e) {
      parentPort!.postMessage({ id: msg.id, error: `${(e as Error).name}: ${(e as Error).message}` });
    }
  })();
});
