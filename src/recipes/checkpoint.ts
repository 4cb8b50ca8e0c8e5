// Recipe `checkpoint`: √n segment checkpointing of a 64-block residual MLP — saved bytes, gradients, time.
import { manualSeed } from '../core/random/generator.js';
import { memory, resetPeakMemory } from '../core/memory.js';
import { randn } from '../ops/creation.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import { Tanh } from '../nn/activation.js';
import { Residual } from '../nn/residual.js';
import type { Tensor } from '../core/tensor.js';
import { checkpointSequence, sqrtSegments } from '../lab/memory/policies.js';
import { profile } from '../lab/memory/profile.js';
import { formatBytes } from '../lab/memory/table.js';
import { registerRecipe } from './registry.js';
import { maxAbsDiff, ratio, timed } from './util.js';

interface CheckpointMeasurements {
  [k: string]: unknown;
  blocks: number;
  width: number;
  batch: number;
  segments: number;
  plainPeakBytes: number;
  sqrtPeakBytes: number;
  /** plain / √n */
  reduction: number;
  maxAbsGradDiff: number;
  plainStepMs: number;
  sqrtStepMs: number;
  /** √n / plain */
  timeRatio: number;
  /** The largest entries alive at the √n peak (from the memory timeline). */
  sqrtPeakHolders: { op: string; scope: string; shape: number[]; heldBytes: number }[];
}

function model(blocks: number, width: number): Sequential {
  const list = [];
  for (let i = 0; i < blocks; i++)
    list.push(new Residual(new Sequential(new Linear(width, width), new Tanh())));
  return new Sequential(...list);
}

function step(net: Sequential, x: Tensor, useSqrt: boolean): { peak: number; grads: Tensor[] } {
  net.zeroGrad({ setToNone: true });
  const base = memory().savedBytes;
  resetPeakMemory();
  const y = useSqrt ? checkpointSequence(net, x, sqrtSegments()) : (net.forward(x) as Tensor);
  y.mul(y).mean().backward();
  return { peak: memory().peakSavedBytes - base, grads: net.parameters().map((p) => p.grad!) };
}

registerRecipe<CheckpointMeasurements>({
  name: 'checkpoint',
  paper: '05. AlignProp (gradient checkpointing; √n schedule of Chen et al. 2016)',
  claim: {
    text: 'We design an algorithm that costs O(√n) memory to train a n layer network, with only the computational cost of an extra forward pass per mini-batch.',
    source:
      'Chen, Xu, Zhang, Guestrin 2016, "Training Deep Nets with Sublinear Memory Cost", arXiv:1604.06174, abstract (quoted from memory, not checked against the paper here); the technique AlignProp relies on (paper notes 05: "every UNet call is gradient-checkpointed")',
  },
  protocol: {
    data: 'Gaussian inputs (seeded), target-free loss mean(y²).',
    model: '64 residual blocks x + tanh(Linear(x)), width 128 (quick: width 16).',
    procedure:
      'Per seed: plain backprop and √n segments (8 segments of 8 blocks, gl.checkpoint per segment) on the same batch; peak saved bytes from gl.memory() (checkpoint recomputation counted), max |Δgrad| over all parameters, step time: the fastest of 7 interleaved steps each (quick: 1), the estimate least disturbed by other processes on a shared machine.',
    scaled:
      'A residual MLP instead of a UNet; batch 256 × width 128 so activations dominate the weights that Linear also saves.',
    budgetSeconds: { full: 60, quick: 2 },
  },
  run({ quick, seeds, log }) {
    const blocks = 64;
    const width = quick ? 16 : 128;
    const batch = quick ? 32 : 256;
    const reps = quick ? 1 : 7;
    const out = {
      plain: [] as number[],
      sqrt: [] as number[],
      diff: 0,
      tPlain: [] as number[],
      tSqrt: [] as number[],
    };
    let holders: CheckpointMeasurements['sqrtPeakHolders'] = [];
    for (let s = 0; s < seeds; s++) {
      manualSeed(s);
      const net = model(blocks, width);
      const x = randn([batch, width]);
      const p = step(net, x, false);
      const q = step(net, x, true);
      out.plain.push(p.peak);
      out.sqrt.push(q.peak);
      out.diff = Math.max(out.diff, maxAbsDiff(p.grads, q.grads));
      for (let r = 0; r < reps; r++) {
        out.tPlain.push(timed(() => step(net, x, false)).ms);
        out.tSqrt.push(timed(() => step(net, x, true)).ms);
      }
      if (s === 0) {
        net.zeroGrad({ setToNone: true });
        const tl = profile(
          () => {
            const y = checkpointSequence(net, x, sqrtSegments());
            y.mul(y).mean().backward();
          },
          { model: net, modelName: 'mlp' },
        );
        holders = tl.peak.holders
          .slice(0, 5)
          .map((h) => ({ op: h.op, scope: h.scope, shape: h.shape, heldBytes: h.heldBytes }));
      }
      log?.(`seed ${s}: peak ${formatBytes(p.peak)} → ${formatBytes(q.peak)}`);
    }
    const plainPeakBytes = Math.max(...out.plain);
    const sqrtPeakBytes = Math.max(...out.sqrt);
    const plainStepMs = Math.min(...out.tPlain);
    const sqrtStepMs = Math.min(...out.tSqrt);
    return {
      blocks,
      width,
      batch,
      segments: Math.ceil(blocks / Math.ceil(Math.sqrt(blocks))),
      plainPeakBytes,
      sqrtPeakBytes,
      reduction: plainPeakBytes / sqrtPeakBytes,
      maxAbsGradDiff: out.diff,
      plainStepMs,
      sqrtStepMs,
      timeRatio: sqrtStepMs / plainStepMs,
      sqrtPeakHolders: holders,
    };
  },
  assertions: [
    {
      id: 'memory',
      description: 'peak saved bytes: plain / √n',
      measure: (m) => m.reduction,
      compare: '>=',
      threshold: 4,
      thresholdSource: 'issue 5 ("√n checkpointing cuts peak saved bytes ≥ 4×")',
      kind: 'mechanism',
    },
    {
      id: 'gradients',
      description: 'max |grad(√n) − grad(plain)|',
      measure: (m) => m.maxAbsGradDiff,
      compare: '<=',
      threshold: 1e-6,
      thresholdSource: 'issue 5 ("max abs diff ≤ 1e-6")',
      kind: 'mechanism',
    },
    {
      id: 'time',
      description: 'step time: √n / plain (fastest of interleaved steps)',
      measure: (m) => m.timeRatio,
      compare: '<=',
      threshold: 1.5,
      thresholdSource:
        'issue 5 ("step time ≤ 1.5× plain"); the paper\'s cost is one extra forward, ≈ 1.33× when backward ≈ 2× forward',
      kind: 'outcome',
    },
  ],
  summarize: (m) =>
    `peak saved ${formatBytes(m.plainPeakBytes)} → ${formatBytes(m.sqrtPeakBytes)} (${ratio(m.reduction)} less), max |Δgrad| ${m.maxAbsGradDiff.toExponential(1)}, step ${m.plainStepMs.toFixed(0)} → ${m.sqrtStepMs.toFixed(0)} ms (${ratio(m.timeRatio)})`,
});
