// Peer: jax-js on its wasm device — each training step is one jit-compiled function of (params, x, y) doing valueAndGrad and the SGD update.
import {
  blockUntilReady,
  defaultDevice,
  init,
  jit,
  lax,
  nn,
  numpy as np,
  tree,
  valueAndGrad,
} from '@jax-js/jax';
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

type Params = { [name: string]: np.Array };
type LossFn = (p: Params, x: np.Array, y: np.Array) => np.Array;

const arr = (data: Float32Array, shape: number[]) => np.array(data).reshape(shape);

function mlpParams(sizes: number[], seed: number): Params {
  const p: Params = {};
  for (let i = 0; i + 1 < sizes.length; i++) {
    p[`w${i}`] = arr(param(seed, STREAM.weight(i), sizes[i] * sizes[i + 1], sizes[i]), [
      sizes[i],
      sizes[i + 1],
    ]);
    p[`b${i}`] = arr(param(seed, STREAM.bias(i), sizes[i + 1], sizes[i]), [sizes[i + 1]]);
  }
  return p;
}

/** Mean cross-entropy of logits [B, C] against int32 labels (jax-js owns-and-consumes its arguments). */
const crossEntropy = (logits: np.Array, y: np.Array, classes: number): np.Array => {
  const b = logits.shape[0];
  return nn
    .logSoftmax(logits)
    .mul(nn.oneHot(y, classes))
    .sum()
    .mul(-1 / b);
};

function mlpLoss(layers: number, classes: number): LossFn {
  return (p, x, y) => {
    let h = x;
    for (let i = 0; i < layers; i++) {
      h = np.dot(h, p[`w${i}`]).add(p[`b${i}`]);
      if (i + 1 < layers) h = nn.relu(h);
    }
    return crossEntropy(h, y, classes);
  };
}

/** jit(valueAndGrad + SGD): consumes params, returns [new params, loss]. */
function sgdUpdate(loss: LossFn, lr: number) {
  return jit((p: Params, x: np.Array, y: np.Array) => {
    const [value, g] = valueAndGrad(loss)(tree.ref(p), x, y);
    const next = tree.map((w: np.Array, d: np.Array) => w.sub(d.mul(lr)), p, g) as Params;
    return [next, value] as [Params, np.Array];
  });
}

/** A training loop over a fixed batch: each step updates params and reads the loss back. */
/**
 * A training loop over a fixed batch: each step updates params and reads the loss back. The first
 * step (tracing and compiling the jitted update) runs here, untimed, and its duration is noted.
 */
async function trainer(p0: Params, x: np.Array, y: np.Array, loss: LossFn, lr: number): Promise<Prepared> {
  const update = sgdUpdate(loss, lr);
  let p = p0;
  const losses: number[] = [];
  const step = async () => {
    const [next, value] = update(p, x.ref, y.ref);
    p = next;
    await blockUntilReady(p);
    losses.push((await value.data())[0] as number);
  };
  const t0 = performance.now();
  await step();
  const compileS = (performance.now() - t0) / 1000;
  return {
    step,
    check: () =>
      `loss ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)}; jit compile + first step ${compileS.toFixed(2)} s (untimed)`,
    dispose: () => {
      tree.dispose(p);
      update.dispose();
    },
  };
}

const labelArray = (seed: number, n: number, classes: number) =>
  np.array(labels(seed, STREAM.y, n, classes), { dtype: np.int32 });

function prepareMlp(s: MlpSpec): Promise<Prepared> {
  const classes = s.sizes[s.sizes.length - 1];
  const x = arr(uniform(s.seed, STREAM.x, s.batch * s.sizes[0], 0, 1), [s.batch, s.sizes[0]]);
  return trainer(
    mlpParams(s.sizes, s.seed),
    x,
    labelArray(s.seed, s.batch, classes),
    mlpLoss(s.sizes.length - 1, classes),
    s.lr,
  );
}

const maxPool2 = (x: np.Array) => lax.reduceWindow(x, np.max, [2, 2], [2, 2]);

function prepareCnn(s: CnnSpec): Promise<Prepared> {
  const g = cnnGeometry(s);
  const k = s.kernel;
  const conv = (i: number, cin: number, cout: number): Params => ({
    [`cw${i}`]: arr(param(s.seed, STREAM.weight(i), cout * cin * k * k, cin * k * k), [cout, cin, k, k]),
    [`cb${i}`]: arr(param(s.seed, STREAM.bias(i), cout, cin * k * k), [cout, 1, 1]),
  });
  const p: Params = {
    ...conv(0, 1, s.c1),
    ...conv(1, s.c1, s.c2),
    w2: arr(param(s.seed, STREAM.weight(2), g.flat * s.hidden, g.flat), [g.flat, s.hidden]),
    b2: arr(param(s.seed, STREAM.bias(2), s.hidden, g.flat), [s.hidden]),
    w3: arr(param(s.seed, STREAM.weight(3), s.hidden * s.classes, s.hidden), [s.hidden, s.classes]),
    b3: arr(param(s.seed, STREAM.bias(3), s.classes, s.hidden), [s.classes]),
  };
  const loss: LossFn = (q, x, y) => {
    let h = nn.relu(maxPool2(lax.convGeneralDilated(x, q.cw0, [1, 1], 'VALID').add(q.cb0)));
    h = nn.relu(maxPool2(lax.convGeneralDilated(h, q.cw1, [1, 1], 'VALID').add(q.cb1)));
    h = nn.relu(np.dot(h.reshape([s.batch, g.flat]), q.w2).add(q.b2));
    return crossEntropy(np.dot(h, q.w3).add(q.b3), y, s.classes);
  };
  const x = arr(uniform(s.seed, STREAM.x, s.batch * s.image * s.image, 0, 1), [s.batch, 1, s.image, s.image]);
  return trainer(p, x, labelArray(s.seed, s.batch, s.classes), loss, s.lr);
}

function prepareEpoch(s: EpochSpec): Prepared {
  const data = loadFashionMnist(s.dataDir, s.limit);
  const classes = s.sizes[s.sizes.length - 1];
  const X = arr(data.images, [data.n, data.features]);
  const Y = np.array(data.labels, { dtype: np.int32 });
  const ranges = batches(data.n, s.batch);
  const update = sgdUpdate(mlpLoss(s.sizes.length - 1, classes), s.lr);
  let p = mlpParams(s.sizes, s.seed);
  const run = async (a: number, b: number) => {
    const [next, value] = update(p, X.ref.slice([a, b]), Y.ref.slice([a, b]));
    p = next;
    await blockUntilReady(p);
    return (await value.data())[0] as number;
  };
  let warmAt = 0;
  let last = '';
  return {
    warm: () => run(...ranges[warmAt++ % ranges.length]),
    unitsPerStep: ranges.length,
    step: async () => {
      tree.dispose(p);
      p = mlpParams(s.sizes, s.seed);
      let first = 0;
      let sum = 0;
      for (let i = 0; i < ranges.length; i++) {
        const loss = await run(...ranges[i]);
        if (i === 0) first = loss;
        if (i >= ranges.length - 50) sum += loss;
      }
      last = `loss ${first.toFixed(4)} -> ${(sum / Math.min(50, ranges.length)).toFixed(4)} (mean of last 50 batches)`;
    },
    check: () => last,
  };
}

function prepare(spec: WorkloadSpec): Prepared | Promise<Prepared> {
  switch (spec.family) {
    case 'matmul': {
      const a = arr(uniform(spec.seed, STREAM.a, spec.n ** 2, -1, 1), [spec.n, spec.n]);
      const b = arr(uniform(spec.seed, STREAM.b, spec.n ** 2, -1, 1), [spec.n, spec.n]);
      let corner = 0;
      return {
        step: async () => {
          const c = np.matmul(a.ref, b.ref);
          corner = (await c.slice(0, 0).data())[0] as number;
        },
        check: () => `C[0,0] = ${corner.toFixed(4)}`,
      };
    }
    case 'overhead': {
      const a = np.array(uniform(spec.seed, STREAM.a, spec.size, -1, 1));
      const b = np.array(uniform(spec.seed, STREAM.b, spec.size, -1, 1));
      return {
        step: async () => {
          for (let i = 0; i < spec.opsPerStep; i++) {
            const c = a.ref.add(b.ref);
            await c.blockUntilReady(); // jax-js dispatches lazily: make each op run
            c.dispose();
          }
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

export const jaxjsSystem: BenchSystem = {
  async setup() {
    const devices = await init('wasm');
    if (!devices.includes('wasm'))
      throw new Error(`jax-js: wasm device unavailable (got ${devices.join(', ')})`);
    defaultDevice('wasm');
    const pooled =
      typeof SharedArrayBuffer !== 'undefined' &&
      typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined';
    return {
      system: 'jax-js',
      version: `@jax-js/jax ${installedVersion('@jax-js/jax')}`,
      backend: 'wasm, jit',
      threads: pooled ? 'worker pool' : '1 (no worker pool)',
      notes: [
        pooled
          ? 'jax-js wasm uses its worker pool'
          : "jax-js wasm is single-threaded here: its worker pool needs the Web 'Worker' global, which Node 20 lacks",
        'jax-js has no tape (autodiff is a transformation): the overhead loop is eager a.add(b), each result awaited with blockUntilReady',
      ],
    };
  },
  prepare,
};
