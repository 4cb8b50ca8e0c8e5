// Recipe `coherence` (paper 27): the MLP, label corruption, and the training loop with a pluggable gradient aggregator (mean, M3) and coherence probes.
import { Generator, manualSeed, sampleHost } from '../core/random/generator.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { permutation } from '../data/random.js';
import { medianOfMeansTensor } from '../lab/coherence/aggregate-tensor.js';
import { modelCoherence } from '../lab/coherence/probe.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/containers.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/losses.js';
import { indexSelect, narrow, stack } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';
import { SGD } from '../optim/sgd.js';

/** How a minibatch's gradient is formed from its examples (winsorised SGD is not run: see the recipe's checklist). */
export type Aggregator = 'mean' | 'm3';

/** The protocol's constants (research notes 27, small-scale reproduction). */
export const P = { hidden: 128, lr: 0.05, batch: 100, steps: 3000, probeEvery: 100, m: 500 };

/** inputSize-128-10 ReLU MLP, initialised from `seed` (so the arms of a seed start from the same weights). */
export function makeMlp(inputSize: number, seed: number): Sequential {
  manualSeed(seed);
  return new Sequential(new Linear(inputSize, P.hidden), new ReLU(), new Linear(P.hidden, 10));
}

/** Labels drawn uniformly from 0..9, independent of the images (host Philox: the same on every backend). */
export function randomLabels(n: number, seed: number): Int32Array {
  const u = sampleHost(new Generator(seed), n, 'uniform');
  return Int32Array.from(u, (v) => Math.min(9, Math.floor(v * 10)));
}

/** A copy of `y` whose labels at a random half of the indices are replaced by a different class; `noisy[i]` marks them. */
export function corruptHalf(y: Int32Array, seed: number): { labels: Int32Array; noisy: Uint8Array } {
  const gen = new Generator(seed);
  const perm = permutation(y.length, gen);
  const shift = sampleHost(gen, y.length, 'uniform');
  const labels = Int32Array.from(y);
  const noisy = new Uint8Array(y.length);
  for (let k = 0; k < y.length >> 1; k++) {
    const i = perm[k];
    labels[i] = (y[i] + 1 + Math.min(8, Math.floor(shift[i] * 9))) % 10; // one of the 9 other classes
    noisy[i] = 1;
  }
  return { labels, noisy };
}

/** Sets every trainable parameter's .grad to the aggregate of the batch's per-example (or per-group) gradients. */
function aggregateInto(model: Module, agg: Aggregator, x: Tensor, y: Tensor): void {
  const params = model.namedParameters();
  if (agg === 'mean') {
    crossEntropy(model.forward(x) as Tensor, y).backward();
    return;
  }
  // M3: three per-group gradients (contiguous thirds of the shuffled batch), then their coordinate-wise median
  const n = x.shape[0];
  const groups: Tensor[][] = [];
  for (let k = 0; k < 3; k++) {
    const a = Math.floor((k * n) / 3);
    const b = Math.floor(((k + 1) * n) / 3);
    for (const [, p] of params) p.grad = null;
    crossEntropy(model.forward(narrow(x, 0, a, b - a)) as Tensor, narrow(y, 0, a, b - a)).backward();
    groups.push(params.map(([, p]) => p.grad!));
  }
  params.forEach(([, p], j) => {
    p.grad = medianOfMeansTensor(stack(groups.map((g) => g[j])), 3);
  });
}

/**
 * Trains `model` for `steps` SGD steps (lr 0.05, batch 100, batches from a permutation per epoch seeded with
 * `seed`) on (x, labels) with the aggregator; calls `probe` before
 * the steps `probeAt` selects (default: every 100th, step 0 included) and after the last when it selects `steps`.
 */
export async function train(
  model: Module,
  x: Tensor,
  labels: Int32Array,
  o: {
    agg: Aggregator;
    steps: number;
    seed: number;
    probeAt?: (step: number) => boolean;
    probe?: (step: number) => Promise<void>;
  },
): Promise<void> {
  const n = x.shape[0];
  const y = tensor(labels);
  const opt = new SGD(model.parameters(), { lr: P.lr });
  const gen = new Generator(o.seed + 5000);
  let step = 0;
  let perm = tensor(permutation(n, gen));
  let at = 0;
  const at0 = o.probeAt ?? ((t: number) => t % P.probeEvery === 0);
  while (step < o.steps) {
    if (o.probe && at0(step)) await o.probe(step);
    if (at + P.batch > n) {
      perm.dispose();
      perm = tensor(permutation(n, gen));
      at = 0;
    }
    tidy(() => {
      const idx = narrow(perm, 0, at, P.batch);
      opt.zeroGrad();
      aggregateInto(model, o.agg, indexSelect(x, 0, idx), indexSelect(y, 0, idx));
      opt.step();
      for (const p of model.parameters()) p.grad = null;
    });
    at += P.batch;
    step++;
  }
  if (o.probe && at0(step)) await o.probe(step);
  perm.dispose();
  y.dispose();
}

/** m-coherence of the model's per-example gradients on (x, labels). */
export async function coherenceOn(model: Module, x: Tensor, labels: Int32Array): Promise<number> {
  const y = tensor(labels);
  const r = await modelCoherence(model, crossEntropy, x, y);
  y.dispose();
  return r.mCoherence;
}
