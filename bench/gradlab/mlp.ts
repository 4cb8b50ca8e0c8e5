// gradlab: the MLP workload (784-512-512-10, ReLU, cross-entropy, SGD) — model, synthetic step, and the Fashion-MNIST epoch.
import * as gl from '../../src/index.js';
import type { Prepared } from '../lib/protocol.js';
import type { EpochSpec, MlpSpec } from '../lib/workloads.js';
import { batches, loadFashionMnist } from '../lib/idx.js';
import { mlpModel, trainer } from './models.js';
import { batch, fromArray, layer, andThen } from './train.js';

/** Parameters [W0, b0, W1, b1, ...] with W_i of shape [sizes[i], sizes[i+1]] (gpu-probe's functional MLP). */
export function mlpParams(sizes: readonly number[], seed: number): gl.Tensor[] {
  const out: gl.Tensor[] = [];
  for (let i = 0; i + 1 < sizes.length; i++)
    out.push(...layer(seed, i, [sizes[i], sizes[i + 1]], sizes[i], sizes[i + 1]));
  return out;
}

/** Logits of the MLP: x·W + b per layer, ReLU between layers. */
export function mlpForward(params: readonly gl.Tensor[], x: gl.Tensor): gl.Tensor {
  let h = x;
  for (let i = 0; i < params.length; i += 2) {
    h = gl.add(gl.matmul(h, params[i]), params[i + 1]);
    if (i + 2 < params.length) h = gl.relu(h);
  }
  return h;
}

export function prepareMlp(spec: MlpSpec): Prepared {
  const train = trainer(mlpModel(spec.sizes, spec.seed), spec.lr, spec.loop);
  const { x, y } = batch(spec.seed, [spec.batch, spec.sizes[0]], spec.sizes[spec.sizes.length - 1]);
  const losses: number[] = [];
  return {
    step: () => andThen(train(x, y), (l) => losses.push(l)),
    check: () => `loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`,
  };
}

export function prepareEpoch(spec: EpochSpec): Prepared {
  const data = loadFashionMnist(spec.dataDir, spec.limit);
  const X = fromArray(data.images, [data.n, data.features]);
  const Y = fromArray(data.labels, [data.n]);
  const ranges = batches(data.n, spec.batch);
  // the plain loop, as the MLP and CNN rows
  let train = trainer(mlpModel(spec.sizes, spec.seed), spec.lr, 'plain');
  const run = (s: number, e: number) => train(X.narrow(0, s, e - s), Y.narrow(0, s, e - s));
  let warmAt = 0;
  let last = '';
  return {
    warm: () => {
      const [s, e] = ranges[warmAt++ % ranges.length];
      return run(s, e);
    },
    unitsPerStep: ranges.length,
    step: async () => {
      train = trainer(mlpModel(spec.sizes, spec.seed), spec.lr, 'plain'); // every timed epoch starts from the same weights
      let first = 0;
      let sum = 0;
      for (let i = 0; i < ranges.length; i++) {
        const loss = await run(ranges[i][0], ranges[i][1]);
        if (i === 0) first = loss;
        if (i >= ranges.length - 50) sum += loss;
      }
      last = `loss ${first.toFixed(4)} -> ${(sum / Math.min(50, ranges.length)).toFixed(4)} (mean of last 50 batches)`;
    },
    check: () => last,
  };
}
