// Recipe `attribution`'s models (MLP, CNN, small ResNet), their training, activation capture and ensembles.
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { Conv2d } from '../nn/conv.js';
import { ReLU } from '../nn/activation.js';
import { Sequential } from '../nn/containers.js';
import { Flatten, Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { MaxPool2d } from '../nn/pooling.js';
import { Residual } from '../nn/residual.js';
import { crossEntropy } from '../ops/losses.js';
import { softmax } from '../ops/nn.js';
import { narrow } from '../ops/shape.js';
import { Adam } from '../optim/adam.js';
import { trainEpochs, type Split } from './common/train.js';

export const MODELS = ['mlp', 'cnn', 'resnet'] as const;
export type ModelName = (typeof MODELS)[number];

/** The model for images of shape [c, h, w]; top-level ReLU modules are the layers NAP records. */
export function buildModel(name: ModelName, [c, h, w]: readonly number[]): Sequential {
  const conv = (i: number, o: number) => new Conv2d(i, o, 3, { padding: 1 });
  const q = Math.floor(h / 4) * Math.floor(w / 4);
  switch (name) {
    case 'mlp':
      return new Sequential(new Flatten(), new Linear(c * h * w, 128), new ReLU(), new Linear(128, 10));
    case 'cnn':
      return new Sequential(
        conv(c, 8),
        new ReLU(),
        new MaxPool2d(2),
        conv(8, 16),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(16 * q, 64),
        new ReLU(),
        new Linear(64, 10),
      );
    case 'resnet': {
      const block = () => new Residual(new Sequential(conv(16, 16), new ReLU(), conv(16, 16)));
      return new Sequential(
        conv(c, 16),
        new ReLU(),
        block(),
        new ReLU(),
        new MaxPool2d(2),
        block(),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(16 * q, 10),
      );
    }
  }
}

/** Adam + cross-entropy over the seeded batch order of `seed`. */
export function trainModel(
  model: Module,
  train: Split,
  opts: { epochs: number; batch: number; lr: number; seed: number },
): void {
  const params = model.parameters();
  const opt = new Adam(params, { lr: opts.lr });
  trainEpochs(train, opts, (x, y) => {
    opt.zeroGrad();
    crossEntropy(model.forward(x) as Tensor, y).backward();
    opt.step();
  });
  opt.zeroGrad();
}

/** Softmax probabilities [n × 10] on the host, in batches, without recording. */
export async function probabilities(model: Module, x: Tensor, batch = 500): Promise<Float64Array> {
  const n = x.shape[0];
  const out = new Float64Array(n * 10);
  for (let s = 0; s < n; s += batch) {
    const len = Math.min(batch, n - s);
    const p = noGrad(() => tidy(() => softmax(model.forward(narrow(x, 0, s, len)) as Tensor, -1)));
    out.set(await p.data(), s * 10);
    p.dispose();
  }
  return out;
}

/** Argmax per row of an [n × k] host matrix. */
export function argmaxRows(p: ArrayLike<number>, k: number): Int32Array {
  const n = p.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Soft voting: the argmax of the mean probability over models. */
export function softVote(probs: readonly Float64Array[], k: number): Int32Array {
  const mean = new Float64Array(probs[0].length);
  for (const p of probs) for (let i = 0; i < p.length; i++) mean[i] += p[i] / probs.length;
  return argmaxRows(mean, k);
}

/** Hard (majority) voting over the models' argmax; ties go to the tied class with the larger summed probability. */
export function hardVote(probs: readonly Float64Array[], k: number): Int32Array {
  const n = probs[0].length / k;
  const preds = probs.map((p) => argmaxRows(p, k));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const votes = new Float64Array(k);
    for (const pr of preds) votes[pr[i]] += 1;
    let best = 0;
    const score = (j: number) => votes[j] * 1e3 + probs.reduce((a, p) => a + p[i * k + j], 0);
    for (let j = 1; j < k; j++) if (score(j) > score(best)) best = j;
    out[i] = best;
  }
  return out;
}

/** Fraction of predictions equal to the labels. */
export function accuracyOf(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) c++;
  return c / y.length;
}

/**
 * The outputs of the model's top-level ReLU modules for x, on the host (in batches, without recording):
 * one entry per ReLU with its shape without the batch dim.
 */
export async function reluActivations(
  model: Sequential,
  x: Tensor,
  batch = 250,
): Promise<{ layer: number; shape: number[]; values: Float32Array }[]> {
  const n = x.shape[0];
  const layers: { layer: number; shape: number[]; values: Float32Array }[] = [];
  for (let s = 0; s < n; s += batch) {
    const len = Math.min(batch, n - s);
    const outs = noGrad(() =>
      tidy(() => {
        let h = narrow(x, 0, s, len);
        const kept: Tensor[] = [];
        for (let i = 0; i < model.length; i++) {
          h = model.at(i).forward(h) as Tensor;
          if (model.at(i) instanceof ReLU) kept.push(h);
        }
        return kept;
      }),
    );
    let j = 0;
    for (let i = 0; i < model.length; i++) {
      if (!(model.at(i) instanceof ReLU)) continue;
      const t = outs[j++];
      const shape = t.shape.slice(1);
      const per = shape.reduce((a, b) => a * b, 1);
      if (s === 0) layers.push({ layer: i, shape, values: new Float32Array(n * per) });
      layers[j - 1].values.set(await t.data(), s * per);
      t.dispose();
    }
  }
  return layers;
}
