// `gradlab train`: trains a model on a dataset with gl.train, records the run in the store, reports test accuracy.
import fs from 'node:fs';
import path from 'node:path';
import * as gl from '../../index.js';
import { makeDirs } from '../../io/files.js';
import {
  RunStore,
  describeOwner,
  describeStale,
  resolveStorePath,
  storeCheckpointsDir,
} from '../../store/index.js';
import type { JsonObject } from '../../store/index.js';
import type { GlobalOptions } from '../args.js';
import { defaultBackend, requestedBackend, useBackend } from '../backend.js';
import type { CliBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { readModelSpec } from '../model-spec-arg.js';
import { formatDuration, formatNumber } from '../format.js';
import { ProgressReporter, formatMetrics } from '../progress.js';

const WHERE = 'gradlab train';
const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'adamax'] as const;
type OptimizerName = (typeof OPTIMIZERS)[number];
/** Datasets small enough that Adam-like optimizers default to a 10× larger lr (they run few steps). */
const SMALL_DATA = ['embedded', 'digits', 'spirals', 'moons', 'circles', 'blobs', 'xor'];
/** Learning rate when --lr is not given (times 10 for the adaptive ones on SMALL_DATA). */
const DEFAULT_LR: Record<OptimizerName, number> = {
  sgd: 0.05,
  adam: 1e-3,
  adamw: 1e-3,
  rmsprop: 1e-3,
  adagrad: 1e-2,
  adamax: 2e-3,
};

/** Everything that defines a run; saved in the store and in every checkpoint (a resumed run reuses it). */
export interface TrainConfig {
  model: string;
  modelSpec: gl.train.ModelSpec;
  data: string;
  dataPath: string | null;
  trainSize: number | null;
  valSplit: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: string;
  seed: number;
  backend: string;
  patience: number | null;
  /** The learning rule (`gl.rules.RULES` name; 'bp' unless --rule; runs stored before --rule existed are bp). */
  rule: string;
}

const options = {
  model: {
    type: 'string',
    valueName: 'mlp|cnn|linear|json',
    description: 'mlp (default), cnn, linear, a JSON model spec, or the path of a .json file holding one',
  },
  data: {
    type: 'string',
    valueName: 'name',
    description: `dataset: ${gl.data.DATASET_NAMES.join(', ')} (default embedded)`,
  },
  dataPath: {
    type: 'string',
    valueName: 'dir',
    description: 'folder of the dataset files (mnist, cifar10; fashion-mnist has a default)',
  },
  trainSize: { type: 'number', integer: true, min: 1, description: 'use only the first n training examples' },
  valSplit: {
    type: 'number',
    min: 0,
    max: 0.5,
    description: 'hold out this fraction of the training set for per-epoch validation (default 0)',
  },
  epochs: {
    type: 'number',
    integer: true,
    min: 0,
    description: 'epochs (default 20 on embedded and synthetic data, else 5)',
  },
  batchSize: { type: 'number', integer: true, min: 1, description: 'examples per batch (default 64)' },
  rule: {
    type: 'string',
    valueName: 'name',
    description: `learning rule: ${gl.rules.RULE_NAMES.join(', ')} (default bp; see docs/rules.md)`,
  },
  optimizer: {
    type: 'string',
    choices: OPTIMIZERS,
    description: 'optimizer (default adam; with a --rule other than bp: adam or sgd, for each of its layers)',
  },
  lr: {
    type: 'number',
    min: 0,
    description:
      'learning rate (default: sgd 0.05; adam/adamw/rmsprop 1e-3, adagrad 1e-2, adamax 2e-3, each ×10 on embedded and synthetic data)',
  },
  momentum: {
    type: 'number',
    min: 0,
    max: 1,
    description: 'momentum of sgd and rmsprop (default: sgd 0.9, rmsprop 0)',
  },
  weightDecay: { type: 'number', min: 0, description: 'weight decay (default 0; adamw 0.01)' },
  schedule: {
    type: 'string',
    valueName: 'spec',
    description: `learning-rate schedule (default constant): ${gl.train.SCHEDULE_SYNTAX}`,
  },
  seed: {
    type: 'number',
    integer: true,
    min: 0,
    description: 'seed of initialisation, shuffling, splits and dropout (default 0)',
  },
  patience: {
    type: 'number',
    integer: true,
    min: 1,
    description:
      'early stopping: stop after this many epochs without a better validation loss (needs --val-split)',
  },
  checkpointDir: {
    type: 'string',
    valueName: 'dir',
    description: 'where checkpoints go (default <store folder>/checkpoints/<run id>)',
  },
  checkpointEvery: {
    type: 'number',
    integer: true,
    min: 1,
    description: 'also checkpoint every n optimizer steps (default: at epoch ends only)',
  },
  resume: {
    type: 'string',
    valueName: 'dir|file|run',
    description: 'continue from a checkpoint folder or file, or from a stored run (its id)',
  },
  name: { type: 'string', valueName: 'text', description: 'a name for the run in the store' },
  json: { type: 'boolean', description: 'print the final result as one JSON object on stdout' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress output' },
} as const;

type TrainOptions = {
  -readonly [K in keyof typeof options]: (typeof options)[K] extends { type: 'boolean' }
    ? boolean
    : (typeof options)[K] extends { type: 'number' }
      ? number | undefined
      : string | undefined;
};

/** Options a resumed run takes from its checkpoint; giving a different value is a mistake. */
const FIXED_ON_RESUME = [
  'model',
  'data',
  'dataPath',
  'trainSize',
  'valSplit',
  'batchSize',
  'optimizer',
  'lr',
  'momentum',
  'weightDecay',
  'schedule',
  'seed',
  'patience',
  'rule',
] as const;

/** Datasets read from files, for which --data-path means something. */
const FILE_DATA = ['mnist', 'fashion-mnist', 'cifar10'];

function usage(message: string): UsageError {
  return new UsageError(`${WHERE}: ${message}`, WHERE);
}

/** --model: a built-in name, inline JSON, or a JSON file. */
function resolveModel(text: string, cwd: string): gl.train.ModelSpec {
  return readModelSpec(text, cwd, {
    source: 'the --model value',
    usage,
    missing: (t, file) =>
      /[./\\]/.test(t)
        ? `--model file ${file} does not exist (--model takes mlp, cnn, linear, a JSON model spec or the path of a .json file)`
        : `--model must be mlp, cnn, linear, a JSON model spec or the path of a .json file; '${t}' is none of these (no such file ${file})`,
  });
}

/** The run's configuration from the options (and, when resuming, the checkpoint's configuration). */
function resolveConfig(
  o: TrainOptions,
  base: TrainConfig | null,
  backend: CliBackend | undefined,
  cwd: string,
): TrainConfig {
  if (base) {
    if (backend !== undefined && backend !== base.backend)
      throw usage(
        `the backend cannot change when resuming (the checkpoint's run used ${JSON.stringify(base.backend)}, got ${JSON.stringify(backend)} from --backend or $GRADLAB_BACKEND)`,
      );
    for (const k of FIXED_ON_RESUME) {
      const given = o[k];
      if (given === undefined) continue;
      const saved = k === 'model' ? base.model : base[k];
      if (given !== saved)
        throw usage(
          `--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} cannot change when resuming (the checkpoint's run used ${JSON.stringify(saved)}, got ${JSON.stringify(given)})`,
        );
    }
    const epochs = o.epochs ?? base.epochs;
    if (epochs !== base.epochs && FIXED_LENGTH.test(base.schedule))
      throw usage(
        `--epochs cannot change when resuming a run with schedule '${base.schedule}' (its length is the run's ${base.epochs} epochs)`,
      );
    return { ...base, rule: base.rule ?? 'bp', epochs };
  }
  const data = o.data ?? 'embedded';
  if (!(gl.data.DATASET_NAMES as readonly string[]).includes(data))
    throw usage(`unknown dataset '${data}' (expected one of ${gl.data.DATASET_NAMES.join(', ')})`);
  const optimizer = (o.optimizer as OptimizerName | undefined) ?? 'adam';
  const rule = o.rule ?? 'bp';
  if (!(gl.rules.RULE_NAMES as readonly string[]).includes(rule))
    throw usage(`unknown rule '${rule}' (expected one of ${gl.rules.RULE_NAMES.join(', ')})`);
  if (rule !== 'bp') {
    const bad =
      optimizer !== 'adam' && optimizer !== 'sgd'
        ? `--optimizer ${optimizer}`
        : o.schedule !== undefined && o.schedule !== 'constant'
          ? '--schedule'
          : o.weightDecay !== undefined
            ? '--weight-decay'
            : o.momentum !== undefined
              ? '--momentum'
              : null;
    if (bad !== null)
      throw usage(
        `${bad} is for backprop; rule '${rule}' updates each layer with its own adam or sgd (momentum 0.9) at --lr`,
      );
  }
  const model = o.model ?? 'mlp';
  if (o.patience !== undefined && !(o.valSplit !== undefined && o.valSplit > 0))
    throw usage('--patience needs a validation set: add --val-split, e.g. --val-split 0.1');
  if (o.dataPath !== undefined && !FILE_DATA.includes(data))
    throw usage(
      `--data-path is only read for datasets stored in files (${FILE_DATA.join(', ')}); '${data}' is built in — drop --data-path or pick one of those with --data`,
    );
  if (o.dataPath !== undefined && !fs.existsSync(path.resolve(cwd, o.dataPath)))
    throw usage(`--data-path folder ${path.resolve(cwd, o.dataPath)} does not exist`);
  return {
    model,
    modelSpec: resolveModel(model, cwd),
    data,
    dataPath: o.dataPath !== undefined ? path.resolve(cwd, o.dataPath) : null,
    trainSize: o.trainSize ?? null,
    valSplit: o.valSplit ?? 0,
    epochs: o.epochs ?? (SMALL_DATA.includes(data) ? 20 : 5),
    batchSize: o.batchSize ?? 64,
    optimizer,
    lr: o.lr ?? DEFAULT_LR[optimizer] * (optimizer !== 'sgd' && SMALL_DATA.includes(data) ? 10 : 1),
    momentum: o.momentum ?? (optimizer === 'sgd' ? 0.9 : 0),
    weightDecay: o.weightDecay ?? (optimizer === 'adamw' ? 0.01 : 0),
    schedule: o.schedule ?? 'constant',
    seed: o.seed ?? 0,
    backend: backend ?? defaultBackend(),
    patience: o.patience ?? null,
    rule,
  };
}

function makeOptimizer(c: TrainConfig, params: gl.Tensor[]): gl.optim.Optimizer<gl.optim.BaseHyper> {
  const wd = c.weightDecay;
  switch (c.optimizer) {
    case 'sgd':
      return new gl.optim.SGD(params, { lr: c.lr, momentum: c.momentum, weightDecay: wd });
    case 'adam':
      return new gl.optim.Adam(params, { lr: c.lr, weightDecay: wd });
    case 'adamw':
      return new gl.optim.AdamW(params, { lr: c.lr, weightDecay: wd });
    case 'rmsprop':
      return new gl.optim.RMSprop(params, { lr: c.lr, momentum: c.momentum, weightDecay: wd });
    case 'adagrad':
      return new gl.optim.Adagrad(params, { lr: c.lr, weightDecay: wd });
    case 'adamax':
      return new gl.optim.Adamax(params, { lr: c.lr, weightDecay: wd });
  }
}

/** What --resume names: a checkpoint file, the newest checkpoint of a folder, or of a stored run. */
function locateResume(what: string, cwd: string, storeFile: string): { file: string; runId: string | null } {
  const asPath = path.resolve(cwd, what);
  if (fs.existsSync(asPath)) return { file: gl.train.resolveCheckpoint(asPath), runId: null };
  const looksLikePath = /[./\\]/.test(what);
  if (!fs.existsSync(storeFile))
    throw usage(
      looksLikePath
        ? `--resume: no such checkpoint file or folder ${asPath}`
        : `--resume '${what}': no such checkpoint file or folder ${asPath}, and no run store at ${storeFile} to look up a run id in`,
    );
  const store = RunStore.open(storeFile, { create: false });
  try {
    let run: ReturnType<RunStore['getRun']>;
    try {
      run = store.getRun(what);
    } catch (e) {
      if (e instanceof gl.StoreError && e.name === 'RunNotFoundError')
        throw usage(
          looksLikePath
            ? `--resume: no such checkpoint file or folder ${asPath}`
            : `--resume '${what}' is neither a run of ${storeFile} (${e.message.replace(/^no run '[^']*' in [^ ]+ ?/, '').replace(/^\(|\)$/g, '') || 'gradlab runs lists them'}) nor an existing checkpoint file or folder (${asPath})`,
        );
      throw e;
    }
    store.assertNotLeased(run.id); // refuse early; reopenRun checks again atomically
    const files = [...run.checkpoints].sort((a, b) => a.step - b.step).filter((c) => fs.existsSync(c.path));
    if (files.length === 0)
      throw new gl.FileError(`run ${run.id} has no checkpoint file left to resume from`);
    return { file: files[files.length - 1].path, runId: run.id };
  } finally {
    store.close();
  }
}

/** Refuses (RunLeaseError) before any work when another live process trains the checkpoint's run. */
function refuseIfLeased(storeFile: string, runId: string): void {
  if (!fs.existsSync(storeFile)) return;
  const store = RunStore.open(storeFile, { create: false });
  try {
    store.assertNotLeased(runId);
  } catch (e) {
    if (!(e instanceof gl.StoreError && e.name === 'RunNotFoundError')) throw e; // a run of another store
  } finally {
    store.close();
  }
}

/** Schedules whose length is the run's epoch count (so a finished run cannot be extended). */
const FIXED_LENGTH = /(^|\+)(cosine|linear|onecycle)$/;

/**
 * A resumed run whose checkpoint has already done the epochs asked for would train nothing and
 * report the old result again: refuse, saying how to extend it (or that its schedule cannot be).
 */
function refuseNothingLeft(state: gl.train.TrainerState, c: TrainConfig, what: string): void {
  const started = state.epoch + (state.iteration > 0 ? 1 : 0);
  if (c.epochs > state.epoch || (c.epochs === started && state.iteration > 0)) return;
  const fixed = FIXED_LENGTH.test(c.schedule);
  throw usage(
    `--resume ${what}: the checkpoint has already trained ${state.epoch} epoch${state.epoch === 1 ? '' : 's'} ` +
      `(step ${state.step}) and the run asks for ${c.epochs}, so nothing is left to train; ` +
      (fixed
        ? `its '${c.schedule}' schedule is fixed to ${c.epochs} epochs and cannot be extended — start a new run for more`
        : `pass --epochs with more than ${state.epoch} to continue it`),
  );
}

/** Checks that checkpoints can be written to `dir` (creating it), before training starts. */
function checkWritable(dir: string): void {
  try {
    makeDirs(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new gl.FileError(`cannot write checkpoints to ${dir}: ${err.code ?? err.message}`);
  }
}

interface Prepared {
  model: gl.nn.Sequential;
  /** null when a rule other than bp trains the model (it owns its optimizers). */
  optimizer: gl.optim.Optimizer<gl.optim.BaseHyper> | null;
  task: gl.rules.TaskSpec;
  schedule: gl.train.BuiltSchedule;
  loader: gl.train.TrainLoader;
  valLoader: gl.train.EvalLoader | null;
  testLoader: gl.train.EvalLoader;
  summary: string;
}

/** Loads the data, builds model, optimizer, schedule and loaders; user mistakes become UsageErrors. */
function prepare(c: TrainConfig): Prepared {
  const ds = gl.data.loadDataset(c.data, { path: c.dataPath ?? undefined, seed: c.seed });
  let trainSet: gl.data.Dataset<unknown> = new gl.data.TensorDataset(ds.train.x, ds.train.y);
  if (c.trainSize !== null && c.trainSize < trainSet.length)
    trainSet = new gl.data.Subset(
      trainSet,
      Array.from({ length: c.trainSize }, (_, i) => i),
    );
  let valSet: gl.data.Dataset<unknown> | null = null;
  if (c.valSplit > 0) {
    const { train, val } = gl.data.trainValSplit(trainSet, c.valSplit, { seed: c.seed });
    [trainSet, valSet] = [train, val];
  }
  gl.manualSeed(c.seed);
  let model: gl.nn.Sequential;
  try {
    model = gl.train.buildModel(c.modelSpec, ds.inputShape, ds.numClasses);
  } catch (e) {
    if (e instanceof gl.ShapeError)
      throw usage(
        `model '${truncateSpec(c.model)}' does not fit dataset '${c.data}' (examples of shape [${ds.inputShape}], ${ds.numClasses} classes): ${e.message}`,
      );
    throw e;
  }
  const task: gl.rules.TaskSpec = {
    inputShape: ds.inputShape,
    outputs: ds.numClasses,
    kind: 'classification',
  };
  const rule = gl.rules.RULES[c.rule as gl.rules.RuleName];
  try {
    rule.check(model, task);
  } catch (e) {
    if (e instanceof gl.rules.RuleModelError) throw usage(`model '${truncateSpec(c.model)}': ${e.message}`);
    throw e;
  }
  const optimizer = c.rule === 'bp' ? makeOptimizer(c, model.parameters()) : null;
  const loader = new gl.data.DataLoader(trainSet, { batchSize: c.batchSize, shuffle: true, seed: c.seed });
  let schedule: gl.train.BuiltSchedule = { scheduler: null, interval: 'step' };
  try {
    if (optimizer)
      schedule = gl.train.parseSchedule(c.schedule, optimizer, {
        stepsPerEpoch: loader.length,
        epochs: c.epochs,
      });
  } catch (e) {
    if (e instanceof gl.ArgumentError) throw usage(e.message);
    throw e;
  }
  const evalBatch = Math.max(c.batchSize, 256);
  const testLoader = new gl.data.DataLoader(new gl.data.TensorDataset(ds.test.x, ds.test.y), {
    batchSize: evalBatch,
  });
  const valLoader = valSet ? new gl.data.DataLoader(valSet, { batchSize: evalBatch }) : null;
  const summary =
    `${truncateSpec(c.model)} (${model.numParameters()} parameters) on ${c.data}: ${trainSet.length} train` +
    `${valSet ? ` / ${valSet.length} val` : ''} / ${ds.test.x.shape[0]} test examples of shape [${ds.inputShape}], ` +
    `${ds.numClasses} classes; ${c.rule === 'bp' ? '' : `rule ${c.rule}, `}${c.optimizer} lr ${c.lr}, batch ${c.batchSize}, ${c.epochs} epochs, ` +
    `schedule ${c.schedule}, seed ${c.seed}, backend ${c.backend}`;
  return { model, optimizer, task, schedule, loader, valLoader, testLoader, summary };
}

function truncateSpec(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** Reports progress on stderr: a bar per epoch (TTY) or log lines, and one line per finished epoch. */
function progressCallback(
  c: TrainConfig,
  perEpoch: number,
  ctx: CliContext,
  quiet: boolean,
): gl.train.Callback {
  let bar: ProgressReporter | null = null;
  const open = (epoch: number, done: number) => {
    bar = new ProgressReporter({
      total: perEpoch,
      label: `epoch ${epoch + 1}/${c.epochs}`,
      stream: ctx.stderr,
      quiet,
    });
    if (done > 0) bar.update(done);
  };
  return {
    onEpochStart: (epoch) => open(epoch, 0),
    onStepEnd: ({ epoch, iteration, metrics }) => {
      if (!bar) open(epoch, iteration);
      bar!.update(iteration + 1, { loss: metrics.loss, acc: metrics.accuracy });
    },
    onEpochEnd: ({ epoch, metrics }) => {
      // one line per finished epoch: on a terminal the finished bar (with the epoch's metrics),
      // elsewhere a plain epoch line
      if (ctx.stderr.isTTY === true && bar !== null) {
        const { loss, accuracy, ...rest } = metrics;
        (bar as ProgressReporter).finish({ loss, acc: accuracy, ...rest });
      } else if (!quiet) ctx.stderr.write(`epoch ${epoch + 1}/${c.epochs}: ${formatMetrics(metrics)}\n`);
      bar = null;
    },
  };
}

/** Logs steps, epochs and checkpoints into the run store. */
function storeCallback(store: RunStore, runId: string): gl.train.Callback {
  return {
    onStepEnd: ({ step, metrics, lr }) => store.logMetrics(runId, step, { ...metrics, lr }),
    onEpochEnd: ({ epoch, step, metrics }) => {
      const val: Record<string, number> = {};
      for (const [k, v] of Object.entries(metrics)) if (k.startsWith('val')) val[k] = v;
      if (Object.keys(val).length > 0) store.logMetrics(runId, step, val);
      store.logEvent(runId, 'epoch', { epoch: epoch + 1, ...jsonNumbers(metrics) }, step);
    },
    onCheckpoint: ({ path: file, step }) => {
      store.addCheckpoint(runId, step, file);
      store.pruneCheckpoints(runId); // files rotated away by keepLast
    },
  };
}

function runExists(store: RunStore, id: string): boolean {
  try {
    return store.getRun(id).id === id;
  } catch (e) {
    if (e instanceof gl.StoreError) return false;
    throw e;
  }
}

function jsonNumbers(m: Record<string, number>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(m)) out[k] = Number.isFinite(v) ? v : String(v);
  return out;
}

async function runTrain(o: TrainOptions, global: GlobalOptions, ctx: CliContext): Promise<number> {
  const storeFile = resolveStorePath(global.store, ctx.env, ctx.cwd);
  const resolvePath = (p: string): string => path.resolve(ctx.cwd, p);
  let resume: { file: string; runId: string | null; state: gl.train.TrainerState } | null = null;
  let base: TrainConfig | null = null;
  if (o.resume !== undefined) {
    const located = locateResume(o.resume, ctx.cwd, storeFile);
    const ck = gl.train.readCheckpoint(located.file);
    for (const t of Object.values(ck.tensors)) t.dispose();
    const extra = ck.state.extra as { config?: TrainConfig; runId?: string } | null;
    if (!extra?.config)
      throw new gl.FileFormatError(
        `checkpoint ${located.file} was not written by gradlab train (no run configuration)`,
      );
    base = extra.config;
    resume = { file: located.file, runId: located.runId ?? extra.runId ?? null, state: ck.state };
    if (located.runId === null && resume.runId !== null) refuseIfLeased(storeFile, resume.runId);
  }
  const config = resolveConfig(o, base, requestedBackend(global, ctx, WHERE), ctx.cwd);
  if (o.checkpointDir !== undefined) checkWritable(resolvePath(o.checkpointDir));
  if (resume !== null) refuseNothingLeft(resume.state, config, resume.runId ?? resume.file);

  await useBackend(config.backend as CliBackend);
  const p = prepare(config);
  const quiet = o.quiet || o.json;
  if (!quiet) ctx.stderr.write(`${WHERE}: ${p.summary}\n`);

  const store = RunStore.open(storeFile);
  let runId: string;
  let finished = false;
  let trainer: gl.train.Trainer | null = null;
  const onSignal = () => {
    if (!trainer || trainer.stopRequested) process.exit(130);
    trainer.stop('interrupted');
    if (!quiet)
      ctx.stderr.write(`\n${WHERE}: interrupted; stopping after this step (Ctrl-C again to quit at once)\n`);
  };
  try {
    if (resume && resume.runId !== null && runExists(store, resume.runId)) {
      const { tookOver } = store.reopenRun(resume.runId); // RunLeaseError while another process trains it
      runId = resume.runId;
      if (tookOver !== null) {
        ctx.stderr.write(
          `${WHERE}: taking over run ${runId} from ${describeOwner(tookOver.previous.owner)}: ${describeStale(tookOver.reason)}\n`,
        );
      }
      store.logEvent(runId, 'resume', {
        from: resume.file,
        step: resume.state.step,
        ...(tookOver !== null ? { tookOverFrom: tookOver.previous.owner.pid, reason: tookOver.reason } : {}),
      });
    } else {
      runId = store.createRun({
        kind: 'train',
        name: o.name,
        config: { ...(config as unknown as JsonObject), ...(resume ? { resumedFrom: resume.file } : {}) },
        env: { backend: config.backend },
      });
    }
    const checkpointDir =
      o.checkpointDir !== undefined
        ? resolvePath(o.checkpointDir)
        : resume
          ? path.dirname(resume.file)
          : path.join(storeCheckpointsDir(storeFile), runId);
    checkWritable(checkpointDir);
    const callbacks: gl.train.Callback[] = [
      progressCallback(config, p.loader.length, ctx, quiet),
      storeCallback(store, runId),
    ];
    if (config.patience !== null)
      callbacks.push(new gl.train.EarlyStopping({ monitor: 'valLoss', patience: config.patience }));
    const byRule: Partial<gl.train.TrainerOptions> = p.optimizer
      ? {
          optimizer: p.optimizer,
          scheduler: p.schedule.scheduler,
          schedulerInterval: p.schedule.interval,
        }
      : {
          rule: config.rule as gl.rules.RuleName,
          task: p.task,
          ruleOptions: {
            lr: config.lr,
            optimizer: config.optimizer as 'adam' | 'sgd',
            generator: new gl.Generator(config.seed),
          },
        };
    const t = new gl.train.Trainer({
      model: p.model,
      ...byRule,
      callbacks,
      checkpoint: { dir: checkpointDir, everySteps: o.checkpointEvery, keepLast: 3 },
      extra: () => ({ config: config as unknown as JsonObject, runId }),
    });
    trainer = t;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const t0 = performance.now();
    const result = await t.fit(p.loader, {
      epochs: config.epochs,
      evalData: p.valLoader,
      resumeFrom: resume?.file,
    });
    if (result.stopReason === 'interrupted') {
      if (t.lastCheckpoint === null || !t.lastCheckpoint.endsWith(gl.train.checkpointFileName(t.step)))
        await t.saveCheckpoint('manual');
      store.finishRun(runId, 'interrupted');
      finished = true;
      ctx.stderr.write(
        `${WHERE}: run ${runId} interrupted at step ${t.step}; resume with: gradlab train --resume ${runId}\n`,
      );
      return 130;
    }
    const test = await t.evaluate(p.testLoader);
    const seconds = (performance.now() - t0) / 1000;
    const final: JsonObject = {
      runId,
      model: config.model,
      data: config.data,
      backend: config.backend,
      rule: config.rule,
      epochs: result.epochs,
      steps: result.step,
      stopReason: result.stopReason,
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      ...jsonNumbers(
        Object.fromEntries(
          Object.entries(result.metrics).map(([k, v]) => [
            k.startsWith('val') ? k : `train${k[0].toUpperCase()}${k.slice(1)}`,
            v,
          ]),
        ),
      ),
      seconds: Math.round(seconds * 100) / 100,
      checkpoint: t.lastCheckpoint,
      ...(t.lastStepStats ? { lastStep: { ...t.lastStepStats } } : {}),
    };
    store.setResult(runId, {
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      steps: result.step,
      epochs: result.epochs,
      seconds: final.seconds,
    });
    store.finishRun(runId, 'completed');
    finished = true;
    if (o.json) ctx.stdout.write(JSON.stringify(final) + '\n');
    else {
      ctx.stdout.write(
        `test accuracy ${formatNumber(test.accuracy)}  test loss ${formatNumber(test.loss)}  (${result.step} steps, ${formatDuration(seconds * 1000)})\n`,
      );
      if (!quiet) ctx.stderr.write(`run ${runId}; checkpoint ${t.lastCheckpoint ?? '-'}\n`);
    }
    return 0;
  } catch (e) {
    if (!finished && runId! !== undefined)
      store.finishRun(runId, 'failed', e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
  }
}

/** `gradlab train`. */
export const trainCommand = defineCommand({
  summary: 'train a model on a dataset and report test accuracy',
  description:
    'Trains with backprop (or another learning rule: --rule ff|drtp|dfa, see docs/rules.md) and reports the test set accuracy. With no options: an MLP (64-256-128-10) on the ' +
    'embedded 8x8 digits for 20 epochs with Adam (lr 0.01). Runs are recorded in the run store (config, per-step ' +
    'metrics, results, checkpoints); a checkpoint is written at every epoch end (and every ' +
    '--checkpoint-every steps), so an interrupted run (Ctrl-C) continues exactly with --resume <run id>. ' +
    'A --model JSON spec is a list of layers: {"layers": [{"type": "flatten"}, {"type": "linear", "out": 64}, ' +
    '{"type": "relu"}, {"type": "linear", "out": "classes"}]}; see docs/train.md.',
  options,
  positionals: [],
  examples: [
    'gradlab train',
    'gradlab train --model linear',
    'gradlab train --model cnn --data fashion-mnist --epochs 2 --batch-size 128',
    'gradlab train --optimizer sgd --lr 0.1 --schedule warmup:50+cosine --json',
    'gradlab train --resume k7m2xq --epochs 30',
    'gradlab train --rule dfa --epochs 5',
  ],
  run: ({ options: o, global }, ctx) => runTrain(o as TrainOptions, global, ctx),
});
