// Recipe `refined-schedules` (paper 37): constant, 1/√t, cosine and linear-decay schedules, each tuned, and the refined schedule from the linear run's gradient norms.
import { Generator, manualSeed } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { tidy } from '../core/tensor.js';
import { permutation } from '../data/random.js';
import { Linear } from '../nn/linear.js';
import { add, div, mul, sub } from '../ops/elementwise.js';
import { crossEntropy } from '../ops/losses.js';
import { mean, std, sum } from '../ops/reduce.js';
import { indexSelect } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';
import { SGD } from '../optim/sgd.js';
import { CosineAnnealingLR } from '../optim/schedules/cosine.js';
import { LambdaLR } from '../optim/schedules/lambda.js';
import { LinearLR } from '../optim/schedules/linear.js';
import { refinedSchedule } from '../optim/schedules/refined.js';
import type { Schedule } from '../optim/schedules/base.js';
import { imageData } from './common/images.js';
import { forEachSeed } from './framework/seeds.js';
import { describe } from './framework/stats.js';
import type { RecipeDef } from './framework/types.js';

const BATCH = 16;
const TAU = 0.1;
const SCHEDULES = ['constant', 'invSqrt', 'cosine', 'linear', 'refined'] as const;
type Sched = (typeof SCHEDULES)[number];
const FULL = { steps: 2000, lrs: [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30], nvals: 10_000 };
const QUICK = { steps: 100, lrs: [0.1, 0.3], nvals: 1000 };

/** Paper 37 (Defazio et al. 2023): linear decay is a strong default; refinement from gradient norms improves it. */
export const refinedSchedulesRecipe: RecipeDef = {
  name: 'refined-schedules',
  paper: '37',
  claim: {
    text: "Linear decay η_t ∝ 1 − t/T matches or beats cosine and other common schedules (last-iterate analysis); refining the schedule from a previous run's gradient norms improves it further and automatically produces warm-up and fast final annealing.",
    source:
      'abstract of Defazio, Cutkosky, Mehta & Mishchenko, arXiv 2310.07831, via the research notes (paper 37)',
  },
  paperReported: [
    {
      quantity: 'linear decay vs cosine and other defaults',
      value: 'matches or outperforms',
      unit: '',
      setting: '10 deep-learning problems, LLMs, logistic regression',
      source: 'abstract',
      ours: 'linear-vs-cosine',
    },
    {
      quantity: 'refined vs linear decay',
      value: 'further improvement',
      unit: '',
      setting: 'same problems',
      source: 'abstract',
      ours: 'refined-vs-linear',
    },
  ],
  protocol: {
    data: 'The embedded 8×8 digits (the UCI/sklearn digits), training split, features standardised (per-feature mean 0, std 1).',
    model:
      'Multinomial logistic regression (Linear 64→10), float64, trained on the L2-regularised objective mean cross-entropy + (λ/2)·‖W‖², λ = 1/n (n training examples; the weight matrix only, not the bias: sklearn LogisticRegression(C = 1)).',
    procedure: `SGD batch ${BATCH} (seeded order), T = ${FULL.steps} steps; schedules constant, 1/√(t+1), cosine (CosineAnnealingLR to 0), linear decay (LinearLR 1 → 0), each with base lr tuned over {${FULL.lrs.join(', ')}} on the final-iterate full-training-set objective. The ℓ₂ gradient norm of every step of the best linear-decay run feeds gl.optim.refinedSchedule (τ = ${TAU}, ${FULL.nvals} interpolation points, weights G⁻²); the refined schedule is re-tuned over the same grid. How the grid was chosen: the notes' grid {0.01, …, 1} widened upward in half-decade steps until every schedule's best lr was interior in a calibration run (seed 0, T = 2000: best lr constant 0.3, 1/√t 3, cosine 1, linear 1, refined 1); the assertion lr-grid-interior keeps that true for every seed. Quick: T = ${QUICK.steps}, lr ∈ {${QUICK.lrs.join(', ')}}.`,
    scaled:
      'As the notes (T = 2000, 3 seeds, grid from 0.01), with two changes. (1) An L2 term λ = 1/n: the standardised digits training set is linearly separable, so the unregularised final training loss falls towards 0 as the lr grows (a first run with grid {0.03, …, 1} had every schedule at lr = 1, its top; with the grid up to 100 the losses reach 0 in float64 and the gradient norms vanish); the regularised objective has a finite minimiser, so the tuned lr is interior. (2) The grid is widened upward to 30 (see procedure). The optional FMNIST MLP repeat is not run.',
    budgetSeconds: { full: 600, quick: 20 },
  },
  checklist: [
    { kind: 'arm', item: 'per-step ℓ₂ gradient norms logged', built: true },
    {
      kind: 'arm',
      item: 'ℓ₁ gradient norms (Adam-type)',
      built: false,
      reason: 'SGD only here; refinedSchedule supports norm: "l1" (weights G⁻¹) and is tested',
    },
    { kind: 'arm', item: 'constant, 1/√t, cosine and linear each tuned', built: true },
    { kind: 'arm', item: 'refined schedule (median filter τ = 0.1), re-tuned', built: true },
    {
      kind: 'assertion',
      item: 'tuned linear ≤ 1.005 × cosine and ≥ 2 % better than constant and 1/√t',
      built: true,
    },
    { kind: 'assertion', item: 'refined ≤ 1.01 × linear; warm-up and annealing shape', built: true },
    {
      kind: 'control',
      item: 'optional FMNIST MLP repeat',
      built: false,
      reason: 'optional in the notes; time budget',
    },
  ],
  seeds: { full: 3, quick: 1 },
  async run({ quick, seeds, log }) {
    const cfg = quick ? QUICK : FULL;
    const data = imageData({ policy: ['embedded'], nTrain: 100_000, nTest: 1 });
    const x0 = data.train.x.reshape([data.train.x.shape[0], -1]).to('float64');
    const x = noGrad(() => {
      const mu = mean(x0, 0, true);
      const sd = std(x0, 0, { keepdim: true })
        .dataSync()
        .map((v) => (v > 1e-8 ? v : 1));
      return div(sub(x0, mu), tensor(Float64Array.from(sd)).reshape([1, -1])).contiguous();
    });
    const y = data.train.y;
    const n = x.shape[0];
    const lambda = 1 / n;
    /** The objective: mean cross-entropy + (λ/2)·‖W‖² on the weight matrix (not the bias), as sklearn's LogisticRegression(C = 1). */
    const objective = (model: Linear, xb: typeof x, yb: typeof y) =>
      add(crossEntropy(model.forward(xb), yb), mul(sum(mul(model.weight, model.weight)), lambda / 2));
    const details: Record<string, number[]> = {};
    const perSeed = await forEachSeed(seeds, (s) => {
      const rec: Record<string, number> = {};
      const order = (() => {
        const gen = new Generator(300 + s);
        const out: number[] = [];
        while (out.length < cfg.steps * BATCH) out.push(...permutation(n, gen));
        return out;
      })();
      let refinedFactors: number[] = [];
      /** Trains with schedule `kind` at base lr; returns the final full training loss and the per-step ℓ₂ gradient norms. */
      const train = (kind: Sched, lr: number): { loss: number; norms: number[] } => {
        manualSeed(s);
        const model = new Linear(x.shape[1], 10, { dtype: 'float64' });
        const opt = new SGD(model.parameters(), { lr });
        const T = cfg.steps;
        const sched: Schedule =
          kind === 'constant'
            ? new LambdaLR(opt, () => 1)
            : kind === 'invSqrt'
              ? new LambdaLR(opt, (t) => 1 / Math.sqrt(t + 1))
              : kind === 'cosine'
                ? new CosineAnnealingLR(opt, T)
                : kind === 'linear'
                  ? new LinearLR(opt, { startFactor: 1, endFactor: 0, totalIters: T })
                  : new LambdaLR(opt, (t) => refinedFactors[Math.min(t, T - 1)]);
        const norms: number[] = [];
        for (let t = 0; t < T; t++)
          tidy(() => {
            const idx = tensor(order.slice(t * BATCH, (t + 1) * BATCH), { dtype: 'int32' });
            opt.zeroGrad();
            objective(model, indexSelect(x, 0, idx), indexSelect(y, 0, idx)).backward();
            let sq = 0;
            for (const p of model.parameters()) for (const v of p.grad!.dataSync()) sq += v * v;
            norms.push(Math.sqrt(sq));
            opt.step();
            sched.step();
          });
        const loss = noGrad(() => tidy(() => objective(model, x, y).item()));
        return { loss: Number.isFinite(loss) ? loss : 1e9, norms };
      };
      let bestLinearNorms: number[] = [];
      for (const kind of SCHEDULES) {
        if (kind === 'refined') {
          refinedFactors = refinedSchedule(bestLinearNorms, { tau: TAU, nvals: cfg.nvals });
          const med = [...bestLinearNorms].sort((a, b) => a - b)[Math.floor(bestLinearNorms.length / 2)];
          const head = Math.max(1, Math.floor(bestLinearNorms.length / 100));
          rec['G.startOverMedian'] = bestLinearNorms.slice(0, head).reduce((a, b) => a + b, 0) / head / med;
          rec['refined.f0'] = refinedFactors[0];
          rec['refined.f0IfWarm'] = rec['G.startOverMedian'] > 1.4 ? refinedFactors[0] : 0;
          rec['refined.last'] = refinedFactors[refinedFactors.length - 1];
          const tail = refinedFactors.slice(Math.floor(0.9 * refinedFactors.length));
          rec['refined.tailMean'] = tail.reduce((a, b) => a + b, 0) / tail.length;
          rec['refined.argmaxFrac'] =
            refinedFactors.indexOf(Math.max(...refinedFactors)) / refinedFactors.length;
          details[`seed${s}.refinedFactors`] = refinedFactors.filter(
            (_, i) => i % Math.max(1, Math.floor(cfg.steps / 100)) === 0,
          );
        }
        let best = Infinity;
        let bestLr = NaN;
        const byLr: number[] = [];
        for (const lr of cfg.lrs) {
          const r = train(kind, lr);
          byLr.push(r.loss);
          if (r.loss < best) {
            best = r.loss;
            bestLr = lr;
            if (kind === 'linear') bestLinearNorms = r.norms;
          }
        }
        details[`seed${s}.lossByLr.${kind}`] = byLr;
        rec[`loss.${kind}`] = best;
        rec[`lr.${kind}`] = bestLr;
        log?.(
          `seed ${s} ${kind}: best final objective ${best.toFixed(5)} at lr ${bestLr} (by lr: ${byLr.map((v) => v.toPrecision(4)).join(', ')})`,
        );
      }
      details[`seed${s}.linearGradNorms`] = bestLinearNorms.filter(
        (_, i) => i % Math.max(1, Math.floor(cfg.steps / 100)) === 0,
      );
      rec['lr.edgeCount'] = SCHEDULES.filter(
        (k) => rec[`lr.${k}`] === cfg.lrs[0] || rec[`lr.${k}`] === cfg.lrs[cfg.lrs.length - 1],
      ).length;
      rec['ratio.linearOverCosine'] = rec['loss.linear'] / rec['loss.cosine'];
      rec['ratio.linearOverConstant'] = rec['loss.linear'] / rec['loss.constant'];
      rec['ratio.linearOverInvSqrt'] = rec['loss.linear'] / rec['loss.invSqrt'];
      rec['ratio.refinedOverLinear'] = rec['loss.refined'] / rec['loss.linear'];
      return rec;
    });
    return {
      perSeed,
      details: { ...details, schedules: [...SCHEDULES], lrs: [...cfg.lrs] },
      data: [data.provenance],
    };
  },
  assertions: [
    {
      id: 'refined-anneals-to-zero',
      description: 'refined schedule factor at the last step (η_{T−1} = 0)',
      values: (m) => m['refined.last'],
      compare: '<=',
      threshold: 1e-12,
      thresholdSource:
        'the closed form (official find_closed_form_schedule: tail sum after T−1 is empty, so exactly 0); 1e-12 rather than 0 because with 3 or more seeds a zero-spread interval [0, 0] would contain a threshold of 0 and read uncertain',
      kind: 'mechanism',
    },
    {
      id: 'refined-tail',
      description: 'mean refined factor over the last 10 % of steps (fast final annealing)',
      values: (m) => m['refined.tailMean'],
      compare: '<=',
      threshold: 0.2,
      thresholdSource: 'research notes 37 ("η falling below 0.2·max over the last 10 % of steps", [guess])',
      kind: 'mechanism',
    },
    {
      id: 'refined-warmup',
      description:
        'refined factor at t = 0 when the first 1 % of gradient norms exceed 1.4 × their median (else 0)',
      values: (m) => m['refined.f0IfWarm'],
      compare: '<=',
      threshold: 0.5,
      thresholdSource:
        'research notes 37 ("if G at the start exceeds the median of G by > 1.4×, η_refined(0) ≤ 0.5·max η", [guess])',
      kind: 'mechanism',
    },
    {
      id: 'lr-grid-interior',
      description:
        'protocol check: schedules (of 5) whose tuned base lr is the smallest or largest value of the grid (a tuned lr at an edge means the grid did not bracket the optimum)',
      values: (m) => m['lr.edgeCount'],
      compare: '<=',
      threshold: 0.5,
      thresholdSource:
        'the protocol (research notes 37: "each with base lr tuned"; a best lr at the grid edge is not tuned): no schedule at an edge — the count is an integer, 0.5 so that a zero-spread interval [0, 0] does not read uncertain; judged in full runs only, as the quick grid has two values',
      kind: 'outcome',
    },
    {
      id: 'linear-vs-cosine',
      description: 'tuned final loss, linear / cosine',
      values: (m) => m['ratio.linearOverCosine'],
      compare: '<=',
      threshold: 1.005,
      thresholdSource: 'research notes 37 ("best-tuned linear ≤ 1.005 × best-tuned cosine", [guess])',
      kind: 'outcome',
    },
    {
      id: 'linear-vs-constant',
      description: 'tuned final loss, linear / constant',
      values: (m) => m['ratio.linearOverConstant'],
      compare: '<=',
      threshold: 0.98,
      thresholdSource: 'research notes 37 ("≥ 2 % lower than best-tuned constant", [guess])',
      kind: 'outcome',
    },
    {
      id: 'linear-vs-invsqrt',
      description: 'tuned final loss, linear / (1/√t)',
      values: (m) => m['ratio.linearOverInvSqrt'],
      compare: '<=',
      threshold: 0.98,
      thresholdSource: 'research notes 37 ("≥ 2 % lower than … 1/√t", [guess])',
      kind: 'outcome',
    },
    {
      id: 'refined-vs-linear',
      description: 'tuned final loss, refined / linear',
      values: (m) => m['ratio.refinedOverLinear'],
      compare: '<=',
      threshold: 1.01,
      thresholdSource: 'research notes 37 ("refined ≤ 1.01 × linear", [guess])',
      kind: 'outcome',
    },
  ],
  figures: [
    {
      id: 'refined-schedule',
      title: "Refined lr factor and the linear run's gradient norm (seed 0, every T/100 steps)",
      make: (m) => {
        const f = (m.details['seed0.refinedFactors'] as number[]) ?? [];
        const g = (m.details['seed0.linearGradNorms'] as number[]) ?? [];
        const top = Math.max(...g, 1e-12);
        return {
          type: 'line',
          xLabel: 'step (×T/100)',
          yLabel: 'factor / normalised ‖g‖',
          x: f.map((_, i) => i),
          series: [
            { name: 'refined factor', y: f },
            { name: '‖g_t‖ / max (linear run)', y: g.map((v) => v / top) },
          ],
        };
      },
    },
  ],
  summarize: (m) => {
    const v = (k: string) => describe(m.perSeed[k]).mean;
    return `tuned final objective (cross-entropy + L2): constant ${v('loss.constant').toFixed(4)}, 1/√t ${v('loss.invSqrt').toFixed(4)}, cosine ${v('loss.cosine').toFixed(4)}, linear ${v('loss.linear').toFixed(4)}, refined ${v('loss.refined').toFixed(4)}; refined factor at t=0 ${v('refined.f0').toFixed(2)} (G start/median ${v('G.startOverMedian').toFixed(2)})`;
  },
};
