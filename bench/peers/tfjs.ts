// Peer: TensorFlow.js (cpu or wasm backend) running the shared workloads with tf.train.sgd and softmaxCrossEntropy.
import * as tf from '@tensorflow/tfjs';
import type { Prepared } from '../lib/protocol.js';
import { labels, param, STREAM, uniform } from '../lib/prng.js';
import { UnsupportedError, type BenchSystem } from '../lib/system.js';
import {
  cnnGeometry,
  type CnnSpec,
  type EpochSpec,
  type MlpSpec,
  type WorkloadSpec,
} from '../lib/workloads.js';
import { installedVersion } from '../lib/paths.js';
import { batches, loadFashionMnist } from '../lib/idx.js';

type Params = tf.Variable[];

function dense(seed: number, i: number, fanIn: number, out: number): Params {
  return [
    tf.variable(tf.tensor(param(seed, STREAM.weight(i), fanIn * out, fanIn), [fanIn, out])),
    tf.variable(tf.tensor(param(seed, STREAM.bias(i), out, fanIn), [out])),
  ];
}

const mlpParams = (sizes: number[], seed: number): Params =>
  sizes.slice(0, -1).flatMap((n, i) => dense(seed, i, n, sizes[i + 1]));

function mlpForward(p: Params, x: tf.Tensor): tf.Tensor2D {
  let h = x as tf.Tensor2D;
  for (let i = 0; i < p.length; i += 2) {
    h = tf.add(tf.matMul(h, p[i] as tf.Tensor2D), p[i + 1]);
    if (i + 2 < p.length) h = tf.relu(h);
  }
  return h;
}

/** minimize() under SGD, reading the loss back; returns the loss. */
function trainStep(opt: tf.Optimizer, vars: Params, loss: () => tf.Scalar): number {
  const cost = opt.minimize(loss, true, vars)!;
  const v = cost.dataSync()[0];
  cost.dispose();
  return v;
}

function batchXY(seed: number, shape: number[], classes: number): { x: tf.Tensor; y: tf.Tensor } {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    x: tf.tensor(uniform(seed, STREAM.x, n, 0, 1), shape),
    y: tf.oneHot(tf.tensor1d(labels(seed, STREAM.y, shape[0], classes), 'int32'), classes),
  };
}

function prepareMlp(s: MlpSpec): Prepared {
  const p = mlpParams(s.sizes, s.seed);
  const { x, y } = batchXY(s.seed, [s.batch, s.sizes[0]], s.sizes[s.sizes.length - 1]);
  const opt = tf.train.sgd(s.lr);
  const losses: number[] = [];
  return {
    step: () =>
      losses.push(trainStep(opt, p, () => tf.losses.softmaxCrossEntropy(y, mlpForward(p, x)) as tf.Scalar)),
    check: () => `loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`,
    dispose: () => tf.disposeVariables(),
  };
}

/** Conv weights are generated in the shared [out, in, k, k] layout and transposed to tfjs's [k, k, in, out]. */
function convParam(seed: number, i: number, cin: number, cout: number, k: number): Params {
  const fanIn = cin * k * k;
  const w = tf
    .tensor(param(seed, STREAM.weight(i), cout * fanIn, fanIn), [cout, cin, k, k])
    .transpose([2, 3, 1, 0]);
  return [tf.variable(w), tf.variable(tf.tensor(param(seed, STREAM.bias(i), cout, fanIn), [cout]))];
}

function prepareCnn(s: CnnSpec): Prepared {
  const g = cnnGeometry(s);
  const p = [
    ...convParam(s.seed, 0, 1, s.c1, s.kernel),
    ...convParam(s.seed, 1, s.c1, s.c2, s.kernel),
    ...dense(s.seed, 2, g.flat, s.hidden),
    ...dense(s.seed, 3, s.hidden, s.classes),
  ];
  // NHWC, tfjs's native layout; with one input channel this is the same buffer as NCHW
  const { x, y } = batchXY(s.seed, [s.batch, s.image, s.image, 1], s.classes);
  const forward = () => {
    const block = (h: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor): tf.Tensor4D =>
      tf.maxPool(
        tf.relu(tf.add(tf.conv2d(h, w as tf.Tensor4D, 1, 'valid'), b)) as tf.Tensor4D,
        2,
        2,
        'valid',
      );
    const h = block(block(x as tf.Tensor4D, p[0], p[1]), p[2], p[3]);
    const f = tf.relu(tf.add(tf.matMul(h.reshape([s.batch, g.flat]), p[4] as tf.Tensor2D), p[5]));
    return tf.add(tf.matMul(f, p[6] as tf.Tensor2D), p[7]);
  };
  const opt = tf.train.sgd(s.lr);
  const losses: number[] = [];
  return {
    step: () =>
      losses.push(trainStep(opt, p, () => tf.losses.softmaxCrossEntropy(y, forward()) as tf.Scalar)),
    check: () => `loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}`,
    dispose: () => tf.disposeVariables(),
  };
}

function prepareEpoch(s: EpochSpec): Prepared {
  const data = loadFashionMnist(s.dataDir, s.limit);
  const X = tf.tensor2d(data.images, [data.n, data.features]);
  const Y = tf.oneHot(tf.tensor1d(data.labels, 'int32'), s.sizes[s.sizes.length - 1]);
  const ranges = batches(data.n, s.batch);
  let p = mlpParams(s.sizes, s.seed);
  let opt = tf.train.sgd(s.lr);
  const run = (a: number, b: number) =>
    trainStep(opt, p, () =>
      tf.tidy(
        () =>
          tf.losses.softmaxCrossEntropy(
            Y.slice([a, 0], [b - a, -1]),
            mlpForward(p, X.slice([a, 0], [b - a, -1])),
          ) as tf.Scalar,
      ),
    );
  let warmAt = 0;
  let last = '';
  return {
    warm: () => run(...ranges[warmAt++ % ranges.length]),
    unitsPerStep: ranges.length,
    step: () => {
      tf.dispose(p);
      p = mlpParams(s.sizes, s.seed);
      opt = tf.train.sgd(s.lr);
      let first = 0;
      let sum = 0;
      ranges.forEach(([a, b], i) => {
        const loss = run(a, b);
        if (i === 0) first = loss;
        if (i >= ranges.length - 50) sum += loss;
      });
      last = `loss ${first.toFixed(4)} -> ${(sum / Math.min(50, ranges.length)).toFixed(4)} (mean of last 50 batches)`;
    },
    check: () => last,
  };
}

function prepare(spec: WorkloadSpec): Prepared {
  switch (spec.family) {
    case 'matmul': {
      const a = tf.tensor2d(uniform(spec.seed, STREAM.a, spec.n ** 2, -1, 1), [spec.n, spec.n]);
      const b = tf.tensor2d(uniform(spec.seed, STREAM.b, spec.n ** 2, -1, 1), [spec.n, spec.n]);
      let corner = 0;
      return {
        step: () => {
          const c = tf.matMul(a, b);
          const e = c.slice([0, 0], [1, 1]);
          corner = e.dataSync()[0];
          tf.dispose([c, e]);
        },
        check: () => `C[0,0] = ${corner.toFixed(4)}`,
      };
    }
    case 'overhead': {
      const a = tf.variable(tf.tensor1d(uniform(spec.seed, STREAM.a, spec.size, -1, 1)));
      const b = tf.tensor1d(uniform(spec.seed, STREAM.b, spec.size, -1, 1));
      return {
        step: () => {
          for (let i = 0; i < spec.opsPerStep; i++) tf.add(a, b).dispose();
        },
      };
    }
    case 'mlp':
      return prepareMlp(spec);
    case 'cnn':
      return prepareCnn(spec);
    case 'epoch':
      return prepareEpoch(spec);
    case 'per-example':
      throw new UnsupportedError(
        'per-example gradients: no vmap or per-example gradient API is benchmarked here',
      );
  }
}

/** TensorFlow.js on `backend`; the wasm backend is loaded only for 'wasm'. */
export function tfjsSystem(backend: 'cpu' | 'wasm'): BenchSystem {
  return {
    async setup() {
      const notes = [
        'tfjs records a gradient tape only inside tf.grad/minimize: the overhead loop is eager tf.add on a tf.variable',
        'CNN runs in NHWC (tfjs layout); conv weights are the shared [out,in,k,k] values transposed',
      ];
      let threads = '1 (JavaScript main thread)';
      if (backend === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        await tf.setBackend('wasm');
        await tf.ready();
        const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
        const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        threads = `${wasm.getThreadsCount()} (SIMD ${simd ? 'on' : 'off'}, threads ${mt ? 'on' : 'off'})`;
        if (!mt)
          notes.push(
            'tfjs-wasm runs single-threaded in Node: its threaded build spawns pthread workers from blob: URLs, which Node refuses (ERR_WORKER_PATH)',
          );
      } else {
        await tf.setBackend('cpu');
        await tf.ready();
      }
      if (tf.getBackend() !== backend)
        throw new Error(`tfjs: asked for the ${backend} backend, got ${tf.getBackend()}`);
      return {
        system: `tfjs-${backend}`,
        version:
          `@tensorflow/tfjs ${installedVersion('@tensorflow/tfjs') ?? tf.version.tfjs}` +
          (backend === 'wasm'
            ? `, tfjs-backend-wasm ${installedVersion('@tensorflow/tfjs-backend-wasm')}`
            : ''),
        backend,
        threads,
        notes,
      };
    },
    prepare,
  };
}
