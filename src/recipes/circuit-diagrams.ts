// Recipe `circuit-diagrams` (paper 14): the diagrams' cost model on measured tapes — FLOP ratios, saved bytes vs depth, batch and sequence length.
import { manualSeed } from '../core/random/generator.js';
import { savedResiduals } from '../core/inspect.js';
import type { Tensor } from '../core/tensor.js';
import { randn } from '../ops/creation.js';
import { matmul } from '../ops/matmul.js';
import { mul } from '../ops/elementwise.js';
import { softmax } from '../ops/nn.js';
import { transpose } from '../ops/shape.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { MultiheadAttention } from '../nn/attention.js';
import { diagram, type Diagram } from '../lab/diagram/index.js';
import { wireLabel } from '../lab/diagram/table.js';
import { forEachSeed } from './framework/seeds.js';
import { describe } from './framework/stats.js';
import { interleavedTimes, ratioSpread } from './framework/timer.js';
import type { Json, RecipeDef } from './framework/types.js';
import { ratio } from './util.js';

const DEPTHS = [2, 4, 8, 16];
const BATCHES = [16, 32, 64, 128];
const SEQS = [128, 256, 512, 1024];
const WIDTH = 256;
const BATCH = 64;
const D_HEAD = 32;

function mlp(depth: number, width: number): Sequential {
  const mods = [];
  for (let i = 0; i < depth; i++) mods.push(new Linear(width, width), new ReLU());
  return new Sequential(...mods);
}

/** Scaled dot-product attention of one head: softmax(q·kᵀ/√d)·v. */
function attention(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const d = q.shape[q.shape.length - 1];
  return matmul(softmax(matmul(mul(q, 1 / Math.sqrt(d)), transpose(k, -2, -1)), -1), v);
}

/** Least-squares R² of y against x. */
function rSquared(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
}

/** |diagram total − gl.savedResiduals total| of the same forward. */
function residualMismatch(d: Diagram, fn: () => Tensor): number {
  return Math.abs(d.totals.savedBytes - savedResiduals(fn).totalBytes);
}

/** Ops whose SVG box is missing, or whose drawn input wires lack their traced shape label. */
function svgMismatches(d: Diagram): number {
  const svg = d.toSVG();
  const boxes = d.ops.filter((o) => !o.folded);
  let bad = Math.abs((svg.match(/<g class="op"/g) ?? []).length - boxes.length);
  for (const o of boxes)
    for (const x of o.inputs)
      if ((x.from.kind === 'input' || x.label === '') && !svg.includes(wireLabel(x.shape, x.axes))) bad++;
  return bad;
}

/** Neural circuit diagrams (Abbott, TMLR 2024): the diagrams' time and space analysis, read off the tape. */
export const circuitDiagramsRecipe: RecipeDef = {
  name: 'circuit-diagrams',
  paper: '14',
  claim: {
    text: 'Neural circuit diagrams [...] facilitate the analysis of backpropagation [and] time and space complexity [of deep learning architectures].',
    source:
      'Abbott, "Robust Diagrams for the Communication, Implementation, and Analysis of Deep Learning Architectures", TMLR 2024 (arXiv 2402.05424), abstract, paraphrased from the research notes (not checked against the paper here); the cost model asserted is the standard one the notes list: a contraction costs the product of its axes, backward one contraction per input needing a gradient, attention keeps the n×n probabilities',
  },
  paperReported: [
    {
      quantity: 'backward / forward FLOPs of a linear layer whose input and weight need gradients',
      value: 2,
      unit: '×',
      setting: 'any contraction (dX = dY·Wᵀ, dW = Xᵀ·dY)',
      source:
        'research notes on paper 14, "Cost model" (standard facts the complexity section builds on; unverified against §4)',
      ours: 'hidden-ratio-min',
    },
    {
      quantity: 'attention saved bytes when n doubles',
      value: '4 (n² terms)',
      unit: '×',
      setting: 'single head; O(n²·h) saved',
      source: 'research notes on paper 14, "Cost model" (unverified against the paper)',
      ours: 'attn-saved-ratio-low',
    },
  ],
  protocol: {
    data: 'Gaussian inputs (seeded); nothing is trained: the measurements are read from traced forwards.',
    model: `MLPs of L Linear(${WIDTH}, ${WIDTH}) + ReLU layers, L ∈ {${DEPTHS.join(', ')}}, batch ${BATCH} (batches ${BATCHES.join(', ')} at L = 8); single-head scaled dot-product attention softmax(q·kᵀ/√d)·v with d = ${D_HEAD} on q, k, v needing gradients, n ∈ {${SEQS.join(', ')}}; a 2-layer MLP and a 2-head MultiheadAttention for the drawing check; a 1024 × 1024 by 1024 × 1024 matmul for the timing sanity check (quick: 512, not judged).`,
    procedure:
      "Per seed: gl.lab.diagram traces each model once (inputs need no gradient for the MLPs, as in training; q, k, v do, as inside a network) and gives per-op forward/backward FLOPs (backward only for inputs needing gradients) and saved bytes from the tape (each storage once). Checks: each hidden layer's backward/forward FLOP ratio, the first layer's; R² of saved bytes against depth and against batch; attention saved bytes and forward FLOPs ratio for the last doubling of n, and the saved bytes against the space formula 4·(n² + 3nd) + 4 B (the n×n probabilities kept once though softmax and the second matmul both save them, q/√d, k, v, the scale); the per-op saved bytes against gl.savedResiduals of the same forward; the SVG has one box per drawn op and every drawn wire's traced shape as its label. Timing sanity (notes item f): backward/forward wall time of the matmul, 1 warm-up, 5 interleaved repetitions (quick 3), median of per-repetition ratios (step − forward)/forward.",
    scaled:
      'The notes ask for n ∈ {32, 64, 128} with d = 32, but there the n·d terms are as large as the n² ones (the space formula 4(n² + 3nd) + 4 B predicts a saved-bytes ratio of 2.5 for 32 → 64 and 3.1 for 64 → 128, not ≈ 4): n runs to 1024 = 32·d so that the last doubling is n²-dominated (predicted 3.45 for 256 → 512, 3.68 for 512 → 1024); every n is reported.',
    budgetSeconds: { full: 60, quick: 10 },
  },
  checklist: [
    {
      kind: 'assertion',
      item: 'forward and backward FLOPs per op counting only inputs that need gradients',
      built: true,
    },
    { kind: 'assertion', item: 'saved bytes linear in depth', built: true },
    {
      kind: 'assertion',
      item: 'attention saved bytes when sequence length doubles (after softmax saves once)',
      built: true,
    },
  ],
  seeds: { full: 3, quick: 1 },
  async run({ quick, seeds, log }) {
    const seqs = SEQS;
    const timingN = quick ? 512 : 1024;
    const reps = quick ? 3 : 5;
    const perLayer: Json[] = [];
    const perSeed = await forEachSeed(seeds, (s) => {
      manualSeed(s);
      const out: Record<string, number> = {};
      let mismatch = 0;
      // (a) FLOP ratios per Linear layer, and (b) saved bytes vs depth
      const depthBytes: number[] = [];
      for (const L of DEPTHS) {
        const net = mlp(L, WIDTH);
        const x = randn([BATCH, WIDTH]);
        const d = diagram(net, [x], { axisNames: [['batch', 'feature']] });
        mismatch += residualMismatch(d, () => net.forward(x) as Tensor);
        depthBytes.push(d.totals.savedBytes);
        out[`saved.depth.${L}`] = d.totals.savedBytes;
        if (L === DEPTHS[DEPTHS.length - 1]) {
          const layers = d.ops.filter((o) => o.flops.kind === 'contraction');
          const ratios = layers.map((o) => o.flops.backward! / o.flops.forward!);
          out.firstRatio = ratios[0];
          out.hiddenRatioMin = Math.min(...ratios.slice(1));
          out.hiddenRatioMax = Math.max(...ratios.slice(1));
          if (s === seeds[0]) perLayer.push(...ratios);
        }
      }
      out.depthR2 = rSquared(DEPTHS, depthBytes);
      const batchBytes: number[] = [];
      const net8 = mlp(8, WIDTH);
      for (const B of BATCHES) {
        const x = randn([B, WIDTH]);
        const d = diagram(net8, [x]);
        mismatch += residualMismatch(d, () => net8.forward(x) as Tensor);
        batchBytes.push(d.totals.savedBytes);
        out[`saved.batch.${B}`] = d.totals.savedBytes;
      }
      out.batchR2 = rSquared(BATCHES, batchBytes);
      // (c), (d): attention saved bytes and FLOPs as n doubles
      let formulaDiff = 0;
      const attn: { saved: number; fwd: number }[] = [];
      for (const n of seqs) {
        const [q, k, v] = [0, 1, 2].map(() => randn([1, n, D_HEAD]).requiresGrad_(true));
        const d = diagram(attention, [q, k, v], {
          axisNames: [
            ['batch', 'seq', 'd'],
            ['batch', 'seq', 'd'],
            ['batch', 'seq', 'd'],
          ],
          inputNames: ['q', 'k', 'v'],
        });
        mismatch += residualMismatch(d, () => attention(q, k, v));
        formulaDiff = Math.max(
          formulaDiff,
          Math.abs(d.totals.savedBytes - (4 * (n * n + 3 * n * D_HEAD) + 4)),
        );
        attn.push({ saved: d.totals.savedBytes, fwd: d.totals.forwardFlops });
        out[`attn.saved.${n}`] = d.totals.savedBytes;
        out[`attn.fwd.${n}`] = d.totals.forwardFlops;
      }
      const last = attn.length - 1;
      out.attnSavedRatio = attn[last].saved / attn[last - 1].saved;
      out.attnFwdRatio = attn[last].fwd / attn[last - 1].fwd;
      out.attnFormulaDiff = formulaDiff;
      // (e) the drawings: a 2-layer MLP and 2-head attention
      const two = new Sequential(new Linear(16, 32), new ReLU(), new Linear(32, 4));
      const mha = new MultiheadAttention(16, 2, { batchFirst: true });
      const z = randn([2, 5, 16]);
      out.svgMismatches =
        svgMismatches(diagram(two, [randn([8, 16])], { axisNames: [['batch', 'feature']] })) +
        svgMismatches(
          diagram((t: Tensor) => (mha.forward(t, t, t) as Tensor[])[0], [z], {
            module: mha,
            axisNames: [['batch', 'seq', 'd']],
          }),
        );
      out.residualMismatch = mismatch;
      // (f) timing sanity: backward / forward wall time of one large matmul (both operands need gradients)
      const a = randn([timingN, timingN]).requiresGrad_(true);
      const b = randn([timingN, timingN]).requiresGrad_(true);
      const g = randn([timingN, timingN]);
      const t = interleavedTimes(
        {
          forward: () => matmul(a, b),
          step: () => {
            matmul(a, b).backward(g);
            a.grad = null;
            b.grad = null;
          },
        },
        { reps, warmup: 1 },
      );
      out.timeRatio = ratioSpread(t, 'step', 'forward').median - 1;
      log?.(
        `seed ${s}: first/hidden FLOP ratio ${out.firstRatio.toFixed(3)}/${out.hiddenRatioMin.toFixed(3)}–${out.hiddenRatioMax.toFixed(3)}, R² depth ${out.depthR2.toFixed(6)} batch ${out.batchR2.toFixed(6)}, attention n ${seqs[last - 1]}→${seqs[last]}: saved ×${out.attnSavedRatio.toFixed(2)}, FLOPs ×${out.attnFwdRatio.toFixed(2)}; backward/forward time ${out.timeRatio.toFixed(2)}`,
      );
      return out;
    });
    return {
      perSeed,
      details: {
        depths: DEPTHS,
        batches: BATCHES,
        seqs,
        width: WIDTH,
        batch: BATCH,
        dHead: D_HEAD,
        timingN,
        reps,
        layerRatiosSeed0: perLayer,
      },
      data: [],
    };
  },
  assertions: [
    {
      id: 'hidden-ratio-min',
      description: `backward/forward FLOPs of each hidden Linear (+ReLU) of the ${DEPTHS[DEPTHS.length - 1]}-layer MLP, smallest: ≥ 1.9`,
      values: (m) => m.hiddenRatioMin,
      compare: '>=',
      threshold: 1.9,
      thresholdSource: 'research notes on paper 14, check (a): ratio ∈ [1.9, 2.1]',
      kind: 'mechanism',
    },
    {
      id: 'hidden-ratio-max',
      description: 'backward/forward FLOPs of each hidden Linear, largest: ≤ 2.1',
      values: (m) => m.hiddenRatioMax,
      compare: '<=',
      threshold: 2.1,
      thresholdSource: 'research notes on paper 14, check (a)',
      kind: 'mechanism',
    },
    {
      id: 'first-ratio-low',
      description: 'backward/forward FLOPs of the first Linear (its input needs no gradient): ≥ 0.95',
      values: (m) => m.firstRatio,
      compare: '>=',
      threshold: 0.95,
      thresholdSource:
        'research notes on paper 14, check (a): "the first layer, with no dX needed, is ≈1.0"; ±5% set before any run',
      kind: 'mechanism',
    },
    {
      id: 'first-ratio-high',
      description: 'backward/forward FLOPs of the first Linear: ≤ 1.05',
      values: (m) => m.firstRatio,
      compare: '<=',
      threshold: 1.05,
      thresholdSource: 'as first-ratio-low',
      kind: 'mechanism',
    },
    {
      id: 'depth-linear',
      description: `R² of a linear fit of saved bytes against depth (L ∈ {${DEPTHS.join(', ')}}): ≥ 0.999`,
      values: (m) => m.depthR2,
      compare: '>=',
      threshold: 0.999,
      thresholdSource: 'research notes on paper 14, check (b)',
      kind: 'mechanism',
    },
    {
      id: 'batch-linear',
      description: `R² of a linear fit of saved bytes against batch (${BATCHES.join(', ')}, L = 8): ≥ 0.999`,
      values: (m) => m.batchR2,
      compare: '>=',
      threshold: 0.999,
      thresholdSource: 'research notes on paper 14, check (b)',
      kind: 'mechanism',
    },
    {
      id: 'attn-saved-ratio-low',
      description: 'attention saved bytes, last doubling of n (n² dominated): ratio ≥ 3.5',
      values: (m) => m.attnSavedRatio,
      compare: '>=',
      threshold: 3.5,
      thresholdSource:
        'research notes on paper 14, check (c): ratio ∈ [3.5, 4.2] "(n² terms dominate)"; the space formula 4(n² + 3nd) + 4 B predicts 3.68 for n = 512 → 1024 with d = 32 (3.45 for 256 → 512); the first quick run (seed 0, n up to 512) measured 3.455, equal to the formula',
      kind: 'mechanism',
    },
    {
      id: 'attn-saved-ratio-high',
      description: 'attention saved bytes, last doubling of n: ratio ≤ 4.2',
      values: (m) => m.attnSavedRatio,
      compare: '<=',
      threshold: 4.2,
      thresholdSource: 'research notes on paper 14, check (c)',
      kind: 'mechanism',
    },
    {
      id: 'attn-softmax-once',
      description:
        'attention saved bytes minus the space formula 4·(n² + 3nd) + 4 B (the n×n probabilities counted once), largest |difference| over n: < 1 B',
      values: (m) => m.attnFormulaDiff,
      compare: '<=',
      threshold: 0.5,
      thresholdSource:
        "the notes' space model (softmax keeps its output; matmul keeps its operands), derived before any run; 0.5 B = exact equality of integers",
      kind: 'mechanism',
    },
    {
      id: 'attn-flops-ratio-low',
      description: 'attention forward FLOPs, last doubling of n: ratio ≥ 3.5',
      values: (m) => m.attnFwdRatio,
      compare: '>=',
      threshold: 3.5,
      thresholdSource: 'research notes on paper 14, check (d): ratio ∈ [3.5, 4.2]',
      kind: 'mechanism',
    },
    {
      id: 'attn-flops-ratio-high',
      description: 'attention forward FLOPs, last doubling of n: ratio ≤ 4.2',
      values: (m) => m.attnFwdRatio,
      compare: '<=',
      threshold: 4.2,
      thresholdSource: 'research notes on paper 14, check (d)',
      kind: 'mechanism',
    },
    {
      id: 'saved-equals-residuals',
      description:
        'Σ per-op saved bytes minus gl.savedResiduals of the same forward, summed |difference| over every traced model: < 1 B',
      values: (m) => m.residualMismatch,
      compare: '<=',
      threshold: 0.5,
      thresholdSource: 'issue 16 ("saved bytes equal gl.savedResiduals"); 0.5 B = exact equality',
      kind: 'mechanism',
    },
    {
      id: 'svg-boxes-and-labels',
      description:
        'SVG of a 2-layer MLP and of 2-head attention: missing boxes + drawn wires without their traced shape label: < 1',
      values: (m) => m.svgMismatches,
      compare: '<=',
      threshold: 0.5,
      thresholdSource:
        'research notes on paper 14, check (e): one box per op, wire labels equal to the traced shapes',
      kind: 'mechanism',
    },
    {
      id: 'time-ratio-low',
      description: `measured backward/forward wall time of a 1024³ matmul (both operands need gradients): ≥ 1.5`,
      values: (m) => m.timeRatio,
      compare: '>=',
      threshold: 1.5,
      thresholdSource:
        'research notes on paper 14, check (f): [1.5, 3] (a timing sanity check; the machine is shared, so load skews it)',
      kind: 'outcome',
    },
    {
      id: 'time-ratio-high',
      description: 'measured backward/forward wall time of the matmul: ≤ 3',
      values: (m) => m.timeRatio,
      compare: '<=',
      threshold: 3,
      thresholdSource: 'research notes on paper 14, check (f)',
      kind: 'outcome',
    },
  ],
  figures: [
    {
      id: 'saved-vs-depth',
      title: 'Saved bytes vs depth (MLP, width 256, batch 64; MiB)',
      make: (m) => {
        const depths = (m.details.depths as number[]) ?? [];
        return {
          type: 'line',
          xLabel: 'Linear layers',
          yLabel: 'MiB',
          x: depths,
          series: [
            {
              name: 'saved for backward',
              y: depths.map((L) => describe(m.perSeed[`saved.depth.${L}`]).mean / 2 ** 20),
            },
          ],
        };
      },
    },
    {
      id: 'attention-vs-n',
      title: 'Single-head attention (d = 32): saved bytes and forward FLOPs vs sequence length',
      make: (m) => {
        const seqs = (m.details.seqs as number[]) ?? [];
        return {
          type: 'line',
          xLabel: 'n',
          yLabel: 'KiB / kFLOP',
          x: seqs,
          logX: true,
          logY: true,
          series: [
            { name: 'saved (KiB)', y: seqs.map((n) => describe(m.perSeed[`attn.saved.${n}`]).mean / 1024) },
            { name: 'forward (kFLOP)', y: seqs.map((n) => describe(m.perSeed[`attn.fwd.${n}`]).mean / 1000) },
          ],
        };
      },
    },
  ],
  summarize: (m) => {
    const mean = (k: string) => describe(m.perSeed[k]).mean;
    return `FLOP ratio backward/forward: first layer ${mean('firstRatio').toFixed(3)}, hidden ${mean('hiddenRatioMin').toFixed(3)}–${mean('hiddenRatioMax').toFixed(3)}; saved bytes R² vs depth ${mean('depthR2').toFixed(6)}, vs batch ${mean('batchR2').toFixed(6)}; attention last doubling of n: saved ${ratio(mean('attnSavedRatio'))}, FLOPs ${ratio(mean('attnFwdRatio'))} (space formula exact: max diff ${mean('attnFormulaDiff')} B); per-op saved = savedResiduals (diff ${mean('residualMismatch')} B); matmul backward/forward time ${mean('timeRatio').toFixed(2)}`;
  },
};
