// Dataset condensation by gradient matching (DC) and its contrastive variant (DCC): the outer loop over fresh networks, and the evaluation of a synthetic set.
import { grad } from '../../core/functional.js';
import { Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import { tidy, type Tensor } from '../../core/tensor.js';
import { permutation } from '../../data/random.js';
import type { Module } from '../../nn/module.js';
import { zerosLike } from '../../ops/creation.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { crossEntropy } from '../../ops/losses.js';
import { argmax } from '../../ops/reduce.js';
import { cat, indexSelect, narrow } from '../../ops/shape.js';
import { tensor } from '../../ops/tensor-like.js';
import { SGD } from '../../optim/sgd.js';
import { CondenseOptionError } from './errors.js';
import { gradientMatchLoss, type ClassBatch, type MatchMode } from './match.js';

/** A labelled image set: x [n, C, H, W], int32 labels y [n]. */
export interface LabelledImages {
  /** Images [n, C, H, W]. */
  x: Tensor;
  /** Labels [n], int32 in [0, classes). */
  y: Tensor;
}

/** Options of condense. */
export interface CondenseOptions {
  /** 'dc' (class-wise matching) or 'dcc' (contrastive: all classes jointly, after the warm-up). */
  mode: MatchMode;
  /** Synthetic images per class. */
  ipc: number;
  /** Outer iterations; each samples a fresh network from `makeNet` (DC: 1000). */
  iterations: number;
  /** A fresh, randomly initialised network (called once per outer iteration). */
  makeNet: () => Module;
  /** Real images per class in each matching batch (DC: 256). */
  batchReal: number;
  /** Learning rate of the synthetic images (default 0.1, SGD with momentum 0.5 as DC). */
  lrImg?: number;
  /** Learning rate of the network between matching steps (default 0.01, plain SGD). */
  lrNet?: number;
  /** Matching steps per network (default by ipc as DC's get_loops: 1 / 10 / 50 for ipc 1 / 10 / 50; else 10). */
  matchSteps?: number;
  /** Network training steps on the synthetic set between matching steps (default 1 / 50 / 10 for ipc 1 / 10 / 50; else 50). */
  netSteps?: number;
  /** DCC only: plain DC is used while the outer iteration < outer and the matching step < inner (DCC: 250 and 10). */
  warmup?: {
    /** Outer iterations of plain DC before DCC (DCC: 250 of 1000). */
    outer: number;
    /** Matching steps per network of plain DC before DCC (DCC: 10). */
    inner: number;
  };
  /** Seed of the real-batch sampling and the initial real images (default 0). */
  seed?: number;
  /** Called after each outer iteration with the last matching loss. */
  onIteration?: (iteration: number, loss: number) => void;
}

/** The result of condense: the synthetic set, and the matching loss of each outer iteration's last step. */
export interface CondensedSet extends LabelledImages {
  /** Matching loss at the last matching step of each outer iteration. */
  losses: number[];
}

const LOOPS: Record<number, [number, number]> = { 1: [1, 1], 10: [10, 50], 50: [50, 10] };

function indicesByClass(y: Tensor, classes: number): Int32Array[] {
  const lab = y.dataSync();
  const by: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < lab.length; i++) {
    const c = lab[i];
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      throw new CondenseOptionError(`condense: label ${c} at index ${i} is outside [0, ${classes})`);
    by[c].push(i);
  }
  return by.map((a) => Int32Array.from(a));
}

function sample(idx: Int32Array, n: number, gen: Generator): Tensor {
  const p = permutation(idx.length, gen);
  return tensor(
    Int32Array.from(p.subarray(0, Math.min(n, idx.length)), (k) => idx[k]),
    { dtype: 'int32' },
  );
}

function positive(name: string, v: number, integer: boolean): void {
  if (!(v > 0) || (integer && !Number.isInteger(v)))
    throw new CondenseOptionError(
      `condense: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`,
    );
}

/**
 * Learns `ipc` synthetic images per class by gradient matching (DC, Zhao et al. 2021) or its contrastive
 * variant (DCC, Lee et al. 2022). The images start as random real images of their class; each outer iteration
 * samples a fresh network, then alternates matching steps (the images move along −∇_S of gradientMatchLoss,
 * a double backward through the network) with training the network on the synthetic set. DCC uses plain DC
 * matching during its warm-up (outer iteration < warmup.outer and matching step < warmup.inner), as DCC's
 * main.py. Differentiable augmentation (DSA) is not offered.
 * @example
 * // a toy run: 8 real 4×4 images of 2 classes condensed to 1 image per class (DC runs 1000 iterations)
 * const train = { x: gl.rand([8, 1, 4, 4]), y: gl.tensor([0, 1, 0, 1, 0, 1, 0, 1], { dtype: 'int32' }) };
 * const syn = gl.condense.condense(train, 2, {
 *   mode: 'dc', ipc: 1, iterations: 2, batchReal: 2,
 *   makeNet: () => new gl.nn.Sequential(new gl.nn.Flatten(), new gl.nn.Linear(16, 2)),
 * });
 * syn.x.shape; // [2, 1, 4, 4]
 */
export function condense(real: LabelledImages, classes: number, opts: CondenseOptions): CondensedSet {
  positive('classes', classes, true);
  positive('ipc', opts.ipc, true);
  positive('iterations', opts.iterations, true);
  positive('batchReal', opts.batchReal, true);
  const lrImg = opts.lrImg ?? 0.1;
  const lrNet = opts.lrNet ?? 0.01;
  positive('lrImg', lrImg, false);
  positive('lrNet', lrNet, false);
  const [defMatch, defNet] = LOOPS[opts.ipc] ?? [10, 50];
  const matchSteps = opts.matchSteps ?? defMatch;
  const netSteps = opts.netSteps ?? defNet;
  positive('matchSteps', matchSteps, true);
  if (!Number.isInteger(netSteps) || netSteps < 0)
    throw new CondenseOptionError(`condense: netSteps must be a non-negative integer, got ${netSteps}`);
  if (opts.mode !== 'dc' && opts.mode !== 'dcc')
    throw new CondenseOptionError(`condense: mode must be 'dc' or 'dcc', got '${String(opts.mode)}'`);
  const warm = opts.warmup ?? { outer: 0, inner: 0 };
  const gen = new Generator(opts.seed ?? 0);
  const byClass = indicesByClass(real.y, classes);
  byClass.forEach((idx, c) => {
    if (idx.length < opts.ipc)
      throw new CondenseOptionError(
        `condense: class ${c} has ${idx.length} real images, fewer than ipc = ${opts.ipc}`,
      );
  });
  const { ipc } = opts;
  let S = noGrad(() =>
    tidy(() => {
      return cat(
        byClass.map((idx) => indexSelect(real.x, 0, sample(idx, ipc, gen))),
        0,
      );
    }),
  );
  const ySyn = tensor(
    Int32Array.from({ length: classes * ipc }, (_, i) => Math.floor(i / ipc)),
    { dtype: 'int32' },
  );
  let buf = zerosLike(S);
  const losses: number[] = [];
  for (let it = 0; it < opts.iterations; it++) {
    const net = opts.makeNet();
    net.train();
    const opt = new SGD(net.parameters(), { lr: lrNet });
    let last = NaN;
    for (let ol = 0; ol < matchSteps; ol++) {
      const useDcc = opts.mode === 'dcc' && (it >= warm.outer || ol >= warm.inner);
      const [nextS, nextBuf, lossT] = tidy(() => {
        const leaf = S.detach().requiresGrad_();
        const realB: ClassBatch[] = byClass.map((idx) => {
          const pick = sample(idx, opts.batchReal, gen);
          return { x: indexSelect(real.x, 0, pick), y: indexSelect(real.y, 0, pick) };
        });
        const synB: ClassBatch[] = byClass.map((_, c) => ({
          x: narrow(leaf, 0, c * ipc, ipc),
          y: narrow(ySyn, 0, c * ipc, ipc),
        }));
        const loss = gradientMatchLoss(net, synB, realB, useDcc ? 'dcc' : 'dc');
        const [gS] = grad([loss], [leaf]);
        return noGrad(() => {
          const b = add(mul(buf, 0.5), gS!);
          return [sub(S, mul(b, lrImg)), b, loss.detach()] as const;
        });
      });
      S.dispose();
      buf.dispose();
      S = nextS;
      buf = nextBuf;
      last = lossT.item();
      lossT.dispose();
      if (ol === matchSteps - 1) break;
      for (let t = 0; t < netSteps; t++)
        tidy(() => {
          opt.zeroGrad();
          crossEntropy(net.forward(S) as Tensor, ySyn).backward();
          opt.step();
        });
    }
    losses.push(last);
    opts.onIteration?.(it, last);
  }
  buf.dispose();
  return { x: S, y: ySyn, losses };
}

/** Options of evaluateSynthetic (DC's evaluate_synset). */
export interface EvaluateOptions {
  /** A fresh network to train. */
  makeNet: () => Module;
  /** Training epochs over the synthetic set (DC: 300, 1000 with augmentation). */
  epochs: number;
  /** Learning rate (default 0.01); ×0.1 from epoch ⌊epochs/2⌋ on, as DC. */
  lr?: number;
  /** Mini-batch size (default 256). */
  batch?: number;
  /** Seed of the batch order (default 0). */
  seed?: number;
}

/**
 * Trains a fresh network on a (synthetic) labelled set as DC's evaluate_synset — SGD, momentum 0.9, weight decay
 * 5e-4, lr ×0.1 at half the epochs — and returns its accuracy on `test`.
 * @example
 * const makeNet = () => new gl.nn.Sequential(new gl.nn.Flatten(), new gl.nn.Linear(16, 2));
 * const syn = { x: gl.rand([2, 1, 4, 4]), y: gl.tensor([0, 1], { dtype: 'int32' }) }; // e.g. from gl.condense.condense
 * const test = { x: gl.rand([6, 1, 4, 4]), y: gl.tensor([0, 1, 0, 1, 0, 1], { dtype: 'int32' }) };
 * const acc = await gl.condense.evaluateSynthetic(syn, test, { makeNet, epochs: 3 }); // test accuracy in [0, 1]
 */
export async function evaluateSynthetic(
  train: LabelledImages,
  test: LabelledImages,
  opts: EvaluateOptions,
): Promise<number> {
  positive('epochs', opts.epochs, true);
  const lr = opts.lr ?? 0.01;
  const batch = opts.batch ?? 256;
  positive('lr', lr, false);
  positive('batch', batch, true);
  const net = opts.makeNet();
  net.train();
  const opt = new SGD(net.parameters(), { lr, momentum: 0.9, weightDecay: 5e-4 });
  const gen = new Generator(opts.seed ?? 0);
  const n = train.x.shape[0];
  for (let e = 0; e < opts.epochs; e++) {
    if (e === Math.floor(opts.epochs / 2)) opt.paramGroups.forEach((g) => (g.lr = lr * 0.1));
    const perm = permutation(n, gen);
    for (let s = 0; s < n; s += batch)
      tidy(() => {
        const idx = tensor(perm.subarray(s, Math.min(n, s + batch)), { dtype: 'int32' });
        opt.zeroGrad();
        crossEntropy(
          net.forward(indexSelect(train.x, 0, idx)) as Tensor,
          indexSelect(train.y, 0, idx),
        ).backward();
        opt.step();
      });
  }
  net.eval();
  const labels = await test.y.data();
  let correct = 0;
  const m = test.x.shape[0];
  for (let s = 0; s < m; s += 500) {
    const len = Math.min(500, m - s);
    const p = noGrad(() => tidy(() => argmax(net.forward(narrow(test.x, 0, s, len)) as Tensor, 1)));
    const pred = await p.data();
    p.dispose();
    for (let i = 0; i < len; i++) if (pred[i] === labels[s + i]) correct++;
  }
  return correct / m;
}
