// Recipe `pskd` (paper 29): PS-KD self-distillation vs plain CE vs label smoothing on a Fashion-MNIST CNN — accuracy and calibration.
import { Generator, manualSeed } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { uniforms } from '../data/random.js';
import { DataLoader } from '../data/dataloader.js';
import { TensorDataset } from '../data/dataset.js';
import { crossEntropy } from '../ops/losses.js';
import { cat } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';
import { Conv2d } from '../nn/conv.js';
import { Linear, Flatten } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { MaxPool2d } from '../nn/pooling.js';
import { Sequential } from '../nn/containers.js';
import { SGD } from '../optim/sgd.js';
import { Trainer, type TrainerOptions } from '../train/trainer.js';
import { calibration } from '../train/calibration.js';
import { imageData } from './common/images.js';
import type { Split } from './common/train.js';
import { forEachSeed } from './framework/seeds.js';
import { describe, paired } from './framework/stats.js';
import type { PerSeed, RecipeDef } from './framework/types.js';

const ARMS = ['ce', 'ls', 'pskd'] as const;
type Arm = (typeof ARMS)[number];
const FULL = { nTrain: 3000, nTest: 1000, epochs: 12, width: [8, 16, 32] as const };
const QUICK = { nTrain: 640, nTest: 300, epochs: 4, width: [8, 16, 32] as const };
const ALPHA_T = 0.8;
const SMOOTHING = 0.1;

/** conv 3×3 – pool – conv 3×3 – pool – FC – FC (the notes' CNN, at the widths given). */
function cnn(shape: readonly [number, number, number], w: readonly [number, number, number]): Sequential {
  const [c, h, wd] = shape;
  const flat = w[1] * Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(wd / 2) / 2);
  return new Sequential(
    new Conv2d(c, w[0], 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(w[0], w[1], 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(flat, w[2]),
    new ReLU(),
    new Linear(w[2], 10),
  );
}

/**
 * Random crop after zero padding by `pad` (a shift of −pad..pad in each direction) and a horizontal flip with
 * probability ½, per image, drawn from `gen` (host-side: the recipe runs on a backend with synchronous reads).
 */
function cropFlip(x: Tensor, gen: Generator, pad: number): Tensor {
  const [n, c, h, w] = x.shape;
  const src = x.dataSync();
  const out = new Float32Array(src.length);
  const u = uniforms(gen, 3 * n);
  for (let i = 0; i < n; i++) {
    const dy = Math.floor(u[3 * i] * (2 * pad + 1)) - pad;
    const dx = Math.floor(u[3 * i + 1] * (2 * pad + 1)) - pad;
    const flip = u[3 * i + 2] < 0.5;
    for (let ch = 0; ch < c; ch++) {
      const base = (i * c + ch) * h * w;
      for (let r = 0; r < h; r++) {
        const sr = r + dy;
        if (sr < 0 || sr >= h) continue;
        for (let col = 0; col < w; col++) {
          const sc = (flip ? w - 1 - col : col) + dx;
          if (sc < 0 || sc >= w) continue;
          out[base + r * w + col] = src[base + sr * w + sc];
        }
      }
    }
  }
  return tensor(out, { shape: [n, c, h, w] });
}

/** Logits of `model` on a split, in batches, without recording. */
function logitsOf(model: Sequential, split: Split): Tensor {
  const n = split.x.shape[0];
  const parts: Tensor[] = [];
  noGrad(() => {
    for (let s = 0; s < n; s += 500)
      parts.push(tidy(() => model.forward(split.x.narrow(0, s, Math.min(500, n - s))) as Tensor));
  });
  if (parts.length === 1) return parts[0];
  const all = cat(parts, 0);
  for (const p of parts) p.dispose();
  return all;
}

/** Trains one arm from the seed's initialisation and batch order; returns the test metrics. */
async function trainArm(
  arm: Arm,
  seed: number,
  data: { shape: [number, number, number]; train: Split; test: Split },
  c: typeof FULL | typeof QUICK,
): Promise<Record<string, number>> {
  manualSeed(seed); // same initialisation in every arm
  const model = cnn(data.shape, c.width);
  const aug = new Generator(seed + 500); // same augmentation draws in every arm
  const loader = new DataLoader(new TensorDataset(data.train.x, data.train.y), {
    batchSize: 128,
    shuffle: true,
    seed: seed + 1000, // same batch order in every arm
    transform: (b: Tensor[]) => [cropFlip(b[0], aug, 2), b[1]],
  });
  const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
  const opts: TrainerOptions = { model, optimizer, metrics: ['loss'] };
  if (arm === 'ls') opts.loss = (z, y) => crossEntropy(z, y, { labelSmoothing: SMOOTHING });
  if (arm === 'pskd')
    opts.selfDistillation = { examples: data.train.x.shape[0], epochs: c.epochs, alphaT: ALPHA_T };
  const trainer = new Trainer(opts);
  await trainer.fit(loader, { epochs: c.epochs });
  model.eval();
  const z = logitsOf(model, data.test);
  const r = await calibration(z, data.test.y);
  z.dispose();
  trainer.selfDistillation?.bank?.dispose();
  trainer.selfDistillation?.seen?.dispose();
  return {
    [`err.${arm}`]: 1 - r.accuracy,
    [`ece.${arm}`]: r.ece,
    [`nll.${arm}`]: r.nll,
    [`aurc.${arm}`]: r.aurc,
  };
}

/** Paper 29: PS-KD improves accuracy and calibration over CE (and over label smoothing's calibration). */
export const pskdRecipe: RecipeDef = {
  name: 'pskd',
  paper: '29',
  claim: {
    text: 'Progressive self-knowledge distillation (soft targets mixing the label with the model’s own previous-epoch predictions, weight growing linearly) improves accuracy and calibration (ECE, NLL, AURC) over plain cross-entropy.',
    source: 'Kim et al., ICCV 2021, abstract and code README (paper notes 29)',
  },
  paperReported: [
    {
      quantity: 'CIFAR-100 top-1 error / ECE, PreAct ResNet-18',
      value: '24.18 → 20.82 / 11.84 → 1.77',
      unit: '% / ×100',
      setting: 'CIFAR-100, 300 epochs, α_T = 0.8',
      source: 'lgcnsai/PS-KD-Pytorch README (paper notes 29)',
      ours: 'ece-ratio',
    },
  ],
  protocol: {
    data: 'Fashion-MNIST (Debian dataset-fashion-mnist; first 3,000 train / 1,000 test images; MNIST-10k, then the embedded digits as fallbacks), pixels in [0, 1]',
    model: `CNN conv 3×3×${FULL.width[0]} – maxpool – conv 3×3×${FULL.width[1]} – maxpool – FC ${FULL.width[2]} – FC 10 (ReLU), same initialisation, batch order and augmentation draws in every arm of a seed`,
    procedure: `gl.train.Trainer, SGD lr 0.05, momentum 0.9, weight decay 5e-4, batch 128, ${FULL.epochs} epochs, random crop (pad 2) + horizontal flip. Arms: cross-entropy; label smoothing ${SMOOTHING}; PS-KD (Trainer selfDistillation, α_T = ${ALPHA_T}, α_t = α_T·(t+1)/${FULL.epochs}). Test error, ECE (10 bins), NLL, AURC (gl.train.calibration).`,
    scaled: `The paper's CIFAR-100/ImageNet ResNets for 300 epochs → the notes' small-scale Fashion-MNIST CNN; cut to 3,000 instead of 12,000 training images, 1,000 test images, 12 instead of 15 epochs and widths 8/16/32 instead of 32/64/128 (CPU budget of a 2-core machine shared by eight sessions). Quick: ${QUICK.nTrain}/${QUICK.nTest} images, widths ${QUICK.width.join('/')}, ${QUICK.epochs} epochs, 1 seed.`,
    budgetSeconds: { full: 600, quick: 20 },
  },
  checklist: [
    { kind: 'arm', item: 'PS-KD (α_T = 0.8, prediction bank of the training forward pass)', built: true },
    { kind: 'baseline', item: 'cross-entropy', built: true },
    { kind: 'baseline', item: 'label smoothing 0.1', built: true },
    { kind: 'control', item: 'ECE (10 bins), NLL and AURC beside the test error', built: true },
    { kind: 'data', item: 'random crop (pad 2) and horizontal flip augmentation', built: true },
    {
      kind: 'assertion',
      item: 'analytic logit gradient equals softmax − ỹ (test/train/pskd.test.ts, against PyTorch)',
      built: true,
    },
  ],
  seeds: { full: 3, quick: 1 },
  async run({ quick, seeds, data, log }) {
    const c = quick ? QUICK : FULL;
    const img = imageData({
      policy: ['fashion-mnist', 'mnist-10k', 'embedded'],
      nTrain: c.nTrain,
      nTest: c.nTest,
      quick,
      force: data,
    });
    const perSeed = await forEachSeed(seeds, async (seed) => {
      const out: Record<string, number> = {};
      for (const arm of ARMS) Object.assign(out, await trainArm(arm, seed, img, c));
      log?.(
        `seed ${seed}: ` +
          ARMS.map(
            (a) =>
              `${a} err ${(100 * out[`err.${a}`]).toFixed(2)}% ECE ${(100 * out[`ece.${a}`]).toFixed(2)} NLL ${out[`nll.${a}`].toFixed(3)} AURC ${(1000 * out[`aurc.${a}`]).toFixed(1)}‰`,
          ).join('; '),
      );
      return out;
    });
    return {
      perSeed,
      details: { alphaT: ALPHA_T, labelSmoothing: SMOOTHING, eceBins: 10 },
      data: [img.provenance],
    };
  },
  assertions: [
    {
      id: 'ece-ratio',
      description: 'ECE(PS-KD) / ECE(CE), paired over seeds',
      kind: 'outcome',
      values: (m: PerSeed) => paired(m['ece.pskd'], m['ece.ce'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.6,
      thresholdSource: 'paper notes 29 small-scale protocol (ECE(PS-KD) ≤ 0.6 × ECE(CE))',
    },
    {
      id: 'error-vs-ce',
      description: 'test error(PS-KD) − error(CE), fraction, paired over seeds',
      kind: 'outcome',
      values: (m) => paired(m['err.pskd'], m['err.ce']),
      compare: '<=',
      threshold: 0.003,
      thresholdSource: 'paper notes 29 small-scale protocol (error ≤ CE + 0.3 pt)',
    },
    {
      id: 'nll-vs-ce',
      description: 'NLL(PS-KD) − NLL(CE), paired over seeds',
      kind: 'outcome',
      values: (m) => paired(m['nll.pskd'], m['nll.ce']),
      compare: '<=',
      threshold: 0,
      thresholdSource: 'paper notes 29 small-scale protocol (NLL(PS-KD) ≤ NLL(CE))',
    },
  ],
  summarize: (m) => {
    const s = (k: string) => describe(m.perSeed[k]).mean;
    return ARMS.map(
      (a) =>
        `${a}: error ${(100 * s(`err.${a}`)).toFixed(2)}%, ECE ${(100 * s(`ece.${a}`)).toFixed(2)}, NLL ${s(`nll.${a}`).toFixed(3)}, AURC ${(1000 * s(`aurc.${a}`)).toFixed(1)}‰`,
    ).join('; ');
  },
};
