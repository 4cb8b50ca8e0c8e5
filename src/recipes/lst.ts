// Recipe `lst`: transfer a frozen pre-trained MLP — full fine-tuning, LoRA, Ladder Side-Tuning, linear probe.
import { formatBytes } from '../lab/memory/table.js';
import { describeLstModel, LST_ARMS, LST_CONFIG, type LstArm } from './lst-arms.js';
import { runLst, type LstMeasurements } from './lst-run.js';
import { registerRecipe } from './registry.js';
import { mean } from './util.js';

const C = LST_CONFIG;
/** LST / another arm, resident training memory (the paper's metric). */
const memRatio = (m: LstMeasurements, a: LstArm, b: LstArm) =>
  m.arms[a].memory.total / m.arms[b].memory.total;
/** Mean over seeds of the paired accuracy difference a − b, points. */
const accDiff = (m: LstMeasurements, a: LstArm, b: LstArm) =>
  100 * mean(m.arms[a].acc.map((x, i) => x - m.arms[b].acc[i]));

registerRecipe<LstMeasurements>({
  name: 'lst',
  paper: '06. LST — Ladder Side-Tuning for Parameter and Memory Efficient Transfer Learning',
  claim: {
    text: 'LST saves 69% of the memory costs to fine-tune the whole network, while other methods only save 26% of that in similar parameter usages (hence, 2.7x more memory savings).',
    source:
      'Sung, Cho, Bansal, NeurIPS 2022, abstract (quoted from memory; paper notes 06 summarise it: "LST saves 69% of full fine-tuning memory, while other PETL methods save 26%")',
  },
  protocol: {
    data: 'Fashion-MNIST flattened: pre-training on classes 0–4 (first 5,000 train images of those classes), transfer to classes 5–9 (first 3,000 train / 1,000 test images of those; quick: 256 / 128, pre-training 512).',
    model: describeLstModel(C, 'input'),
    procedure: `Per seed: pre-train backbone + 5-way head 3 epochs (quick: 1), Adam 1e-3; then every arm (${LST_ARMS.join(', ')}) from the same pre-trained weights with a new head; Adam, batch ${C.batch}, ${C.epochs} epochs (quick: 1), learning rate ${C.lr.full} for full fine-tuning and ${C.lr.lst} for the parameter-efficient arms (the paper's ratio: LST 3e-3 vs full fine-tuning 3e-4 on T5; calibrated in scripts/lst-diagnose.ts). Training memory (the paper's metric, lab.memory.residentMemory on one batch of ${C.batch}): all weights incl. frozen ones + peak saved activations + gradients + 2 Adam moments of the trainable parameters; the activation-only part is reported beside it.`,
    scaled:
      'T5 on GLUE → a 4-block MLP on Fashion-MNIST halves (paper notes 06 small-scale protocol), 3,000 transfer images.',
    budgetSeconds: { full: 400, quick: 15 },
  },
  run: (opts) => runLst(opts, C),
  assertions: [
    {
      id: 'memory-vs-full',
      description:
        'resident training memory (weights + activations + gradients + Adam): LST (pruned init) / full fine-tuning',
      measure: (m) => memRatio(m, 'lst-pruned', 'full'),
      compare: '<=',
      threshold: 0.5,
      thresholdSource:
        'issue 5 ("peak training memory of LST ≤ 0.5× full fine-tuning"); paper notes 06 (paper: 0.31, "saves 69%")',
      kind: 'mechanism',
    },
    {
      id: 'memory-vs-lora',
      description: 'resident training memory: LST (pruned init) / LoRA',
      measure: (m) => memRatio(m, 'lst-pruned', 'lora'),
      compare: '<=',
      threshold: 0.6,
      thresholdSource: 'issue 5 ("≤ 0.6× LoRA"); paper notes 06',
      kind: 'mechanism',
    },
    {
      id: 'memory-vs-adapter',
      description: 'resident training memory: LST (pruned init) / bottleneck adapter',
      measure: (m) => memRatio(m, 'lst-pruned', 'adapter'),
      compare: '<=',
      threshold: 0.6,
      thresholdSource: 'paper notes 06 ("≤ 0.6× LoRA/adapter")',
      kind: 'mechanism',
    },
    {
      id: 'accuracy-vs-probe',
      description: 'acc(LST, pruned init) − acc(linear probe), points, mean of paired per-seed differences',
      measure: (m) => accDiff(m, 'lst-pruned', 'probe'),
      compare: '>=',
      threshold: 1,
      thresholdSource: 'issue 5 ("accuracy ≥ linear probe + 1 point"); paper notes 06',
      kind: 'outcome',
    },
    {
      id: 'accuracy-vs-full',
      description:
        'acc(LST, pruned init) − acc(full fine-tuning), points, mean of paired per-seed differences',
      measure: (m) => accDiff(m, 'lst-pruned', 'full'),
      compare: '>=',
      threshold: -4,
      thresholdSource: 'paper notes 06 small-scale assertion ("acc(LST) ≥ acc(full fine-tuning) − 4 pt")',
      kind: 'outcome',
    },
  ],
  summarize: (m) =>
    LST_ARMS.map(
      (a) =>
        `${a} ${(100 * mean(m.arms[a].acc)).toFixed(1)}% / ${formatBytes(m.arms[a].memory.total)} (act. ${formatBytes(m.arms[a].memory.activations)})`,
    ).join('; ') +
    ` (accuracy / resident training memory (activation-only part), ${m.arms.full.acc.length} seeds)`,
});
