// gl.train.compare: trains one model spec with several learning rules under the same budget and paired seeds.
import { ArgumentError } from '../core/errors.js';
import { Generator, manualSeed } from '../core/random/generator.js';
import { Tensor, tidy } from '../core/tensor.js';
import { DataLoader } from '../data/dataloader.js';
import { TensorDataset } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import { RULES } from '../rules/index.js';
import type { Learner, TaskSpec } from '../rules/types.js';
import type {
  AnyRule,
  CompareArm,
  CompareBudget,
  CompareCurve,
  CompareData,
  CompareOptions,
  CompareResult,
  CompareRow,
  CompareSeedResult,
  VsBp,
} from './compare-types.js';
import { BUDGET_KINDS } from './compare-types.js';
import { summarizeArm } from './compare-stats.js';
import { buildModel } from './model-spec.js';

/** An arm after resolution: its rule object, the name shown, its options. */
export interface ResolvedArm {
  /** The name shown. */
  name: string;
  /** The rule. */
  rule: AnyRule;
  /** Its options (compare adds the seed's generator). */
  options: NonNullable<CompareArm['options']>;
}

/** A checked comparison, ready to run (what `planCompare` returns). */
export interface ComparePlan {
  /** The arms, resolved. */
  arms: ResolvedArm[];
  /** The checked budget. */
  budget: CompareBudget;
  /** The seeds. */
  seeds: number[];
  /** Examples per step. */
  batchSize: number;
  /** Points per learning curve. */
  curvePoints: number;
  /** Whether a warm-up step runs first. */
  warmup: boolean;
  /** The task every rule was checked against. */
  task: TaskSpec;
  /** The options the plan was made from. */
  options: CompareOptions;
}

function isRule(v: unknown): v is AnyRule {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as AnyRule).create === 'function' &&
    typeof (v as AnyRule).check === 'function'
  );
}

/**
 * A rule by name from `gl.rules.RULES`; ArgumentError naming the known ones otherwise.
 * @example gl.train.ruleByName('ff').summary; // the rule's one-line description
 */
export function ruleByName(name: string): AnyRule {
  if (Object.hasOwn(RULES, name)) return (RULES as Record<string, AnyRule>)[name];
  throw new ArgumentError(`compare: unknown rule '${name}' (known rules: ${Object.keys(RULES).join(', ')})`);
}

function resolveArm(a: string | AnyRule | CompareArm, i: number): ResolvedArm {
  if (typeof a === 'string') return { name: a, rule: ruleByName(a), options: {} };
  if (isRule(a)) return { name: a.name, rule: a, options: {} };
  if (typeof a !== 'object' || a === null || !('rule' in a))
    throw new ArgumentError(
      `compare: rules[${i}] must be a rule name, a LearningRule or { rule, name?, options? }, got ${JSON.stringify(a)}`,
    );
  const rule = typeof a.rule === 'string' ? ruleByName(a.rule) : a.rule;
  if (!isRule(rule)) throw new ArgumentError(`compare: rules[${i}].rule is not a LearningRule`);
  return { name: a.name ?? rule.name, rule, options: a.options ?? {} };
}

/**
 * Checks a budget: a positive integer of samples or epochs, or a positive number of seconds.
 * @example
 * gl.train.checkBudget({ kind: 'samples', samples: 60000 }); // returned as is
 * gl.train.checkBudget({ kind: 'epochs', epochs: 3 });
 */
export function checkBudget(b: CompareBudget): CompareBudget {
  const kind = (b as { kind?: unknown } | null)?.kind;
  if (!(BUDGET_KINDS as readonly unknown[]).includes(kind))
    throw new ArgumentError(
      `compare: budget.kind must be one of ${BUDGET_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
    );
  const amount = b.kind === 'samples' ? b.samples : b.kind === 'epochs' ? b.epochs : b.seconds;
  const ok =
    b.kind === 'seconds'
      ? typeof amount === 'number' && Number.isFinite(amount) && amount > 0
      : Number.isSafeInteger(amount) && amount >= 1;
  if (!ok)
    throw new ArgumentError(
      `compare: a ${b.kind} budget needs ${b.kind === 'seconds' ? 'a number of seconds > 0' : `a whole number of ${b.kind} >= 1`}, got ${JSON.stringify(amount)}`,
    );
  return b;
}

/**
 * Resolves and checks a comparison without training: rule names, arm names, budget, seeds, data,
 * and `rule.check(model, task)` of every arm on the model it would train. Throws ArgumentError for
 * bad options and the rule's RuleModelError when a rule cannot train the model.
 * @example
 * const plan = gl.train.planCompare({ rules: ['bp'], model: 'mlp', data: gl.data.loadDigits({ flatten: true }) });
 * plan.arms.map((a) => a.name); // ['bp']
 */
export function planCompare(options: CompareOptions): ComparePlan {
  if (!Array.isArray(options.rules) || options.rules.length === 0)
    throw new ArgumentError('compare: rules must be a non-empty list of rules');
  const arms = options.rules.map(resolveArm);
  const names = new Set<string>();
  for (const a of arms) {
    if (names.has(a.name))
      throw new ArgumentError(`compare: two arms are named '${a.name}' (give them different names)`);
    names.add(a.name);
  }
  const data = options.data;
  if (!data || !(data.train?.x instanceof Tensor) || !(data.test?.x instanceof Tensor))
    throw new ArgumentError('compare: data must have train and test sets { x, y } of tensors');
  const n = data.train.x.shape[0];
  if (n < 1 || data.test.x.shape[0] < 1)
    throw new ArgumentError('compare: the train and test sets need at least one example each');
  const budget = checkBudget(options.budget ?? { kind: 'samples', samples: 5 * n });
  const seeds = [...(options.seeds ?? [0])];
  if (seeds.length === 0 || !seeds.every((s) => Number.isSafeInteger(s) && s >= 0))
    throw new ArgumentError(`compare: seeds must be integers >= 0, got ${JSON.stringify(options.seeds)}`);
  const batchSize = options.batchSize ?? 64;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new ArgumentError(`compare: batchSize must be an integer >= 1, got ${batchSize}`);
  const curvePoints = options.curvePoints ?? 10;
  if (!Number.isSafeInteger(curvePoints) || curvePoints < 1)
    throw new ArgumentError(`compare: curvePoints must be an integer >= 1, got ${curvePoints}`);
  const task: TaskSpec = {
    inputShape: [...data.inputShape],
    outputs: data.numClasses,
    kind: 'classification',
  };
  const probe = buildModel(options.model, data.inputShape, data.numClasses);
  for (const a of arms) a.rule.check(probe, task);
  return { arms, budget, seeds, batchSize, curvePoints, warmup: options.warmup ?? true, task, options };
}

/** Fraction of the test set `learner` classifies right, evaluated in chunks of 512. */
async function accuracy(
  learner: Learner,
  chunks: readonly [Tensor, Tensor][],
  total: number,
): Promise<number> {
  let correct = 0;
  for (const [x, y] of chunks) {
    const hits = tidy(() => learner.predict(x).argmax(1).eq(y).sum());
    correct += await hits.itemAsync();
    hits.dispose();
  }
  return correct / total;
}

function disposeModel(learner: Learner, model: Module): void {
  learner.dispose();
  for (const p of model.parameters()) p.dispose();
}

/** One untimed step of the arm on a throw-away model (JIT and kernel caches warm before timing). */
async function warmUp(plan: ComparePlan, arm: ResolvedArm, data: CompareData): Promise<void> {
  const model = buildModel(plan.options.model, data.inputShape, data.numClasses);
  const learner = arm.rule.create(model, plan.task, { ...arm.options, generator: new Generator(0) });
  const k = Math.min(plan.batchSize, data.train.x.shape[0]);
  const x = data.train.x.narrow(0, 0, k);
  const y = data.train.y.narrow(0, 0, k);
  await learner.step(x, y);
  const out = learner.predict(x);
  await out.data();
  out.dispose();
  disposeModel(learner, model);
}

/** Trains one arm with one seed under the plan's budget, recording its learning curve. */
async function runArm(
  plan: ComparePlan,
  arm: ResolvedArm,
  seed: number,
  chunks: readonly [Tensor, Tensor][],
): Promise<CompareSeedResult> {
  const { data, onEvent } = plan.options;
  const n = data.train.x.shape[0];
  const testN = data.test.x.shape[0];
  const budget = plan.budget;
  const total =
    budget.kind === 'samples' ? budget.samples : budget.kind === 'epochs' ? budget.epochs * n : Infinity;
  manualSeed(seed);
  const model = buildModel(plan.options.model, data.inputShape, data.numClasses);
  const learner = arm.rule.create(model, plan.task, { ...arm.options, generator: new Generator(seed) });
  const loader = new DataLoader(new TensorDataset(data.train.x, data.train.y), {
    batchSize: plan.batchSize,
    shuffle: true,
    seed,
  });
  onEvent?.({ type: 'arm-start', arm: arm.name, seed });
  let seen = 0;
  let steps = 0;
  let seconds = 0;
  let lossSum = 0;
  let lossN = 0;
  let nextPoint = 1;
  const acc = { forward: 0, backward: 0, peak: 0, largest: 0, params: 0 };
  const curve: CompareCurve = { examples: [], testAccuracy: [], trainLoss: [] };
  const fraction = (): number => (budget.kind === 'seconds' ? seconds / budget.seconds : seen / total);
  const record = async (): Promise<void> => {
    const testAccuracy = await accuracy(learner, chunks, testN);
    const trainLoss = lossN > 0 ? lossSum / lossN : NaN;
    curve.examples.push(seen);
    curve.testAccuracy.push(testAccuracy);
    curve.trainLoss.push(trainLoss);
    lossSum = 0;
    lossN = 0;
    onEvent?.({ type: 'point', arm: arm.name, seed, step: steps, examples: seen, testAccuracy, trainLoss });
  };
  try {
    while (fraction() < 1) {
      for (const batch of loader) {
        const [bx, by] = batch.data as Tensor[];
        const take = Math.min(bx.shape[0], total - seen);
        const x = take < bx.shape[0] ? bx.narrow(0, 0, take) : bx;
        const y = take < bx.shape[0] ? by.narrow(0, 0, take) : by;
        const t0 = performance.now();
        const { loss, stats } = await learner.step(x, y);
        seconds += (performance.now() - t0) / 1000;
        if (x !== bx) [x, y].forEach((t) => t.dispose());
        batch.dispose();
        seen += take;
        steps++;
        if (Number.isFinite(loss)) {
          lossSum += loss;
          lossN++;
        }
        acc.forward += stats.forwardPasses;
        acc.backward += stats.backwardCalls;
        acc.peak = Math.max(acc.peak, stats.peakSavedBytes);
        acc.largest = Math.max(acc.largest, stats.largestBackwardOps);
        acc.params = Math.max(acc.params, stats.paramsUpdated);
        const f = fraction();
        if (f >= nextPoint / plan.curvePoints - 1e-12 && f < 1) {
          await record();
          nextPoint = Math.floor(f * plan.curvePoints + 1e-9) + 1;
        }
        if (f >= 1) break;
      }
    }
    await record(); // the final point: the arm's test accuracy
    const epochs = seen / n;
    const result: CompareSeedResult = {
      seed,
      testAccuracy: curve.testAccuracy[curve.testAccuracy.length - 1],
      examplesSeen: seen,
      steps,
      trainSeconds: seconds,
      epochs,
      secondsPerEpoch: seconds / epochs,
      forwardPasses: acc.forward,
      backwardCalls: acc.backward,
      peakSavedBytes: acc.peak,
      largestBackwardOps: acc.largest,
      paramsUpdated: acc.params,
      curve,
    };
    onEvent?.({ type: 'arm-end', arm: arm.name, seed, result });
    return result;
  } finally {
    disposeModel(learner, model);
  }
}

/**
 * Trains the same model spec on the same data with several learning rules, under the same budget
 * and with paired seeds (per seed: the same initial weights, batch order and rule random stream
 * for every arm), and reports per rule test accuracy (mean ± sd over seeds), time per epoch, peak
 * saved bytes, backward calls per step, the largest backward sub-graph, parameters updated per step,
 * forward passes and learning curves. Every rule is checked (`rule.check`) before anything trains.
 * @example
 * const digits = gl.data.loadDigits({ flatten: true });
 * const result = await gl.train.compare({
 *   rules: ['bp'],
 *   model: { layers: [{ type: 'linear', out: 32 }, { type: 'relu' }, { type: 'linear', out: 'classes' }] },
 *   data: digits,
 *   budget: { kind: 'epochs', epochs: 1 },
 *   seeds: [0, 1],
 * });
 * result.rows[0].testAccuracy; // { mean, sd }
 */
export async function compare(options: CompareOptions | ComparePlan): Promise<CompareResult> {
  const plan = 'arms' in options && 'task' in options ? options : planCompare(options);
  const data = plan.options.data;
  const testN = data.test.x.shape[0];
  const chunks: [Tensor, Tensor][] = [];
  for (let i = 0; i < testN; i += 512) {
    const k = Math.min(512, testN - i);
    chunks.push([data.test.x.narrow(0, i, k), data.test.y.narrow(0, i, k)]);
  }
  try {
    if (plan.warmup) for (const arm of plan.arms) await warmUp(plan, arm, data);
    const perArm = new Map<string, CompareSeedResult[]>(plan.arms.map((a) => [a.name, []]));
    for (const seed of plan.seeds)
      for (const arm of plan.arms) perArm.get(arm.name)!.push(await runArm(plan, arm, seed, chunks));
    const rows = plan.arms.map((a) => summarizeArm(a.name, a.rule.summary, perArm.get(a.name)!));
    const bp = rows.find((r) => r.rule === 'bp');
    if (bp) for (const r of rows) r.vsBp = relative(r, bp);
    return {
      rows,
      budget: plan.budget,
      seeds: plan.seeds,
      batchSize: plan.batchSize,
      trainSize: data.train.x.shape[0],
      testSize: testN,
      data: data.name ?? null,
    };
  } finally {
    for (const [x, y] of chunks) [x, y].forEach((t) => t.dispose());
  }
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

function relative(r: CompareRow, bp: CompareRow): VsBp {
  return {
    testAccuracy: r.testAccuracy.mean - bp.testAccuracy.mean,
    secondsPerEpoch: ratio(r.secondsPerEpoch.mean, bp.secondsPerEpoch.mean),
    peakSavedBytes: ratio(r.peakSavedBytes, bp.peakSavedBytes),
    backwardCallsPerStep: ratio(r.backwardCallsPerStep, bp.backwardCallsPerStep),
  };
}
