// gradlab: the CNN workload — conv-ReLU-maxpool ×2, FC-ReLU-FC, cross-entropy, one SGD step on a seeded batch.
import * as gl from '../../src/index.js';
import type { Prepared } from '../lib/protocol.js';
import { cnnGeometry, type CnnSpec } from '../lib/workloads.js';
import { cnnModel, trainer } from './models.js';
import { batch, layer, andThen } from './train.js';

/** [convW1 [c1,1,k,k], convB1, convW2 [c2,c1,k,k], convB2, fcW1 [flat,hidden], fcB1, fcW2 [hidden,classes], fcB2] (gpu-probe's functional CNN). */
export function cnnParams(s: CnnSpec): gl.Tensor[] {
  const { flat } = cnnGeometry(s);
  const k = s.kernel;
  return [
    ...layer(s.seed, 0, [s.c1, 1, k, k], k * k, s.c1),
    ...layer(s.seed, 1, [s.c2, s.c1, k, k], s.c1 * k * k, s.c2),
    ...layer(s.seed, 2, [flat, s.hidden], flat, s.hidden),
    ...layer(s.seed, 3, [s.hidden, s.classes], s.hidden, s.classes),
  ];
}

/** The same CNN written with functions over `cnnParams` (gpu-probe splits its step by kernel). */
export function cnnForward(p: readonly gl.Tensor[], x: gl.Tensor): gl.Tensor {
  let h = gl.maxPool2d(gl.relu(gl.conv2d(x, p[0], p[1])), 2);
  h = gl.maxPool2d(gl.relu(gl.conv2d(h, p[2], p[3])), 2);
  h = gl.relu(gl.add(gl.matmul(h.reshape([x.shape[0], -1]), p[4]), p[5]));
  return gl.add(gl.matmul(h, p[6]), p[7]);
}

export function prepareCnn(spec: CnnSpec): Prepared {
  const model = cnnModel(spec);
  const { x, y } = batch(spec.seed, [spec.batch, 1, spec.image, spec.image], spec.classes);
  const train = trainer(model, spec.lr, spec.loop);
  const losses: number[] = [];
  return {
    step: () => andThen(train(x, y), (l) => losses.push(l)),
    check: () => `loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`,
  };
}
