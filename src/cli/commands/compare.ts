// `gradlab compare`: one model, one dataset, several learning rules under the same budget and seeds; one table.
import fs from 'node:fs';
import path from 'node:path';
import * as gl from '../../index.js';
import { RunStore, resolveStorePath } from '../../store/index.js';
import type { JsonObject } from '../../store/index.js';
import type { GlobalOptions } from '../args.js';
import { defaultBackend, requestedBackend, useBackend } from '../backend.js';
import { defineCommand } from '../command.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { compareCurves, compareTable, jsonRow } from '../compare-report.js';
import { formatDuration } from '../format.js';
import { ProgressReporter } from '../progress.js';

const WHERE = 'gradlab compare';

/** The main job's rules (`npm start`, `gradlab compare` without --rules); those not in gl.rules.RULES yet are named and left out. */
export const DEFAULT_COMPARE_RULES = ['bp', 'ff', 'dfa', 'drtp', 'auglocal'] as const;
/** The main job's model: a 2-hidden-layer MLP. */
export const DEFAULT_COMPARE_MODEL = 'mlp:256,256';
/** The main job's epochs (the samples budget is epochs × train size) and seeds. */
export const DEFAULT_COMPARE_EPOCHS = 30;
export const DEFAULT_COMPARE_SEEDS = 3;

/** Everything that defines a comparison; stored as the comparison group's config (what --rerun reads). */
export interface CompareConfig {
  rules: string[];
  data: string;
  dataPath: string | null;
  trainSize: number | null;
  model: string;
  epochs: number;
  budget: string;
  seeds: number;
  batchSize: number;
  backend: string;
}

const options = {
  rules: {
    type: 'string',
    valueName: 'list',
    description: `comma-separated rules of gl.rules.RULES (default: ${DEFAULT_COMPARE_RULES.join(',')}, those this build has)`,
  },
  data: {
    type: 'string',
    valueName: 'name',
    description: `dataset: ${gl.data.DATASET_NAMES.join(', ')} (default digits, the embedded 8x8 digits)`,
  },
  dataPath: {
    type: 'string',
    valueName: 'dir',
    description: "folder of the dataset files (mnist, cifar10; fashion-mnist defaults to Debian's)",
  },
  model: {
    type: 'string',
    valueName: 'spec',
    description: `mlp:<widths> (e.g. mlp:256,256), mlp, cnn, linear, or a JSON model spec (default ${DEFAULT_COMPARE_MODEL})`,
  },
  epochs: {
    type: 'number',
    integer: true,
    min: 1,
    description: `passes over the training set each arm gets (default ${DEFAULT_COMPARE_EPOCHS})`,
  },
  budget: {
    type: 'string',
    valueName: 'kind[:n]',
    description:
      'what every arm gets the same of: samples (default: --epochs × train size examples; samples:<n> for n), epochs (--epochs passes), seconds:<s> (seconds of training steps)',
  },
  seeds: {
    type: 'number',
    integer: true,
    min: 1,
    max: 100,
    description: `number of paired seeds 0..n-1 (default ${DEFAULT_COMPARE_SEEDS})`,
  },
  batchSize: { type: 'number', integer: true, min: 1, description: 'examples per step (default 64)' },
  trainSize: { type: 'number', integer: true, min: 1, description: 'use only the first n training examples' },
  rerun: {
    type: 'string',
    valueName: 'id',
    description: 'run a stored comparison again from its config (with --backend to change the backend)',
  },
  name: { type: 'string', valueName: 'text', description: 'a name for the comparison in the store' },
  json: {
    type: 'boolean',
    description: 'print one JSON document (a row per rule, per-seed values) on stdout',
  },
  quiet: { type: 'boolean', short: 'q', description: 'no progress output' },
} as const;

type CompareOpts = {
  -readonly [K in keyof typeof options]: (typeof options)[K] extends { type: 'boolean' }
    ? boolean
    : (typeof options)[K] extends { type: 'number' }
      ? number | undefined
      : string | undefined;
};

function usage(message: string): UsageError {
  return new UsageError(`${WHERE}: ${message}`, WHERE);
}

/** Layers that need image input: a model with none of them trains on flattened examples. */
const IMAGE_LAYERS = new Set(['conv2d', 'maxpool2d', 'avgpool2d', 'batchnorm2d']);

/** --model: mlp:<widths>, a built-in name, or a JSON spec. */
export function parseModelArg(text: string): gl.train.ModelSpec {
  const m = /^mlp:(.*)$/.exec(text);
  if (m) {
    const widths = m[1].split(',').map((w) => w.trim());
    if (widths.some((w) => !/^[1-9]\d*$/.test(w)))
      throw usage(`--model ${text}: mlp widths are positive integers separated by commas, e.g. mlp:256,256`);
    return {
      layers: [
        { type: 'flatten' },
        ...widths.flatMap((w) => [{ type: 'linear' as const, out: Number(w) }, { type: 'relu' as const }]),
        { type: 'linear', out: 'classes' },
      ],
    };
  }
  if (text in gl.train.BUILTIN_MODELS)
    return gl.train.BUILTIN_MODELS[text as keyof typeof gl.train.BUILTIN_MODELS];
  if (text.trim().startsWith('{') || text.trim().startsWith('[')) {
    try {
      return gl.train.parseModelSpec(JSON.parse(text));
    } catch (e) {
      throw usage(`--model: ${(e as Error).message}`);
    }
  }
  throw usage(
    `--model must be mlp:<widths> (e.g. mlp:256,256), mlp, cnn, linear or a JSON model spec; got '${text}'`,
  );
}

/** --budget: samples[:n] | epochs | seconds:<s>. */
export function parseBudget(text: string, epochs: number, trainSize: number): gl.train.CompareBudget {
  const m = /^(samples|epochs|seconds)(?::(.+))?$/.exec(text);
  if (!m) throw usage(`--budget must be samples, samples:<n>, epochs or seconds:<s>; got '${text}'`);
  const amount = m[2] === undefined ? undefined : Number(m[2]);
  if (m[2] !== undefined && !(Number.isFinite(amount) && amount! > 0))
    throw usage(`--budget ${text}: the amount after ':' must be a number > 0`);
  if (m[1] === 'samples') {
    if (amount !== undefined && !Number.isInteger(amount))
      throw usage(`--budget ${text}: samples:<n> takes a whole number of examples`);
    return { kind: 'samples', samples: amount ?? epochs * trainSize };
  }
  if (m[1] === 'epochs') {
    if (amount !== undefined) throw usage(`--budget epochs takes no amount; give --epochs ${m[2]} instead`);
    return { kind: 'epochs', epochs };
  }
  if (amount === undefined)
    throw usage('--budget seconds needs the seconds each arm trains per seed, e.g. --budget seconds:10');
  return { kind: 'seconds', seconds: amount };
}

/** The comparison's config from the command line. */
function configFromOptions(
  o: CompareOpts,
  backend: string,
  ctx: CliContext,
): { config: CompareConfig; missing: string[] } {
  let rules: string[];
  let missing: string[] = [];
  if (o.rules !== undefined) {
    rules = o.rules.split(',').map((r) => r.trim());
    if (rules.some((r) => r === '')) throw usage(`--rules '${o.rules}' has an empty name`);
    const known = Object.keys(gl.rules.RULES);
    for (const r of rules)
      if (!known.includes(r))
        throw usage(`unknown rule '${r}' in --rules (known rules: ${known.join(', ')})`);
    if (new Set(rules).size !== rules.length) throw usage(`--rules '${o.rules}' names a rule twice`);
  } else {
    rules = DEFAULT_COMPARE_RULES.filter((r) => Object.hasOwn(gl.rules.RULES, r));
    missing = DEFAULT_COMPARE_RULES.filter((r) => !Object.hasOwn(gl.rules.RULES, r));
  }
  const data = o.data ?? 'digits';
  if (!(gl.data.DATASET_NAMES as readonly string[]).includes(data))
    throw usage(`unknown dataset '${data}' (expected one of ${gl.data.DATASET_NAMES.join(', ')})`);
  if (o.dataPath !== undefined && !fs.existsSync(path.resolve(ctx.cwd, o.dataPath)))
    throw usage(`--data-path folder ${path.resolve(ctx.cwd, o.dataPath)} does not exist`);
  return {
    config: {
      rules,
      data,
      dataPath: o.dataPath !== undefined ? path.resolve(ctx.cwd, o.dataPath) : null,
      trainSize: o.trainSize ?? null,
      model: o.model ?? DEFAULT_COMPARE_MODEL,
      epochs: o.epochs ?? DEFAULT_COMPARE_EPOCHS,
      budget: o.budget ?? 'samples',
      seeds: o.seeds ?? DEFAULT_COMPARE_SEEDS,
      batchSize: o.batchSize ?? 64,
      backend,
    },
    missing,
  };
}

/** The stored config of comparison `id` (for --rerun), checked field by field. */
function storedConfig(store: RunStore, id: string): CompareConfig {
  const g = store.getGroup(id);
  if (g.kind !== 'comparison') throw usage(`--rerun ${id}: group ${id} is a ${g.kind}, not a comparison`);
  const c = g.config as Partial<Record<keyof CompareConfig, unknown>>;
  const ok =
    Array.isArray(c.rules) &&
    c.rules.every((r) => typeof r === 'string') &&
    typeof c.data === 'string' &&
    typeof c.model === 'string' &&
    typeof c.budget === 'string' &&
    typeof c.backend === 'string' &&
    [c.epochs, c.seeds, c.batchSize].every((v) => Number.isInteger(v));
  if (!ok) throw new gl.StoreError(`comparison ${id} has no gradlab compare config to rerun`);
  return c as unknown as CompareConfig;
}

/** Options that --rerun takes from the stored comparison. */
const FIXED_ON_RERUN = [
  'rules',
  'data',
  'dataPath',
  'model',
  'epochs',
  'budget',
  'seeds',
  'batchSize',
  'trainSize',
] as const;

async function runCompare(o: CompareOpts, global: GlobalOptions, ctx: CliContext): Promise<number> {
  const storeFile = resolveStorePath(global.store, ctx.env, ctx.cwd);
  const asked = requestedBackend(global, ctx, WHERE);
  let config: CompareConfig;
  let missing: string[] = [];
  if (o.rerun !== undefined) {
    const given = FIXED_ON_RERUN.filter((k) => o[k] !== undefined);
    if (given.length > 0)
      throw usage(
        `--rerun takes the comparison's settings from the store; drop --${given.map((k) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', --')}`,
      );
    if (!fs.existsSync(storeFile)) throw usage(`--rerun ${o.rerun}: no run store at ${storeFile}`);
    const s = RunStore.open(storeFile, { create: false });
    try {
      config = { ...storedConfig(s, o.rerun), ...(asked !== undefined ? { backend: asked } : {}) };
    } finally {
      s.close();
    }
  } else {
    ({ config, missing } = configFromOptions(o, asked ?? defaultBackend(), ctx));
  }
  const quiet = o.quiet || o.json;
  if (missing.length > 0)
    ctx.stderr.write(
      `${WHERE}: default rules not in this build, left out: ${missing.join(', ')} (gl.rules.RULES has ${Object.keys(gl.rules.RULES).join(', ')})\n`,
    );
  if (config.rules.length === 0) throw usage('no rules to compare (give --rules)');
  for (const r of config.rules)
    if (!Object.hasOwn(gl.rules.RULES, r))
      throw usage(`unknown rule '${r}' (known rules: ${Object.keys(gl.rules.RULES).join(', ')})`);

  const spec = parseModelArg(config.model);
  const flat = !spec.layers.some((l) => IMAGE_LAYERS.has(l.type));
  const modelSpec: gl.train.ModelSpec = flat
    ? {
        layers: spec.layers.filter(
          (l, i) => !(l.type === 'flatten' && spec.layers.slice(0, i).every((p) => p.type === 'flatten')),
        ),
      }
    : spec;
  await useBackend(config.backend as Parameters<typeof useBackend>[0]);
  const ds = gl.data.loadDataset(config.data, { path: config.dataPath ?? undefined, flatten: flat, seed: 0 });
  const n = Math.min(config.trainSize ?? Infinity, ds.train.x.shape[0]);
  const data: gl.train.CompareData = {
    name: config.data,
    train:
      n < ds.train.x.shape[0] ? { x: ds.train.x.narrow(0, 0, n), y: ds.train.y.narrow(0, 0, n) } : ds.train,
    test: ds.test,
    inputShape: ds.inputShape,
    numClasses: ds.numClasses,
  };
  const budget = parseBudget(config.budget, config.epochs, n);
  let plan: gl.train.ComparePlan;
  try {
    plan = gl.train.planCompare({
      rules: config.rules,
      model: modelSpec,
      data,
      budget,
      seeds: Array.from({ length: config.seeds }, (_, i) => i),
      batchSize: config.batchSize,
    });
  } catch (e) {
    if (e instanceof gl.rules.RuleModelError)
      throw usage(`a rule cannot train model ${config.model} on ${config.data}: ${e.message}`);
    if (e instanceof gl.ShapeError)
      throw usage(`model ${config.model} does not fit ${config.data}: ${e.message}`);
    if (e instanceof gl.ArgumentError) throw usage(e.message.replace(/^compare: /, ''));
    throw e;
  }
  const budgetText =
    budget.kind === 'samples'
      ? `${budget.samples} examples per arm (${+(budget.samples / n).toFixed(2)} epochs)`
      : budget.kind === 'epochs'
        ? `${budget.epochs} epochs per arm`
        : `${budget.seconds}s of training steps per arm`;
  if (!quiet)
    ctx.stderr.write(
      `${WHERE}: ${config.rules.join(', ')} on ${config.model} (${ds.inputShape.join('x')} → ${ds.numClasses} classes), ` +
        `${config.data}: ${n} train / ${ds.test.x.shape[0]} test; budget ${budgetText}, batch ${config.batchSize}, ` +
        `seeds 0..${config.seeds - 1}, backend ${config.backend}\n`,
    );

  const store = RunStore.open(storeFile);
  const groupId = store.createGroup({
    kind: 'comparison',
    name: o.name ?? `compare ${config.rules.join(',')} on ${config.data}`,
    config: { ...(config as unknown as JsonObject), ...(o.rerun !== undefined ? { rerunOf: o.rerun } : {}) },
  });
  const runIds: Record<string, string> = {};
  let current: string | null = null;
  /** On a terminal, a bar per arm that moves at each curve point; elsewhere one line per finished arm. */
  let bar: ProgressReporter | null = null;
  const t0 = performance.now();
  try {
    const result = await gl.train.compare({
      ...plan,
      options: {
        ...plan.options,
        onEvent: (e: gl.train.CompareEvent) => {
          if (e.type === 'arm-start') {
            current = store.createRun({
              kind: 'compare',
              name: `${groupId} ${e.arm} seed ${e.seed}`,
              config: {
                ...(config as unknown as JsonObject),
                rule: e.arm,
                seed: e.seed,
                comparison: groupId,
              },
              env: { backend: config.backend },
            });
            runIds[`${e.arm}/${e.seed}`] = current;
            store.addToGroup(groupId, current);
            if (!quiet && ctx.stderr.isTTY === true)
              bar = new ProgressReporter({
                total: plan.curvePoints,
                label: `  ${e.arm} seed ${e.seed}`,
                stream: ctx.stderr,
                unit: 'pt',
              });
          } else if (e.type === 'point') {
            const values: Record<string, number> = { examples: e.examples, testAccuracy: e.testAccuracy };
            if (Number.isFinite(e.trainLoss)) values.loss = e.trainLoss;
            store.logMetrics(current!, e.step, values);
            (bar as ProgressReporter | null)?.tick(1, { acc: e.testAccuracy });
          } else {
            const r = e.result;
            store.setResult(current!, {
              testAccuracy: r.testAccuracy,
              secondsPerEpoch: r.secondsPerEpoch,
              steps: r.steps,
              examplesSeen: r.examplesSeen,
              forwardPasses: r.forwardPasses,
              backwardCalls: r.backwardCalls,
              peakSavedBytes: r.peakSavedBytes,
              largestBackwardOps: r.largestBackwardOps,
              paramsUpdated: r.paramsUpdated,
            });
            store.finishRun(current!, 'completed');
            current = null;
            if (bar !== null) ctx.stderr.write('\r\x1b[K');
            bar = null;
            if (!quiet)
              ctx.stderr.write(
                `  ${e.arm} seed ${e.seed}: test accuracy ${(100 * r.testAccuracy).toFixed(1)}% ` +
                  `(${r.steps} steps, ${r.trainSeconds.toFixed(2)}s training)\n`,
              );
          }
        },
      },
    });
    const wall = (performance.now() - t0) / 1000;
    if (o.json) {
      ctx.stdout.write(
        JSON.stringify({
          comparison: groupId,
          store: store.path,
          config: config as unknown as JsonObject,
          ...(o.rerun !== undefined ? { rerunOf: o.rerun } : {}),
          missingDefaultRules: missing,
          data: {
            name: config.data,
            trainSize: n,
            testSize: ds.test.x.shape[0],
            inputShape: ds.inputShape,
            classes: ds.numClasses,
          },
          budget: budget as unknown as JsonObject,
          seeds: result.seeds,
          seconds: Math.round(wall * 100) / 100,
          rows: result.rows.map((r) => jsonRow(r, runIds)),
        }) + '\n',
      );
    } else {
      ctx.stdout.write(compareTable(result) + '\n');
      ctx.stdout.write(compareCurves(result) + '\n\n');
      ctx.stdout.write(
        `comparison ${groupId}: ${Object.keys(runIds).length} runs in ${path.relative(ctx.cwd, store.path) || store.path} ` +
          `(gradlab runs --group ${groupId}); rerun with: gradlab compare --rerun ${groupId}; took ${formatDuration(wall * 1000)}\n`,
      );
    }
    return 0;
  } catch (e) {
    if (current !== null)
      store.finishRun(current, 'failed', e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    throw e;
  } finally {
    store.close();
  }
}

/** `gradlab compare`. */
export const compareCommand = defineCommand({
  summary: 'train one model with several learning rules under the same budget and compare them',
  description:
    'Trains the same model on the same data with each rule (bp, ff, dfa, ... of gl.rules.RULES), under the ' +
    'same budget (by default the same number of training examples) and with paired seeds (per seed, every ' +
    'rule starts from the same weights and sees the same batches), then prints one table: test accuracy ' +
    'mean ± sd over seeds, time per epoch, peak saved bytes and backward calls per step (each relative to ' +
    'bp), the largest backward sub-graph, parameter tensors updated per step and forward passes; then the ' +
    'learning curves. Every arm and seed is a run in the run store, grouped as one comparison. A rule that ' +
    'cannot train the model is refused before anything trains. See docs/compare.md.',
  options,
  positionals: [],
  examples: [
    'gradlab compare',
    'gradlab compare --rules bp --model mlp:64 --budget seconds:1 --json',
    'gradlab compare --data fashion-mnist --model mlp:256,256 --seeds 3',
  ],
  run: ({ options: o, global }, ctx) => runCompare(o as CompareOpts, global, ctx),
});
