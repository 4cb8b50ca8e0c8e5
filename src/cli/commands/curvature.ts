// `gradlab curvature <run-id>`: the top Hessian eigenvalues of a stored training run's model at its newest checkpoint.
import fs from 'node:fs';
import * as gl from '../../index.js';
import { RunStore, resolveStorePath } from '../../store/index.js';
import { requestedBackend, defaultBackend, useBackend } from '../backend.js';
import type { CliBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { formatNumber } from '../format.js';

const WHERE = 'gradlab curvature';

/** The parts of a `gradlab train` run configuration this command reads. */
interface RunConfig {
  modelSpec: gl.train.ModelSpec;
  data: string;
  dataPath: string | null;
  trainSize: number | null;
  batchSize: number;
  lr: number;
  seed: number;
}

function usage(message: string): UsageError {
  return new UsageError(`${WHERE}: ${message}`, WHERE);
}

/** The run's configuration and its newest checkpoint file that still exists. */
function locate(
  storeFile: string,
  id: string,
): { runId: string; config: RunConfig; file: string; step: number } {
  if (!fs.existsSync(storeFile))
    throw usage(`no run store at ${storeFile} (train a model with gradlab train first)`);
  const store = RunStore.open(storeFile, { create: false });
  try {
    let run: ReturnType<RunStore['getRun']>;
    try {
      run = store.getRun(id);
    } catch (e) {
      if (e instanceof gl.StoreError && e.name === 'RunNotFoundError') throw usage(e.message);
      throw e;
    }
    const config = run.config as unknown as RunConfig | null;
    if (run.kind !== 'train' || !config || typeof config !== 'object' || !config.modelSpec)
      throw usage(
        `run ${run.id} is a '${run.kind}' run; curvature needs a run of gradlab train (a model and its data)`,
      );
    const files = [...run.checkpoints].sort((a, b) => a.step - b.step).filter((c) => fs.existsSync(c.path));
    if (files.length === 0)
      throw new gl.FileError(`run ${run.id} has no checkpoint file left to load the model from`);
    const last = files[files.length - 1];
    return { runId: run.id, config, file: last.path, step: last.step };
  } finally {
    store.close();
  }
}

export const curvatureCommand = defineCommand({
  summary: "top Hessian eigenvalues of a trained run's model at its checkpoint",
  description:
    'Loads the newest checkpoint of a run of `gradlab train`, rebuilds its model (in eval mode) and data, and ' +
    'computes the k largest eigenvalues of the Hessian of the mean cross-entropy over the first --batches ' +
    "batches of its training data (in order, not shuffled: the run's --train-size subset, before its validation " +
    'split), by Lanczos with full reorthogonalisation or power ' +
    'iteration (gl.curvature.topEigen). Prints them beside 2/lr, the stability edge of gradient descent.',
  options: {
    k: {
      type: 'number',
      integer: true,
      min: 1,
      default: 1,
      description: 'how many of the largest eigenvalues',
    },
    method: {
      type: 'string',
      choices: ['lanczos', 'power'],
      default: 'lanczos',
      description: 'Lanczos with full reorthogonalisation, or power iteration with deflation',
    },
    batches: {
      type: 'number',
      integer: true,
      min: 1,
      default: 1,
      description: 'training batches the loss averages',
    },
    batchSize: {
      type: 'number',
      integer: true,
      min: 1,
      valueName: 'n',
      description: "examples per batch (default: the run's batch size, at most its training-set size)",
    },
    iters: {
      type: 'number',
      integer: true,
      min: 1,
      description: 'Lanczos steps (default max(30, 3k)) or power iterations per eigenvalue (default 100)',
    },
    seed: { type: 'number', integer: true, default: 0, description: 'seed of the random start vector' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  positionals: [
    { name: 'run-id', description: 'run id, or a unique prefix of one (gradlab runs lists them)' },
  ],
  examples: ['gradlab curvature k7m2xq', 'gradlab curvature k7m --k 3 --method power --json'],
  async run({ options: o, positionals, global }, ctx) {
    const storeFile = resolveStorePath(global.store, ctx.env, ctx.cwd);
    const { runId, config, file, step } = locate(storeFile, positionals['run-id']);
    const backend: CliBackend = requestedBackend(global, ctx, WHERE) ?? defaultBackend();
    await useBackend(backend);
    const ds = gl.data.loadDataset(config.data, { path: config.dataPath ?? undefined, seed: config.seed });
    const available = Math.min(config.trainSize ?? ds.train.x.shape[0], ds.train.x.shape[0]);
    const batchSize = o.batchSize ?? Math.min(config.batchSize, available);
    if (o.batches * batchSize > available)
      throw usage(
        `--batches ${o.batches} of ${batchSize} examples need ${o.batches * batchSize}, but the run's training set has ${available}`,
      );
    gl.manualSeed(config.seed);
    const model = gl.train.buildModel(config.modelSpec, ds.inputShape, ds.numClasses);
    const ck = gl.train.readCheckpoint(file);
    const weights = new Map<string, gl.Tensor>();
    for (const [key, t] of Object.entries(ck.tensors))
      if (key.startsWith('model.')) weights.set(key.slice(6), t);
    model.loadStateDict(weights);
    model.eval();
    const losses = Array.from({ length: o.batches }, (_, b) => {
      const x = gl.narrow(ds.train.x, 0, b * batchSize, batchSize);
      const y = gl.narrow(ds.train.y, 0, b * batchSize, batchSize);
      return () => gl.crossEntropy(model.forward(x), y);
    });
    const r = gl.curvature.topEigen(losses, model, {
      k: o.k,
      method: o.method as 'lanczos' | 'power',
      iters: o.iters,
      seed: o.seed,
    });
    const edge = 2 / config.lr;
    const result = {
      runId,
      checkpoint: file,
      step,
      method: o.method,
      batches: o.batches,
      batchSize,
      parameters: model.parameters().reduce((a, p) => a + p.numel, 0),
      eigenvalues: r.eigenvalues,
      hessianVectorProducts: r.products,
      lr: config.lr,
      stabilityEdge: edge,
    };
    if (o.json) {
      ctx.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    }
    ctx.stdout.write(
      `run ${runId} at step ${step}: top ${r.eigenvalues.length} Hessian eigenvalue${r.eigenvalues.length === 1 ? '' : 's'} ` +
        `(${o.method}, ${o.batches} batch${o.batches === 1 ? '' : 'es'} of ${batchSize}, ${result.parameters} parameters, ${r.products} HVPs)\n`,
    );
    r.eigenvalues.forEach((v, i) => ctx.stdout.write(`  λ${i + 1} = ${formatNumber(v)}\n`));
    ctx.stdout.write(
      `  2/lr = ${formatNumber(edge)} (lr ${config.lr}); λ1 / (2/lr) = ${formatNumber(r.eigenvalues[0] / edge)}\n`,
    );
    return 0;
  },
});
