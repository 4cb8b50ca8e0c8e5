// Trainer: epochs of train steps, evaluation, metrics, callbacks, checkpoints and exact resume.
import fs from 'node:fs';
import path from 'node:path';
import { ArgumentError, FileError, GradlabError } from '../core/errors.js';
import { defaultGenerator, type Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { Tensor, tidy } from '../core/tensor.js';
import { makeDirs } from '../io/files.js';
import type { Batch, DataLoaderState } from '../data/dataloader.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/losses.js';
import { tensor } from '../ops/tensor-like.js';
import type { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau } from '../optim/schedules/plateau.js';
import type { Schedule } from '../optim/schedules/base.js';
import { flattenStateDict, unflattenStateDict } from '../optim/state-io.js';
import type { BaseHyper, Json } from '../optim/types.js';
import type { Callback, CheckpointInfo, TrainerControl } from './callbacks.js';
import {
  checkpointFileName,
  listCheckpoints,
  readCheckpoint,
  resolveCheckpoint,
  writeCheckpoint,
  type EpochRecord,
  type TrainerState,
} from './checkpoint-file.js';
import { resolveMetrics, type JsonValue, type Metric } from './metrics.js';
import { RULES, type RuleName } from '../rules/index.js';
import { SelfDistillation, type SelfDistillationOptions } from './pskd.js';
import type { CommonRuleOptions, Learner, LearningRule, StepStats, TaskSpec } from '../rules/types.js';

/** What fit() needs of a training loader; a gl.data.DataLoader (or anything with these members) fits. */
export interface TrainLoader {
  /** Batches per epoch. */
  readonly length: number;
  /** One epoch of batches, from the current position; each batch's data is `[input, target]`. */
  [Symbol.iterator](): Iterator<Batch<unknown>>;
  /** Where the loader stands (saved in checkpoints). */
  state(): DataLoaderState;
  /** Moves the loader to a saved position (on resume). */
  loadState(state: DataLoaderState): unknown;
}

/** Evaluation data: any iterable of `[input, target]` batches, such as an unshuffled DataLoader. */
export type EvalLoader = Iterable<Batch<unknown>>;

/** Where and when the trainer writes checkpoints. */
export interface CheckpointOptions {
  /** Folder of the `step-XXXXXXXX.safetensors` files and `latest.json` (created if missing). */
  dir: string;
  /** Also write one every this many optimizer steps (default: only at epoch ends). */
  everySteps?: number;
  /** Write one at the end of every epoch (default true). */
  atEpochEnd?: boolean;
  /** Keep only the newest this many files (default: all). */
  keepLast?: number;
}

/** Options of `new Trainer(...)`. */
export interface TrainerOptions {
  /** The model trained (called as `model.forward(input)`). */
  model: Module;
  /** The optimizer of backprop training (required unless `rule` is a rule other than bp, which owns its optimizers). */
  optimizer?: Optimizer<BaseHyper> | null;
  /**
   * The learning rule that updates the model (`gl.rules.RULES` entry or its name); default backprop
   * with `optimizer` and `loss`. Another rule makes each step `learner.step(x, y)`: the rule brings its
   * own optimizers (set them in `ruleOptions`), the training `loss` metric is the rule's objective,
   * accuracy and evaluation use `learner.predict` (FF: per-label goodness), and checkpoints hold the
   * model's weights and the trainer state but not the rule's optimizer state (resume restarts it).
   */
  rule?: RuleName | LearningRule<never>;
  /** Options of the rule (`lr`, `optimizer`, `generator` and the rule's own; see each rule). */
  ruleOptions?: CommonRuleOptions & Record<string, unknown>;
  /** What the rule learns; default inferred from the first batch (input shape, int labels → classification, outputs = the model's output width). */
  task?: TaskSpec;
  /** A learning-rate schedule on `optimizer`; stepped after every optimizer step unless `schedulerInterval: 'epoch'`. ReduceLROnPlateau is always stepped at epoch ends with `plateauMetric`. */
  scheduler?: Schedule | null;
  /** Step `scheduler` after every optimizer step ('step', default) or at every epoch end ('epoch'). */
  schedulerInterval?: 'step' | 'epoch';
  /** The epoch metric ReduceLROnPlateau watches (default `valLoss` when there is evaluation data, else `loss`). */
  plateauMetric?: string;
  /** `(output, target) => scalar loss`; default cross-entropy on logits and integer labels. */
  loss?: (output: Tensor, target: Tensor) => Tensor;
  /** Metric names (`loss`, `accuracy`, `top5`) or Metric objects; default `['loss', 'accuracy']`. `loss` is always included. */
  metrics?: readonly (string | Metric)[];
  /** Hooks into the loop (logging, early stopping, ...), called in order. */
  callbacks?: readonly Callback[];
  /** Where and when to write checkpoints (default: none). */
  checkpoint?: CheckpointOptions | null;
  /** Random streams whose state checkpoints save and restore; default `{ default: gl.defaultGenerator }`. */
  generators?: Record<string, Generator>;
  /** Extra JSON stored in every checkpoint (read back as `state.extra`). */
  extra?: () => JsonValue;
  /** Hand control to the event loop every this many steps, so signals and timers run (default 1). */
  yieldEvery?: number;
  /**
   * Adversarial training: each training batch's input is replaced by what this returns before the step
   * (e.g. `gl.attacks.pgdTraining({ eps: 0.1 })`, Madry et al.'s PGD in the loop); training metrics are then
   * those of the adversarial batch, evaluation stays clean. Backprop (`rule` bp) only.
   */
  adversarial?: ((model: Module, x: Tensor, y: Tensor) => Tensor) | null;
  /**
   * PS-KD (progressive self-knowledge distillation): the loss sees the soft targets
   * (1 − α_t)·onehot(y) + α_t·P[i] instead of the labels, P being each example's softmax at its previous
   * visit (a bank indexed by the loader's dataset indices, saved in checkpoints). Options or a
   * `gl.train.SelfDistillation`; the loss must take probability targets (the default cross-entropy does);
   * metrics still see the labels. Backprop (`rule` bp) only.
   */
  selfDistillation?: SelfDistillation | SelfDistillationOptions | null;
}

/** Options of `trainer.fit(loader, ...)`. */
export interface FitOptions {
  /** Train until this many epochs are done in total (a resumed run counts the epochs before it). */
  epochs: number;
  /** Evaluated at every epoch end; its metrics are reported as `valLoss`, `valAccuracy`, ... */
  evalData?: EvalLoader | null;
  /** Stop after this many optimizer steps in total. */
  maxSteps?: number;
  /** A checkpoint file, or a checkpoint folder (its newest checkpoint), to resume from first. */
  resumeFrom?: string;
}

/** What fit() returns. */
export interface FitResult {
  /** Optimizer steps done in total. */
  step: number;
  /** Epochs completed. */
  epochs: number;
  /** Every completed epoch's metrics, a resumed run's earlier epochs included. */
  history: EpochRecord[];
  /** The last completed epoch's metrics (empty if none completed). */
  metrics: Record<string, number>;
  /** null when all epochs ran; else `'early-stopping'`, `'max-steps'`, `'interrupted'` or a callback's reason. */
  stopReason: string | null;
  /** The path of the last checkpoint written (or resumed from), or null. */
  lastCheckpoint: string | null;
}

/** The mode, optimizer and metric steps of one batch must be computed from `[input, target]`. */
function inputAndTarget(data: unknown): [Tensor, Tensor] {
  if (Array.isArray(data) && data.length >= 2 && data[0] instanceof Tensor && data[1] instanceof Tensor) {
    return [data[0], data[1]];
  }
  throw new ArgumentError(
    'Trainer: each batch must be [input, target] tensors (a DataLoader over a TensorDataset(x, y) gives that)',
  );
}

const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The rule an option names (default bp); an unknown name is an ArgumentError listing the rules. */
function resolveRule(rule: TrainerOptions['rule']): LearningRule<never> {
  if (rule === undefined) return RULES.bp as LearningRule<never>;
  if (typeof rule !== 'string') return rule;
  const found = (RULES as Record<string, LearningRule<never>>)[rule];
  if (!found)
    throw new ArgumentError(
      `Trainer: unknown rule '${rule}'; expected one of ${Object.keys(RULES).join(', ')}`,
    );
  return found;
}

/** A task from one batch: its input shape, int labels → classification, outputs = the model's output width. */
function inferTask(model: Module, x: Tensor, y: Tensor): TaskSpec {
  const width = noGrad(() => tidy(() => (model.forward(x.narrow(0, 0, 1)) as Tensor).shape.at(-1)!));
  return {
    inputShape: x.shape.slice(1),
    outputs: width,
    kind: y.dtype === 'int32' ? 'classification' : 'regression',
  };
}

/**
 * Runs training loops: epochs of optimizer steps over a DataLoader, training metrics, evaluation
 * at epoch ends, callbacks, checkpoints, and exact resume from a checkpoint (the model, optimizer,
 * schedule, loader position, random streams, metric accumulators, callback states and counters
 * are all saved, so a resumed run repeats the uninterrupted run's steps bit for bit).
 *
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(64, 128), new gl.nn.ReLU(), new gl.nn.Linear(128, 10));
 * const optimizer = new gl.optim.Adam(model.parameters(), { lr: 1e-3 });
 * const trainer = new gl.train.Trainer({ model, optimizer, checkpoint: { dir: 'ckpt', everySteps: 100 } });
 * const result = await trainer.fit(trainLoader, { epochs: 5, evalData: testLoader });
 * result.metrics.valAccuracy;
 * // later, in a fresh process with the same model, optimizer and loader setup:
 * await new gl.train.Trainer({ model, optimizer, checkpoint: { dir: 'ckpt' } }).fit(trainLoader, { epochs: 5, resumeFrom: 'ckpt' });
 */
export class Trainer implements TrainerControl {
  /** The model trained. */
  readonly model: Module;
  /** The backprop optimizer; null when a rule other than bp trains the model (it owns its optimizers). */
  readonly optimizer: Optimizer<BaseHyper> | null;
  /** The rule training the model (bp unless `rule` was given). */
  readonly rule: LearningRule<never>;
  /** The rule's learner (created at the first batch); null for bp. */
  learner: Learner | null = null;
  /** What the last step of a rule other than bp did (backward calls, saved bytes, ...); null for bp. */
  lastStepStats: StepStats | null = null;
  private readonly ruleOptions: CommonRuleOptions & Record<string, unknown>;
  private task: TaskSpec | null;
  /** The learning-rate schedule, or null. */
  readonly scheduler: Schedule | null;
  /** The training metrics (`loss` first). */
  readonly metrics: Metric[];
  /** The callbacks, in call order. */
  readonly callbacks: readonly Callback[];
  private readonly schedulerInterval: 'step' | 'epoch';
  private readonly plateauMetric: string | undefined;
  private readonly lossFn: (output: Tensor, target: Tensor) => Tensor;
  private readonly checkpointOpts: CheckpointOptions | null;
  private readonly generators: Record<string, Generator>;
  private readonly extra: (() => JsonValue) | undefined;
  private readonly yieldEvery: number;
  private readonly adversarial: ((model: Module, x: Tensor, y: Tensor) => Tensor) | null;
  /** The PS-KD bank and schedule, or null. */
  readonly selfDistillation: SelfDistillation | null;

  /** Optimizer steps done. */
  step = 0;
  /** The epoch in progress (from 0); equals the number of completed epochs between epochs. */
  epoch = 0;
  /** Batches of the current epoch done. */
  iteration = 0;
  /** Every completed epoch's metrics. */
  history: EpochRecord[] = [];
  /** The path of the last checkpoint written or resumed from, or null. */
  lastCheckpoint: string | null = null;
  private stopReason: string | null = null;
  private loader: TrainLoader | null = null;
  private pendingLoaderState: TrainerState['loader'] = null;

  constructor(opts: TrainerOptions) {
    if (!opts || typeof opts.model?.forward !== 'function')
      throw new ArgumentError('Trainer: expected { model, optimizer, ... } with an nn.Module as model');
    const rule = resolveRule(opts.rule);
    this.rule = rule;
    this.ruleOptions = opts.ruleOptions ?? {};
    this.task = opts.task ?? null;
    if (rule.name === 'bp') {
      if (typeof opts.optimizer?.step !== 'function')
        throw new ArgumentError('Trainer: expected an optimizer (gl.optim.SGD, Adam, ...)');
    } else {
      if (opts.optimizer)
        throw new ArgumentError(
          `Trainer: rule '${rule.name}' brings its own optimizers; set lr/optimizer in ruleOptions instead of passing an optimizer`,
        );
      if (opts.scheduler)
        throw new ArgumentError(
          `Trainer: a schedule needs the bp optimizer; rule '${rule.name}' owns its optimizers`,
        );
      if (opts.loss)
        throw new ArgumentError(
          `Trainer: rule '${rule.name}' trains on its own objective; drop the loss option`,
        );
      if (this.task) rule.check(opts.model, this.task);
      if (opts.adversarial)
        throw new ArgumentError(
          `Trainer: adversarial training needs backprop; rule '${rule.name}' does not support it`,
        );
      if (opts.selfDistillation)
        throw new ArgumentError(
          `Trainer: self-distillation (PS-KD) needs backprop; rule '${rule.name}' does not support it`,
        );
    }
    if (opts.adversarial != null && typeof opts.adversarial !== 'function')
      throw new ArgumentError('Trainer: adversarial must be a function (model, x, y) => adversarial x');
    this.adversarial = opts.adversarial ?? null;
    const sd = opts.selfDistillation ?? null;
    this.selfDistillation = sd === null || sd instanceof SelfDistillation ? sd : new SelfDistillation(sd);
    this.model = opts.model;
    this.optimizer = rule.name === 'bp' ? opts.optimizer! : null;
    this.scheduler = opts.scheduler ?? null;
    this.schedulerInterval = opts.schedulerInterval ?? 'step';
    this.plateauMetric = opts.plateauMetric;
    this.lossFn = opts.loss ?? ((out, y) => crossEntropy(out, y));
    const specs = opts.metrics ?? ['loss', 'accuracy'];
    this.metrics = resolveMetrics(specs.includes('loss') ? specs : ['loss', ...specs]);
    this.callbacks = opts.callbacks ?? [];
    const keys = this.callbacks.map((c, i) => c.key ?? String(i));
    const dup = keys.find((k, i) => keys.indexOf(k) !== i);
    if (dup !== undefined) throw new ArgumentError(`Trainer: two callbacks have the key '${dup}'`);
    this.checkpointOpts = opts.checkpoint ?? null;
    const ck = this.checkpointOpts;
    if (ck) {
      if (typeof ck.dir !== 'string' || ck.dir === '')
        throw new ArgumentError('Trainer: checkpoint.dir must be a folder path');
      for (const k of ['everySteps', 'keepLast'] as const) {
        const v = ck[k];
        if (v !== undefined && !(Number.isInteger(v) && v >= 1))
          throw new ArgumentError(`Trainer: checkpoint.${k} must be an integer >= 1, got ${v}`);
      }
    }
    this.generators = opts.generators ?? { default: defaultGenerator };
    this.extra = opts.extra;
    this.yieldEvery = opts.yieldEvery ?? 1;
    if (!(Number.isInteger(this.yieldEvery) && this.yieldEvery >= 1))
      throw new ArgumentError(`Trainer: yieldEvery must be an integer >= 1, got ${opts.yieldEvery}`);
  }

  /** True once stop() was called during the current fit(). */
  get stopRequested(): boolean {
    return this.stopReason !== null;
  }

  /**
   * Asks fit() to return after the current step (callbacks, signal handlers).
   * @example
   * declare const trainer: gl.train.Trainer;
   * process.once('SIGINT', () => trainer.stop('interrupted')); // fit() returns after the current step
   */
  stop(reason = 'stopped'): void {
    this.stopReason ??= reason;
  }

  /**
   * Trains until `epochs` epochs are done (counting epochs of the run a checkpoint came from),
   * a callback calls stop(), or `maxSteps` is reached.
   * @example
   * const loader = new gl.data.DataLoader(new gl.data.TensorDataset(gl.randn([64, 4]), gl.randint(0, 3, [64])), { batchSize: 16 });
   * const model = new gl.nn.Linear(4, 3);
   * const trainer = new gl.train.Trainer({ model, optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }) });
   * const result = await trainer.fit(loader, { epochs: 2 });
   * result.metrics.loss; // the last epoch's mean training loss
   */
  async fit(loader: TrainLoader, opts: FitOptions): Promise<FitResult> {
    const { epochs } = opts;
    if (!(Number.isInteger(epochs) && epochs >= 0))
      throw new ArgumentError(`Trainer.fit: epochs must be an integer >= 0, got ${epochs}`);
    if (opts.maxSteps !== undefined && !(Number.isInteger(opts.maxSteps) && opts.maxSteps >= 0))
      throw new ArgumentError(`Trainer.fit: maxSteps must be an integer >= 0, got ${opts.maxSteps}`);
    if (loader.length === 0) throw new ArgumentError('Trainer.fit: the training loader has no batches');
    if (opts.resumeFrom !== undefined) this.loadCheckpoint(opts.resumeFrom);
    if (this.pendingLoaderState) {
      loader.loadState(this.pendingLoaderState);
      this.pendingLoaderState = null;
    }
    this.loader = loader;
    this.stopReason = null;
    const perEpoch = loader.length;
    for (const cb of this.callbacks) await cb.onFitStart?.(this);

    const reachedMax = () => opts.maxSteps !== undefined && this.step >= opts.maxSteps;
    if (reachedMax()) this.stop('max-steps');
    while (this.epoch < epochs && this.stopReason === null) {
      if (this.iteration === 0) {
        for (const m of this.metrics) m.reset();
        for (const cb of this.callbacks) await cb.onEpochStart?.(this.epoch, this);
      }
      this.model.train();
      for (const batch of loader) {
        const lr = this.optimizer ? (this.optimizer.paramGroups[0]?.lr ?? NaN) : NaN;
        const values = this.optimizer ? await this.trainStep(batch) : await this.ruleStep(batch);
        this.iteration = batch.iteration + 1;
        this.step++;
        if (
          this.scheduler &&
          this.schedulerInterval === 'step' &&
          !(this.scheduler instanceof ReduceLROnPlateau)
        )
          this.scheduler.step();
        const info = {
          step: this.step,
          epoch: this.epoch,
          iteration: batch.iteration,
          stepsPerEpoch: perEpoch,
          metrics: values,
          lr,
        };
        for (const cb of this.callbacks) await cb.onStepEnd?.(info, this);
        const every = this.checkpointOpts?.everySteps;
        if (every !== undefined && this.step % every === 0 && this.iteration < perEpoch)
          await this.saveCheckpoint('step');
        if (reachedMax()) this.stop('max-steps');
        if (this.stopReason !== null) break;
        if (this.step % this.yieldEvery === 0) await nextTick();
      }
      if (this.iteration < perEpoch) break; // stopped mid-epoch
      await this.endEpoch(opts.evalData ?? null);
    }
    const result: FitResult = {
      step: this.step,
      epochs: this.epoch,
      history: this.history,
      metrics: this.history.length > 0 ? { ...this.history[this.history.length - 1].metrics } : {},
      stopReason: this.stopReason,
      lastCheckpoint: this.lastCheckpoint,
    };
    for (const cb of this.callbacks)
      await cb.onFitEnd?.({ stopReason: this.stopReason, step: this.step, epoch: this.epoch });
    return result;
  }

  /**
   * One optimizer step on one batch; returns the batch's metric values. The metrics' reads are
   * queued inside the step and awaited after it, so the same code runs on every backend (webgpu
   * reads only asynchronously).
   */
  private async trainStep(batch: Batch<unknown>): Promise<Record<string, number>> {
    let reads: (number | Promise<number>)[];
    try {
      const [clean, y] = inputAndTarget(batch.data);
      this.releaseGrads();
      reads = tidy(() => {
        const x = this.adversarial ? this.adversarial(this.model, clean, y).detach() : clean;
        const out = this.model.forward(x) as Tensor;
        const sd = this.selfDistillation;
        const target = sd ? sd.targets(y, batch.indices, this.epoch, out.shape[1] ?? 1) : y;
        const loss = this.lossFn(out, target);
        if (loss.numel !== 1)
          throw new ArgumentError(`Trainer: the loss must be a scalar, got shape [${loss.shape}]`);
        loss.backward();
        sd?.record(out, batch.indices);
        const pending = noGrad(() => {
          const o = out.detach();
          const l = loss.detach();
          return this.metrics.map((m) => m.update(o, y, l));
        });
        try {
          this.optimizer!.step(); // trainStep runs only for bp, which has one
        } catch (e) {
          for (const p of pending) if (p instanceof Promise) p.catch(() => {}); // the step's error wins
          throw e;
        }
        return pending;
      });
    } finally {
      batch.dispose();
    }
    const got = await Promise.all(reads);
    const values: Record<string, number> = {};
    this.metrics.forEach((m, i) => (values[m.name] = got[i]));
    return values;
  }

  /** The learner of a rule other than bp, created from the first batch when no task was given. */
  private learnerFor(x: Tensor, y: Tensor): Learner {
    if (this.learner) return this.learner;
    const task: TaskSpec = this.task ?? inferTask(this.model, x, y);
    this.task = task;
    this.learner = this.rule.create(this.model, task, this.ruleOptions as never);
    return this.learner;
  }

  /** One step of a rule other than bp: the learner's update, then the metrics on its predictions. */
  private async ruleStep(batch: Batch<unknown>): Promise<Record<string, number>> {
    let reads: (number | Promise<number>)[];
    try {
      const [x, y] = inputAndTarget(batch.data);
      const learner = this.learnerFor(x, y);
      const { loss, stats } = await learner.step(x, y);
      this.lastStepStats = stats;
      reads = tidy(() => {
        const out = learner.predict(x);
        const l = tensor(loss);
        return this.metrics.map((m) => m.update(out, y, l));
      });
    } finally {
      batch.dispose();
    }
    const got = await Promise.all(reads);
    const values: Record<string, number> = {};
    this.metrics.forEach((m, i) => (values[m.name] = got[i]));
    return values;
  }

  /**
   * Disposes the previous step's gradients (zeroGrad would only drop the references, leaving
   * the tensors to the garbage collector), so memory stays flat from step to step.
   */
  private releaseGrads(): void {
    for (const group of this.optimizer?.paramGroups ?? [])
      for (const p of group.params) {
        const g = p.grad;
        if (g) {
          p.grad = null;
          g.dispose();
        }
      }
  }

  /** Training metrics of the epoch, evaluation, epoch schedules, history, callbacks, checkpoint. */
  private async endEpoch(evalData: EvalLoader | null): Promise<void> {
    const metrics: Record<string, number> = {};
    for (const m of this.metrics) metrics[m.name] = m.compute();
    if (evalData) Object.assign(metrics, await this.evaluate(evalData, { prefix: 'val' }));
    if (this.scheduler instanceof ReduceLROnPlateau) {
      const key = this.plateauMetric ?? (evalData ? 'valLoss' : 'loss');
      const v = metrics[key];
      if (v === undefined)
        throw new ArgumentError(`Trainer: ReduceLROnPlateau watches '${key}', which is not an epoch metric`);
      this.scheduler.step(v);
    } else if (this.scheduler && this.schedulerInterval === 'epoch') {
      this.scheduler.step();
    }
    const record: EpochRecord = { epoch: this.epoch, step: this.step, metrics };
    this.history.push(record);
    this.epoch++;
    this.iteration = 0;
    for (const cb of this.callbacks) await cb.onEpochEnd?.({ ...record, metrics: { ...metrics } }, this);
    if (this.checkpointOpts && this.checkpointOpts.atEpochEnd !== false) await this.saveCheckpoint('epoch');
  }

  /**
   * Runs the model in eval mode without gradients over `loader` and returns the metrics over all
   * its examples (named `prefix` + Name when a prefix is given: `valLoss`, `valAccuracy`). The
   * training metrics' running state is kept.
   * @example
   * const data = new gl.data.TensorDataset(gl.randn([32, 4]), gl.randint(0, 3, [32]));
   * const model = new gl.nn.Linear(4, 3);
   * const trainer = new gl.train.Trainer({ model, optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }) });
   * await trainer.evaluate(new gl.data.DataLoader(data, { batchSize: 16 }), { prefix: 'test' }); // { testLoss, testAccuracy }
   */
  async evaluate(loader: EvalLoader, opts: { prefix?: string } = {}): Promise<Record<string, number>> {
    const saved = this.metrics.map((m) => m.state());
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      for (const m of this.metrics) m.reset();
      let n = 0;
      for (const batch of loader) {
        try {
          const [x, y] = inputAndTarget(batch.data);
          const reads = noGrad(() =>
            tidy(() => {
              const out = this.optimizer
                ? (this.model.forward(x) as Tensor)
                : this.learnerFor(x, y).predict(x);
              const loss = this.lossFn(out, y);
              return this.metrics.map((m) => m.update(out, y, loss));
            }),
          );
          await Promise.all(reads);
        } finally {
          batch.dispose();
        }
        if (++n % this.yieldEvery === 0) await nextTick();
      }
      const out: Record<string, number> = {};
      const prefix = opts.prefix ?? '';
      for (const m of this.metrics) {
        const name = prefix === '' ? m.name : prefix + m.name[0].toUpperCase() + m.name.slice(1);
        out[name] = m.compute();
      }
      return out;
    } finally {
      this.metrics.forEach((m, i) => m.loadState(saved[i]));
      this.model.train(wasTraining);
    }
  }

  /**
   * The counters, positions and states a checkpoint stores besides tensors.
   * @example
   * const model = new gl.nn.Linear(4, 3);
   * const trainer = new gl.train.Trainer({ model, optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }) });
   * trainer.state().step; // 0 before fit
   */
  state(): TrainerState {
    const generators: TrainerState['generators'] = {};
    for (const [k, g] of Object.entries(this.generators)) generators[k] = g.getState();
    const callbacks: Record<string, JsonValue> = {};
    this.callbacks.forEach((cb, i) => {
      if (cb.stateDict) callbacks[cb.key ?? String(i)] = cb.stateDict();
    });
    const metrics: Record<string, JsonValue> = {};
    for (const m of this.metrics) metrics[m.name] = m.state();
    return {
      step: this.step,
      epoch: this.epoch,
      iteration: this.iteration,
      loader: this.loader ? this.loader.state() : this.pendingLoaderState,
      generators,
      scheduler: this.scheduler ? (this.scheduler.stateDict() as JsonValue) : null,
      metrics,
      callbacks,
      history: this.history,
      extra: this.extra ? this.extra() : null,
    };
  }

  /**
   * Writes a checkpoint now (`step-XXXXXXXX.safetensors` in the checkpoint folder, atomically)
   * and returns its path. fit() calls it every `everySteps` steps and at epoch ends.
   * @example
   * const model = new gl.nn.Linear(4, 3);
   * const trainer = new gl.train.Trainer({
   *   model,
   *   optimizer: new gl.optim.SGD(model.parameters(), { lr: 0.1 }),
   *   checkpoint: { dir: 'ckpt' },
   * });
   * const file = await trainer.saveCheckpoint(); // 'ckpt/step-00000000.safetensors'
   */
  async saveCheckpoint(trigger: CheckpointInfo['trigger'] = 'manual'): Promise<string> {
    const opts = this.checkpointOpts;
    if (!opts)
      throw new ArgumentError('Trainer.saveCheckpoint: no checkpoint folder (pass checkpoint: { dir })');
    try {
      makeDirs(opts.dir);
    } catch (e) {
      throw new FileError(`cannot create the checkpoint folder ${opts.dir}: ${(e as Error).message}`);
    }
    const file = path.join(opts.dir, checkpointFileName(this.step));
    const flat = this.optimizer
      ? flattenStateDict(this.optimizer.stateDict(), 'optimizer.')
      : { tensors: {} as Record<string, Tensor>, metadata: 'null' };
    const weights = this.model.stateDict({ prefix: 'model.' });
    const sd = this.selfDistillation;
    const bank: Record<string, Tensor> =
      sd?.bank && sd.seen ? { 'pskd.bank': sd.bank, 'pskd.seen': sd.seen } : {};
    try {
      await writeCheckpoint(
        file,
        { ...Object.fromEntries(weights), ...flat.tensors, ...bank },
        flat.metadata,
        this.state(),
      );
    } finally {
      for (const t of weights.values()) t.dispose();
      for (const t of Object.values(flat.tensors)) t.dispose();
    }
    this.lastCheckpoint = file;
    if (opts.keepLast !== undefined) {
      const files = listCheckpoints(opts.dir);
      for (const old of files.slice(0, Math.max(0, files.length - opts.keepLast)))
        if (path.resolve(old) !== path.resolve(file)) fs.rmSync(old, { force: true });
    }
    const info: CheckpointInfo = { path: file, step: this.step, epoch: this.epoch, trigger };
    for (const cb of this.callbacks) await cb.onCheckpoint?.(info, this);
    return file;
  }

  /**
   * Restores everything from a checkpoint file or folder (its newest checkpoint); the loader
   * position is applied when fit() starts. Returns the saved trainer state (with `extra`).
   * @example
   * const model = new gl.nn.Linear(4, 3);
   * const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
   * await new gl.train.Trainer({ model, optimizer, checkpoint: { dir: 'ckpt' } }).saveCheckpoint();
   * const restored = new gl.train.Trainer({ model, optimizer }).loadCheckpoint('ckpt'); // its newest checkpoint
   * restored.step; // 0
   */
  loadCheckpoint(where: string): TrainerState {
    const ck = readCheckpoint(resolveCheckpoint(where));
    const { state } = ck;
    const fail = (what: string, e?: unknown): never => {
      const why = e instanceof Error ? `: ${e.message}` : '';
      throw new ArgumentError(`checkpoint ${ck.file} does not fit this trainer: ${what}${why}`);
    };
    try {
      const weights = new Map<string, Tensor>();
      for (const [k, t] of Object.entries(ck.tensors)) if (k.startsWith('model.')) weights.set(k.slice(6), t);
      try {
        this.model.loadStateDict(weights);
      } catch (e) {
        if (!(e instanceof GradlabError)) throw e;
        fail('model weights', e);
      }
      try {
        this.optimizer?.loadStateDict(unflattenStateDict({ tensors: ck.tensors, metadata: ck.optimizer }));
      } catch (e) {
        if (!(e instanceof GradlabError)) throw e;
        fail('optimizer state', e);
      }
      const bank = ck.tensors['pskd.bank'];
      const seen = ck.tensors['pskd.seen'];
      if (this.selfDistillation && bank && seen) this.selfDistillation.load(bank, seen);
      if ((state.scheduler === null) !== (this.scheduler === null))
        fail(
          state.scheduler === null
            ? 'the checkpoint has no schedule state but the trainer has a schedule'
            : 'the checkpoint has a schedule state but the trainer has no schedule',
        );
      if (this.scheduler && state.scheduler !== null)
        this.scheduler.loadStateDict(state.scheduler as Record<string, Json>);
      for (const [k, g] of Object.entries(this.generators)) {
        const s = state.generators?.[k];
        if (!s) fail(`no state for the random generator '${k}'`);
        g.setState(s);
      }
      for (const m of this.metrics) {
        const s = state.metrics?.[m.name];
        if (s !== undefined) m.loadState(s);
        else m.reset();
      }
      this.callbacks.forEach((cb, i) => {
        const s = state.callbacks?.[cb.key ?? String(i)];
        if (cb.loadStateDict && s !== undefined) cb.loadStateDict(s);
      });
      this.step = state.step;
      this.epoch = state.epoch;
      this.iteration = state.iteration;
      this.history = Array.isArray(state.history) ? state.history : [];
      this.pendingLoaderState = state.loader;
      this.loader = null;
      this.lastCheckpoint = ck.file;
      return state;
    } finally {
      for (const t of Object.values(ck.tensors)) t.dispose();
    }
  }
}

/**
 * Trains `model` with a fresh Trainer: `fit(model, loader, { optimizer, epochs, ... })`.
 * @example
 * const result = await gl.train.fit(model, loader, { optimizer: new gl.optim.Adam(model.parameters()), epochs: 3 });
 */
export function fit(
  model: Module,
  loader: TrainLoader,
  opts: Omit<TrainerOptions, 'model'> & FitOptions,
): Promise<FitResult> {
  const { epochs, evalData, maxSteps, resumeFrom, ...trainerOpts } = opts;
  return new Trainer({ model, ...trainerOpts }).fit(loader, { epochs, evalData, maxSteps, resumeFrom });
}
