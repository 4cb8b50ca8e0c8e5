// Recipe `lst`: transfer a frozen pre-trained MLP — full fine-tuning, LoRA, Ladder Side-Tuning, linear probe.
import { manualSeed } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { crossEntropy } from '../ops/losses.js';
import { arange } from '../ops/creation.js';
import { indexSelect } from '../ops/shape.js';
import { Adam } from '../optim/adam.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import type { Module } from '../nn/module.js';
import { Residual } from '../nn/residual.js';
import { applyLoRA } from '../lab/frozen/lora.js';
import { LadderSideTuning } from '../lab/frozen/lst.js';
import { profile } from '../lab/memory/profile.js';
import { formatBytes } from '../lab/memory/table.js';
import { imageData } from './common/images.js';
import { accuracy, trainEpochs, type Split } from './common/train.js';
import { forEachSeed } from './framework/seeds.js';
import { describe, paired } from './framework/stats.js';
import type { RecipeDef } from './framework/types.js';

type Arm = 'full' | 'lora' | 'lst' | 'probe';
const ARMS: Arm[] = ['full', 'lora', 'lst', 'probe'];

const WIDTH = 128;

/** Transformer-style feed-forward block: x + W₂ ReLU(W₁ x), hidden 4× wider than the stream. */
function ffn(): Module {
  return new Residual(new Sequential(new Linear(WIDTH, 4 * WIDTH), new ReLU(), new Linear(4 * WIDTH, WIDTH)));
}

/** The backbone; `inputSize` comes from the data (784 for 28×28 images, 64 for the 8×8 digits). */
function blocks(inputSize: number): Module[] {
  return [new Sequential(new Linear(inputSize, WIDTH), new ReLU()), ffn(), ffn(), ffn()];
}

function copyBlocks(src: Module[], inputSize: number): Module[] {
  const out = blocks(inputSize);
  out.forEach((b, i) => b.loadStateDict(src[i].stateDict()));
  return out;
}

/** A model for one arm and the function giving its logits. */
function build(
  arm: Arm,
  pre: Module[],
  inputSize: number,
): { model: Module; forward: (x: Tensor) => Tensor } {
  const bb = copyBlocks(pre, inputSize);
  if (arm === 'lst') {
    const lst = new LadderSideTuning(bb, inputSize, [WIDTH, WIDTH, WIDTH, WIDTH], {
      classes: 5,
      reduction: 8,
      inputLadder: false,
    });
    return { model: lst, forward: (x) => lst.forward(x) };
  }
  const net = new Sequential(...bb, new Linear(WIDTH, 5));
  if (arm === 'lora') applyLoRA(net, { rank: 4, alpha: 4, filter: (p) => p !== '4' });
  if (arm === 'probe') {
    bb.forEach((b) => b.requiresGrad_(false));
    const trunk = new Sequential(...bb);
    const head = net.at(4);
    return { model: net, forward: (x) => head.forward(noGrad(() => trunk.forward(x))) as Tensor };
  }
  return { model: net, forward: (x) => net.forward(x) as Tensor };
}

/** Paper 06, LST: transfer of a frozen pre-trained MLP, four arms. */
export const lstRecipe: RecipeDef = {
  name: 'lst',
  paper: '06',
  claim: {
    text: 'LST saves 69% of the memory costs to fine-tune the whole network, while other methods only save 26% of that in similar parameter usages (hence, 2.7x more memory savings).',
    source:
      'Sung, Cho, Bansal, NeurIPS 2022, abstract (quoted from memory; paper notes 06 summarise it: "LST saves 69% of full fine-tuning memory, while other PETL methods save 26%")',
  },
  paperReported: [
    {
      quantity: 'training memory, LST / full fine-tuning',
      value: 0.31,
      unit: '× (69% saved)',
      setting: 'T5 on GLUE, whole training memory',
      source: 'abstract (quoted from memory; paper notes 06)',
      ours: 'memory-vs-full',
    },
    {
      quantity: 'training memory saved by other PETL methods (Adapter, LoRA)',
      value: '26%',
      unit: 'of full fine-tuning',
      setting: 'T5 on GLUE, similar parameter usage',
      source: 'abstract (quoted from memory; paper notes 06)',
      ours: 'memory-vs-lora',
    },
  ],
  protocol: {
    data: 'Fashion-MNIST flattened: pre-training on classes 0–4 (first 5,000 train images of those classes), transfer to classes 5–9 (first 3,000 train / 1,000 test images of those; quick: 256 / 128, pre-training 512).',
    model:
      "Backbone MLP 784→128→128→128→128 (ReLU) + head; LoRA rank 4 (α = 4) on the seven backbone Linears; LST side width 16 (r = 8), ladders from every block (the side state starts from Down₀ of block 1's output: with the 784-pixel input as ladder the side network kept more than LoRA, 1.2 MiB vs 0.95 MiB in a quick calibration run), gates α = 0, T = 0.1, Linear+ReLU side blocks, side state up-projected and gate-mixed with the last backbone state.",
    procedure:
      'Per seed: pre-train 3 epochs (quick: 1), then four arms from the same pre-trained weights with a new 5-way head: full fine-tuning, LoRA, LST, linear probe; Adam 1e-3, batch 128, 3 epochs (quick: 1). Training memory = peak saved bytes of one step (memory timeline) + gradients + Adam moments of the trainable parameters.',
    scaled:
      'T5 on GLUE → a 4-block MLP on Fashion-MNIST halves (paper notes 06 small-scale protocol), 3,000 transfer images.',
    budgetSeconds: { full: 120, quick: 6 },
  },
  checklist: [
    { kind: 'arm', item: 'full fine-tuning', built: true },
    { kind: 'arm', item: 'bottleneck adapter', built: false, reason: 'not yet built; issue 14 finding 11' },
    {
      kind: 'arm',
      item: 'LoRA with a trainable head',
      built: false,
      reason: 'the LoRA arm runs but its new head is frozen (issue 14 finding 2)',
    },
    { kind: 'baseline', item: 'linear probe', built: true },
    { kind: 'arm', item: 'LST with random side initialisation', built: true },
    {
      kind: 'arm',
      item: 'LST with pruned-backbone side initialisation',
      built: false,
      reason: 'not yet built; issue 14 finding 11',
    },
    {
      kind: 'assertion',
      item: 'one memory metric for all arms (weights, saved activations, gradients, optimizer state)',
      built: false,
      reason:
        "frozen weights are counted for full fine-tuning and LoRA through their rules' saved views, not for LST (issue 14 finding 1)",
    },
    {
      kind: 'control',
      item: 'diagnosis of the gap to full fine-tuning (gates, side width, init) before any threshold moves',
      built: false,
      reason: 'not yet run; issue 14 finding 11',
    },
  ],
  seeds: { full: 3, quick: 1 },
  async run({ quick, seeds, log, data: force }) {
    const nPre = quick ? 512 : 5000;
    const nTr = quick ? 256 : 3000;
    const nTe = quick ? 128 : 1000;
    const epochs = quick ? 1 : 3;
    const flat = (s: Split): Split => ({ x: s.x.reshape([s.x.shape[0], -1]), y: s.y });
    const policy = ['fashion-mnist', 'mnist-10k', 'embedded'] as const;
    const opt0 = { policy, quick, ...(force ? { force } : {}) };
    const pre = imageData({ ...opt0, nTrain: nPre, nTest: 500, classes: [0, 1, 2, 3, 4] });
    const down = imageData({ ...opt0, nTrain: nTr, nTest: nTe, classes: [5, 6, 7, 8, 9] });
    const inputSize = down.inputSize;
    const preTrain = flat(pre.train);
    const train = flat(down.train);
    const test = flat(down.test);
    const probeIdx = arange(0, 128, 1, { dtype: 'int32' });
    const bx = indexSelect(train.x, 0, probeIdx);
    const by = indexSelect(train.y, 0, probeIdx);
    const perSeed = await forEachSeed(seeds, (s) => {
      const rec: Record<string, number> = {};
      manualSeed(s);
      const bb = blocks(inputSize);
      const preNet = new Sequential(...bb, new Linear(WIDTH, 5));
      const opt = new Adam(preNet.parameters(), { lr: 1e-3 });
      trainEpochs(preTrain, { epochs, batch: 128, seed: s }, (x, y) => {
        opt.zeroGrad();
        crossEntropy(preNet.forward(x) as Tensor, y).backward();
        opt.step();
      });
      rec.pretrainAcc = accuracy((x) => preNet.forward(x) as Tensor, flat(pre.test));
      for (const arm of ARMS) {
        manualSeed(100 + s);
        const { model, forward } = build(arm, bb, inputSize);
        const params = model.parameters().filter((p) => p.requiresGrad);
        const tl = profile(() => crossEntropy(forward(bx), by).backward(), { model });
        model.zeroGrad({ setToNone: true });
        const nParams = params.reduce((a, p) => a + p.numel, 0);
        rec[`savedBytes.${arm}`] = tl.peak.bytes;
        rec[`trainableParams.${arm}`] = nParams;
        rec[`trainingBytes.${arm}`] = tl.peak.bytes + 3 * 4 * nParams;
        const o = new Adam(params, { lr: 1e-3 });
        trainEpochs(train, { epochs, batch: 128, seed: s }, (x, y) => {
          o.zeroGrad();
          crossEntropy(forward(x), y).backward();
          o.step();
        });
        rec[`acc.${arm}`] = accuracy(forward, test);
        log?.(
          `seed ${s} ${arm}: acc ${(100 * rec[`acc.${arm}`]).toFixed(2)}%, training memory ${formatBytes(rec[`trainingBytes.${arm}`])}`,
        );
      }
      return rec;
    });
    return { perSeed, details: { inputSize, arms: ARMS }, data: [down.provenance] };
  },
  assertions: [
    {
      id: 'memory-vs-full',
      description: 'training memory: LST / full fine-tuning, per seed',
      values: (m) => paired(m['trainingBytes.lst'], m['trainingBytes.full'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.5,
      thresholdSource: 'issue 5 ("peak training memory of LST ≤ 0.5× full fine-tuning"); paper notes 06',
      kind: 'mechanism',
    },
    {
      id: 'memory-vs-lora',
      description: 'training memory: LST / LoRA, per seed',
      values: (m) => paired(m['trainingBytes.lst'], m['trainingBytes.lora'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.6,
      thresholdSource: 'issue 5 ("≤ 0.6× LoRA"); paper notes 06',
      kind: 'mechanism',
    },
    {
      id: 'accuracy-vs-probe',
      description: 'acc(LST) − acc(linear probe), points, paired over seeds',
      values: (m) => paired(m['acc.lst'], m['acc.probe'], (a, b) => 100 * (a - b)),
      compare: '>=',
      threshold: 1,
      thresholdSource: 'issue 5 ("accuracy ≥ linear probe + 1 point"); paper notes 06',
      kind: 'outcome',
    },
    {
      id: 'accuracy-vs-full',
      description: 'acc(LST) − acc(full fine-tuning), points, paired over seeds',
      values: (m) => paired(m['acc.lst'], m['acc.full'], (a, b) => 100 * (a - b)),
      compare: '>=',
      threshold: -4,
      thresholdSource: 'paper notes 06 small-scale assertion ("acc(LST) ≥ acc(full fine-tuning) − 4 pt")',
      kind: 'outcome',
    },
  ],
  figures: [
    {
      id: 'accuracy',
      title: 'Transfer test accuracy per arm (%)',
      make: (m) => ({
        type: 'bar',
        xLabel: 'arm',
        yLabel: 'test accuracy (%)',
        x: [...ARMS],
        series: [
          {
            name: 'mean over seeds',
            y: ARMS.map((a) => 100 * describe(m.perSeed[`acc.${a}`]).mean),
            perSeed: ARMS.map((a) => m.perSeed[`acc.${a}`].map((v) => 100 * v)),
          },
        ],
      }),
    },
    {
      id: 'memory',
      title: 'Training memory per arm (KiB)',
      make: (m) => ({
        type: 'bar',
        xLabel: 'arm',
        yLabel: 'KiB',
        x: [...ARMS],
        series: [
          {
            name: 'mean over seeds',
            y: ARMS.map((a) => describe(m.perSeed[`trainingBytes.${a}`]).mean / 1024),
          },
        ],
      }),
    },
  ],
  summarize: (m) =>
    ARMS.map(
      (a) =>
        `${a} ${(100 * describe(m.perSeed[`acc.${a}`]).mean).toFixed(1)}% / ${formatBytes(describe(m.perSeed[`trainingBytes.${a}`]).mean)}`,
    ).join('; ') + ` (accuracy / training memory, mean of ${m.perSeed['acc.full'].length} seed(s))`,
};
