// Recipe `information-plane` (paper 38): I(X;T), I(T;Y) per layer on the 12-bit task, tanh vs ReLU, and per-layer gradient SNR.
import { manualSeed, type Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { permutation } from '../data/random.js';
import { crossEntropy } from '../ops/losses.js';
import { softmax } from '../ops/nn.js';
import { tensor } from '../ops/tensor-like.js';
import { Linear } from '../nn/linear.js';
import { normal, constant } from '../nn/init.js';
import { Adam } from '../optim/adam.js';
import { entropyBits, gradientSnr, infoPoint, logSpacedEpochs } from '../lab/info/mi.js';
import { twelveBitTask } from '../lab/info/twelve-bit.js';
import { forEachSeed } from './framework/seeds.js';
import { describe } from './framework/stats.js';
import type { Json, RecipeDef } from './framework/types.js';

const SIZES = [12, 10, 7, 5, 4, 3, 2];
const BATCH = 512;
const LR = 4e-4;
const BINS = 30;
type Arm = 'tanh' | 'relu';

interface Trajectory {
  epochs: number[];
  /** [layer][capture] */
  ixt: number[][];
  ity: number[][];
  snr: number[][];
}

function makeNet(arm: Arm): Linear[] {
  const layers: Linear[] = [];
  for (let i = 0; i + 1 < SIZES.length; i++) {
    const l = new Linear(SIZES[i], SIZES[i + 1]);
    // tanh: the paper's N(0, 1/fan_in), biases 0; ReLU: He N(0, 2/fan_in) and biases 0.1 (3-unit ReLU layers die otherwise)
    normal(l.weight, 0, (arm === 'tanh' ? 1 : Math.SQRT2) / Math.sqrt(SIZES[i]));
    constant(l.bias!, arm === 'tanh' ? 0 : 0.1);
    layers.push(l);
  }
  return layers;
}

/** Hidden activations after each nonlinearity, then the softmax output. */
function forwardAll(layers: Linear[], x: Tensor, arm: Arm): { logits: Tensor; acts: Tensor[] } {
  const acts: Tensor[] = [];
  let h = x;
  layers.forEach((l, i) => {
    h = l.forward(h) as Tensor;
    if (i + 1 < layers.length) {
      h = arm === 'tanh' ? h.tanh() : h.relu();
      acts.push(h);
    }
  });
  acts.push(softmax(h, -1));
  return { logits: h, acts };
}

async function trainArm(
  arm: Arm,
  task: ReturnType<typeof twelveBitTask>,
  trainIdx: number[],
  testIdx: number[],
  epochs: number,
  captures: number[],
  gen: Generator,
): Promise<{ traj: Trajectory; trainAcc: number; testAcc: number }> {
  const layers = makeNet(arm);
  const params = layers.flatMap((l) => l.parameters());
  const opt = new Adam(params, { lr: LR });
  const xAll = tensor(new Float32Array(task.x), { shape: [task.rows, task.cols] });
  const labels = Array.from(task.y);
  const capture = new Set(captures);
  const traj: Trajectory = {
    epochs: [],
    ixt: SIZES.slice(1).map(() => []),
    ity: SIZES.slice(1).map(() => []),
    snr: layers.map(() => []),
  };
  const batchOf = (idx: number[]) => {
    const xb = new Float32Array(idx.length * 12);
    idx.forEach((r, k) => xb.set(task.x.subarray(r * 12, r * 12 + 12), k * 12));
    return {
      x: tensor(xb, { shape: [idx.length, 12] }),
      y: tensor(new Int32Array(idx.map((r) => task.y[r]))),
    };
  };
  for (let e = 1; e <= epochs; e++) {
    const order = Array.from(permutation(trainIdx.length, gen), (k) => trainIdx[k]);
    const grads: Float64Array[][] = layers.map(() => []);
    for (let s = 0; s < order.length; s += BATCH) {
      const b = batchOf(order.slice(s, s + BATCH));
      opt.zeroGrad();
      crossEntropy(forwardAll(layers, b.x, arm).logits, b.y).backward();
      if (capture.has(e))
        for (let i = 0; i < layers.length; i++)
          grads[i].push(Float64Array.from((await layers[i].weight.grad!.data()) as ArrayLike<number>));
      opt.step();
    }
    if (capture.has(e)) {
      traj.epochs.push(e);
      const acts = noGrad(() => forwardAll(layers, xAll, arm).acts);
      for (let i = 0; i < acts.length; i++) {
        const v = (await acts[i].data()) as ArrayLike<number>;
        const p = infoPoint(v, task.rows, acts[i].shape[1], labels, {
          bins: BINS,
          range: arm === 'tanh' ? [-1, 1] : 'max',
        });
        traj.ixt[i].push(p.ixt);
        traj.ity[i].push(p.ity);
      }
      for (let i = 0; i < layers.length; i++) traj.snr[i].push(gradientSnr(grads[i]).snr);
    }
  }
  const acc = async (idx: number[]) => {
    const out = noGrad(() => forwardAll(layers, batchOf(idx).x, arm).logits);
    const v = (await out.data()) as ArrayLike<number>;
    let ok = 0;
    idx.forEach((r, k) => (ok += (v[2 * k + 1] > v[2 * k] ? 1 : 0) === task.y[r] ? 1 : 0));
    return ok / idx.length;
  };
  return { traj, trainAcc: await acc(trainIdx), testAcc: await acc(testIdx) };
}

const last = (a: number[]): number => a[a.length - 1];
const maxOf = (a: number[]): number => Math.max(...a);

/** Shwartz-Ziv & Tishby 2017: the information plane of a tanh net, with the ReLU control of Saxe et al. 2018. */
export const informationPlaneRecipe: RecipeDef = {
  name: 'information-plane',
  paper: '38',
  claim: {
    text: 'Most of the training epochs in standard DL are spent on compression of the input to efficient representation and not on fitting the training labels; the compression phase begins when the training errors becomes small and the stochastic gradient decent epochs change from a fast drift to smaller training error into a stochastic relaxation, or random diffusion.',
    source:
      'Shwartz-Ziv & Tishby 2017, "Opening the Black Box of Deep Neural Networks via Information", arXiv 1703.00810, abstract (as quoted in the research notes, not checked against the paper here); disputed for ReLU by Saxe et al., ICLR 2018',
  },
  paperReported: [
    {
      quantity: 'compression of I(X;T) in the last hidden layers (tanh)',
      value: 'most epochs',
      unit: '',
      setting: '12-10-7-5-4-3-2 tanh, 12-bit task, 30 bins',
      source: 'abstract and Fig. 3 (from the notes, unchecked)',
      ours: 'tanh-compression',
    },
  ],
  protocol: {
    data: "The 12-bit task: all 4096 binary patterns, label y = [|Σ_j x_j e^{2πij/12}|² + popcount(x)/2 ≥ 5.5] (gl.lab.info.twelveBitTask, rotation-invariant, p(y = 1) = 0.501), standing in for the paper's var_u.mat; 80/20 train/test split per seed.",
    model:
      "MLP 12-10-7-5-4-3-2, tanh (arm 1) or ReLU (arm 2) hidden layers, softmax output; weights N(0, 1/fan_in) (the paper's code truncates the normal), biases 0.",
    procedure: `Adam lr ${LR}, batch ${BATCH}, cross-entropy; 800 epochs (quick 100). At 40 (quick 10) log-spaced epochs (gl.lab.info.logSpacedEpochs) every layer's activations on all 4096 inputs are binned into ${BINS} equal bins (tanh: [−1, 1]; ReLU: [0, max of the layer at that epoch]; the softmax output layer likewise) and hashed into T; I(X;T) = H(T), I(T;Y) = H(T) + H(Y) − H(T,Y) (gl.lab.info.infoPoint). In those epochs the per-layer weight-gradient SNR ‖mean‖/‖sd‖ over the epoch's minibatches is recorded (gl.lab.info.gradientSnr).`,
    scaled:
      '3000 epochs instead of up to 8000; 60 analysed epochs instead of ~400; one label rule of our own instead of var_u.mat.',
    budgetSeconds: { full: 600, quick: 20 },
  },
  checklist: [
    { kind: 'data', item: 'the 12-bit task with a documented label rule', built: true },
    { kind: 'arm', item: 'tanh', built: true },
    { kind: 'control', item: 'ReLU binned over [0, max], no compression asserted', built: true },
    { kind: 'assertion', item: 'I(X;T)/I(T;Y) trajectories per layer at log-spaced epochs', built: true },
    { kind: 'assertion', item: 'per-layer gradient SNR', built: true },
  ],
  seeds: { full: 2, quick: 1 },
  async run({ quick, seeds, log }) {
    const epochs = quick ? 100 : 800;
    const captures = logSpacedEpochs(epochs, quick ? 10 : 40);
    const task = twelveBitTask();
    const hy = entropyBits([
      task.y.reduce((a, b) => a + b, 0),
      task.rows - task.y.reduce((a, b) => a + b, 0),
    ]);
    const trajectories: Record<string, Json> = {};
    const perSeed = await forEachSeed(seeds, async (s) => {
      const perm = Array.from(permutation(task.rows, manualSeed(s)));
      const nTrain = Math.round(0.8 * task.rows);
      const trainIdx = perm.slice(0, nTrain);
      const testIdx = perm.slice(nTrain);
      const out: Record<string, number> = {};
      for (const arm of ['tanh', 'relu'] as const) {
        const gen = manualSeed(s * 1000 + (arm === 'tanh' ? 1 : 2));
        const r = await trainArm(arm, task, trainIdx, testIdx, epochs, captures, gen);
        // the last two hidden layers: sizes 4 and 3 (layer indices 3 and 4)
        const lastTwo = [3, 4];
        const compression = lastTwo.map((i) => maxOf(r.traj.ixt[i]) - last(r.traj.ixt[i]));
        out[`${arm}.compressionMin`] = Math.min(...compression);
        out[`${arm}.compressionMax`] = Math.max(...compression);
        out[`${arm}.ityFracMin`] = Math.min(...lastTwo.map((i) => last(r.traj.ity[i]) / hy));
        // the estimator's invariants at every analysed epoch and layer: I(T;Y) ≤ min(I(X;T), H(Y)), I(X;T) ≤ log2 4096
        let violations = 0;
        r.traj.ixt.forEach((row, i) =>
          row.forEach((ixt, k) => {
            const ity = r.traj.ity[i][k];
            if (ity > Math.min(ixt, hy) + 1e-9 || ixt > 12 + 1e-9 || ity < 0) violations++;
          }),
        );
        out[`${arm}.violations`] = violations;
        out[`${arm}.trainAcc`] = r.trainAcc;
        out[`${arm}.testAcc`] = r.testAcc;
        const snr = r.traj.snr[r.traj.snr.length - 1];
        const early = snr.slice(0, Math.max(1, Math.floor(snr.length / 3)));
        out[`${arm}.snrDrop`] = last(snr) / maxOf(early);
        if (s === seeds[0]) trajectories[arm] = r.traj as unknown as Json;
        log?.(
          `seed ${s} ${arm}: train ${r.trainAcc.toFixed(3)} test ${r.testAcc.toFixed(3)}; last two hidden layers: I(X;T) max − final ${compression.map((c) => c.toFixed(2)).join('/')} bits, final I(T;Y)/H(Y) ${lastTwo.map((i) => (last(r.traj.ity[i]) / hy).toFixed(2)).join('/')}; output-layer SNR final/early peak ${out[`${arm}.snrDrop`].toFixed(3)}`,
        );
      }
      return out;
    });
    return {
      perSeed,
      details: { epochs, captures, hY: hy, bins: BINS, trajectoriesSeed0: trajectories },
      data: [],
    };
  },
  assertions: [
    {
      id: 'estimator-bounds',
      description:
        'analysed points (both arms, every layer and epoch) breaking I(T;Y) ≤ min(I(X;T), H(Y)) or I(X;T) ≤ 12 bits: < 1',
      values: (m) => m['tanh.violations'].map((v, i) => v + m['relu.violations'][i]),
      compare: '<=',
      threshold: 0.5,
      thresholdSource:
        'the data-processing inequality and log2 4096 = 12 (exact bounds of the binned estimator); 0.5 = none',
      kind: 'mechanism',
    },
    {
      id: 'tanh-compression',
      description:
        'tanh: I(X;T) max over epochs − final, bits, the smaller of the last two hidden layers: ≥ 0.5',
      values: (m) => m['tanh.compressionMin'],
      compare: '>=',
      threshold: 0.5,
      thresholdSource:
        'research notes on paper 38, small-scale reproduction ("final I(X;T) ≤ max_t I(X;T) − 0.5 bit", marked [guess thresholds]; not recalibrated)',
      kind: 'outcome',
    },
    {
      id: 'tanh-fit',
      description: 'tanh: final I(T;Y) / H(Y), the smaller of the last two hidden layers: ≥ 0.8',
      values: (m) => m['tanh.ityFracMin'],
      compare: '>=',
      threshold: 0.8,
      thresholdSource: 'research notes on paper 38 ("final I(T;Y) ≥ 0.8 × H(Y)", [guess thresholds])',
      kind: 'outcome',
    },
    {
      id: 'relu-no-compression',
      description:
        'ReLU control ([0, max] bins): I(X;T) max − final, bits, the larger of the last two hidden layers: ≤ 0.1',
      values: (m) => m['relu.compressionMax'],
      compare: '<=',
      threshold: 0.1,
      thresholdSource:
        'research notes on paper 38 (Saxe et al. 2018: ReLU nets do not compress; "final I(X;T) ≥ max_t I(X;T) − 0.1 bit", [guess thresholds])',
      kind: 'outcome',
    },
    {
      id: 'tanh-snr-drop',
      description:
        'tanh: output layer weight-gradient SNR, final / largest in the first third of the analysed epochs: ≤ 0.5',
      values: (m) => m['tanh.snrDrop'],
      compare: '<=',
      threshold: 0.5,
      thresholdSource:
        "the paper's claim (ii), drift (high SNR) then diffusion (low SNR); a factor-2 drop set before any run (the notes give no number)",
      kind: 'outcome',
    },
  ],
  figures: (['tanh', 'relu'] as const).map((arm) => ({
    id: `ixt-${arm}`,
    title: `I(X;T) per layer vs epoch, ${arm} (seed 0, bits)`,
    make: (m: { details: { [k: string]: Json } }) => {
      const t = ((m.details.trajectoriesSeed0 as Record<string, Json> | undefined)?.[arm] ??
        null) as unknown as Trajectory | null;
      return {
        type: 'line' as const,
        xLabel: 'epoch',
        yLabel: 'I(X;T), bits',
        x: t?.epochs ?? [],
        logX: true,
        series: (t?.ixt ?? []).map((y, i) => ({
          name: i + 1 < SIZES.length - 1 ? `hidden ${i + 1} (${SIZES[i + 1]})` : 'output',
          y,
        })),
      };
    },
  })),
  summarize: (m) => {
    const mean = (k: string) => describe(m.perSeed[k]).mean;
    return `tanh: compression of the last two hidden layers ${mean('tanh.compressionMin').toFixed(2)}–${mean('tanh.compressionMax').toFixed(2)} bits, final I(T;Y)/H(Y) ≥ ${mean('tanh.ityFracMin').toFixed(2)}, test acc ${mean('tanh.testAcc').toFixed(3)}, output SNR final/early ${mean('tanh.snrDrop').toFixed(2)}; ReLU: compression ≤ ${mean('relu.compressionMax').toFixed(2)} bits, test acc ${mean('relu.testAcc').toFixed(3)}`;
  },
};
