// Every fused entry, on every backend here: the backend's kernel (where it has one) equals the entry's composite,
// and every differentiable composite passes a second-order gradient check in float64.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { FusedKernel } from '../../src/core/fused-kernels.js';
import { coreFusedTable } from '../../src/core/fused-table.js';
import { fusedMap, RELU_GRAD, SIGMOID_GRAD, TANH_GRAD } from '../../src/core/fused-map.js';
import { matmulEpilogue } from '../../src/core/matmul-epilogue.js';
import { conv2dEpilogueOp } from '../../src/core/conv2d-epilogue.js';
import { useBackend, webgpuUnavailable } from '../helpers/backends.js';
import { checkGrad } from '../helpers/check-grad.js';
import { without, withFusedTable } from '../helpers/fused.js';

const missingGpu = await webgpuUnavailable();
if (missingGpu !== null) console.info(`fused table tests on webgpu skipped: ${missingGpu}`);
/** The backends with float64 (the gradient checks need it). */
const SYNC_F64 = gl.availableBackends().filter((b) => b === 'js' || b === 'native');
const BACKENDS: gl.BackendName[] = [
  ...gl.availableBackends(),
  ...(missingGpu === null ? ['webgpu' as const] : []),
];

/** Deterministic values of `shape` (away from relu's kink at 0), float32 unless asked. */
function filled(shape: number[], seed: number, dtype: gl.DType = 'float32'): gl.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, (_, i) => Math.sin(i * 0.71 + seed) * 0.9 + (i % 2 ? 0.05 : -0.05));
  return gl.tensor(data, { dtype }).reshape(shape);
}

/** One case per entry: runs it once (the caller decides whether the kernel may run) and returns what it made. */
type Run = () => Promise<number[][]>;

const convP = {
  stride: [2, 1] as [number, number],
  padding: [1, 1] as [number, number],
  dilation: [1, 1] as [number, number],
  groups: 2,
};

/** The case of each entry: how to run it, and its float32 tolerance (relative to the largest value). */
const CASES: { [K in FusedKernel]: { run: Run; rtol: number } } = {
  expression: {
    // relu's and sigmoid's gradients round once per op in both: bit-equal; tanh's may be FMA-contracted on a GPU
    rtol: 2 ** -23,
    run: async () => {
      const g = filled([7, 9], 1);
      const y = gl.tanh(filled([7, 9], 2));
      const outs = [RELU_GRAD, TANH_GRAD, SIGMOID_GRAD].map((e) => fusedMap(e, [g, y]));
      return Promise.all(outs.map(async (t) => Array.from(await t.data())));
    },
  },
  conv2dInputGrad: {
    rtol: 1e-5, // sums in another order
    run: async () => {
      const x = filled([2, 4, 7, 6], 3).requiresGrad_();
      const w = filled([6, 2, 3, 3], 4);
      const y: gl.Tensor = gl.conv2d(x, w, null, {
        stride: convP.stride,
        padding: convP.padding,
        groups: convP.groups,
      });
      y.backward(filled([...y.shape], 5));
      return [Array.from(await x.grad!.data())];
    },
  },
  conv2dWeightGrad: {
    rtol: 1e-5,
    run: async () => {
      const x = filled([2, 4, 7, 6], 3);
      const w = filled([6, 2, 3, 3], 4).requiresGrad_();
      const y: gl.Tensor = gl.conv2d(x, w, null, {
        stride: convP.stride,
        padding: convP.padding,
        groups: convP.groups,
      });
      y.backward(filled([...y.shape], 5));
      return [Array.from(await w.grad!.data())];
    },
  },
  matmulEpilogue: {
    // the same GEMM and then the same float ops as the composite's kernels: equal
    rtol: 0,
    run: async () => {
      const a = filled([3, 5, 7], 9); // batched rows: b and bias are shared
      const b = filled([7, 6], 10);
      const bias = filled([6], 11);
      const acts = ['none', 'relu', 'tanh', 'sigmoid'] as const;
      const outs = gl.noGrad(() => acts.map((act) => matmulEpilogue(a, b, bias, act)));
      return Promise.all(outs.map(async (t) => Array.from(await t.data())));
    },
  },
  conv2dEpilogue: {
    // the same unfold and GEMM, then the same float ops as the composite's kernels: equal
    rtol: 0,
    run: async () => {
      const x = filled([2, 4, 7, 6], 12);
      const w = filled([6, 2, 3, 3], 13);
      const bias = filled([6], 14);
      const acts = ['none', 'relu', 'tanh', 'sigmoid'] as const;
      const outs = gl.noGrad(() => acts.map((act) => conv2dEpilogueOp(x, w, bias, convP, act)));
      return Promise.all(outs.map(async (t) => Array.from(await t.data())));
    },
  },
  sgdStep: {
    rtol: 1e-6, // a driver may contract a*b+c into an FMA
    run: async () => {
      const p = filled([5, 4], 6).requiresGrad_();
      const opt = new gl.optim.SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        gl.sum(gl.mul(p, p)).backward();
        opt.step();
      }
      return [Array.from(await p.data())];
    },
  },
  adamStep: {
    rtol: 1e-6,
    run: async () => {
      const p = filled([5, 4], 7).requiresGrad_();
      const opt = new gl.optim.AdamW([p], { lr: 0.01, weightDecay: 0.1 });
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        gl.sum(gl.mul(p, p)).backward();
        opt.step();
      }
      return [Array.from(await p.data())];
    },
  },
  crossEntropy: {
    rtol: 2e-6, // the reduction sums in another order
    run: async () => {
      const x = filled([6, 5], 8).requiresGrad_();
      const t = gl.tensor(Int32Array.from([0, 4, -100, 2, 1, 3]));
      const loss = gl.crossEntropy(x, t, { labelSmoothing: 0.1 });
      loss.backward();
      return [Array.from(await loss.data()), Array.from(await x.grad!.data())];
    },
  },
};

const ENTRIES = Object.keys(CASES) as FusedKernel[];

/** Kernel and composite runs of matmulEpilogue while `fn` runs. */
function runs<T>(fn: () => T): { kernel: number; composite: number; result: T } {
  const s0 = gl.fusedStats().matmulEpilogue;
  const result = fn();
  const s1 = gl.fusedStats().matmulEpilogue;
  return { kernel: s1.kernel - s0.kernel, composite: s1.composite - s0.composite, result };
}

function maxRelDiff(a: number[][], b: number[][]): number {
  let d = 0;
  let scale = 1e-30;
  a.forEach((row, k) =>
    row.forEach((v, i) => {
      d = Math.max(d, Math.abs(v - b[k][i]));
      scale = Math.max(scale, Math.abs(b[k][i]));
    }),
  );
  return d / scale;
}

describe('fused entries: kernel equals composite on every backend', () => {
  afterAll(() => useBackend('js'));
  for (const name of BACKENDS)
    for (const k of ENTRIES)
      it(`${k} on ${name}`, async () => {
        await useBackend(name);
        const be = backendByName(name);
        const c = CASES[k];
        const s0 = gl.fusedStats()[k];
        const got = await c.run();
        const s1 = gl.fusedStats()[k];
        const ref = await withFusedTable(be, without(be, k), c.run);
        const s2 = gl.fusedStats()[k];
        expect(s2.kernel - s1.kernel, 'the composite run took no kernel').toBe(0);
        expect(s2.composite - s1.composite).toBeGreaterThan(0);
        if (be.fused?.[k]) {
          // the backend has a kernel: it ran, and it equals the composite
          expect(s1.kernel - s0.kernel).toBeGreaterThan(0);
          expect(maxRelDiff(got, ref)).toBeLessThanOrEqual(c.rtol);
        } else {
          // no kernel here (a capability the backend lacks): the composite ran both times, identically
          expect(s1.kernel - s0.kernel).toBe(0);
          expect(got).toEqual(ref);
        }
      });
});

describe.each(SYNC_F64)(
  'fused entries: composites are differentiable to second order (float64, %s)',
  (name) => {
    afterAll(() => useBackend('js'));
    const f64 = (shape: number[], seed: number) => filled(shape, seed, 'float64');
    const second = { order: 2 as const, atol: 1e-6, rtol: 1e-5 };

    it('expression (relu, tanh and sigmoid gradients)', async () => {
      await useBackend(name);
      for (const e of [RELU_GRAD, TANH_GRAD, SIGMOID_GRAD])
        checkGrad(
          (g, y) => coreFusedTable.expression.composite([g, y], e),
          [f64([3, 4], 1), f64([3, 4], 2)],
          second,
        );
    });

    it('conv2dInputGrad and conv2dWeightGrad', async () => {
      await useBackend(name);
      const g = f64([2, 4, 3, 3], 1); // conv2d(x, w) with this geometry is [2, 4, 3, 3]
      const w = f64([4, 1, 3, 2], 2);
      const x = f64([2, 2, 5, 4], 3);
      const p = {
        stride: [2, 1] as [number, number],
        padding: [1, 0] as [number, number],
        dilation: [1, 1] as [number, number],
        groups: 2,
      };
      checkGrad(
        (a, b) => coreFusedTable.conv2dInputGrad.composite([a, b], { ...p, outShape: [...x.shape] }),
        [g, w],
        second,
      );
      checkGrad(
        (a, b) => coreFusedTable.conv2dWeightGrad.composite([a, b], { ...p, outShape: [...w.shape] }),
        [x, g],
        second,
      );
    });

    it('matmulEpilogue (every activation)', async () => {
      await useBackend(name);
      for (const activation of ['none', 'relu', 'tanh', 'sigmoid'] as const)
        checkGrad(
          (a, b, bias) => coreFusedTable.matmulEpilogue.composite([a, b, bias], { activation }),
          [f64([2, 3, 4], 6), f64([4, 5], 7), f64([5], 8)],
          second,
        );
    });

    it('conv2dEpilogue (every activation)', async () => {
      await useBackend(name);
      const p = {
        stride: [2, 1] as [number, number],
        padding: [1, 0] as [number, number],
        dilation: [1, 1] as [number, number],
        groups: 2,
      };
      for (const activation of ['none', 'relu', 'tanh', 'sigmoid'] as const)
        checkGrad(
          (x, w, bias) => coreFusedTable.conv2dEpilogue.composite([x, w, bias], { ...p, activation }),
          [f64([2, 2, 5, 4], 9), f64([4, 1, 3, 2], 10), f64([4], 11)],
          second,
        );
    });

    it('crossEntropy (its composite)', async () => {
      await useBackend(name);
      const t = gl.tensor(Int32Array.from([1, -100, 3, 0]));
      const w = f64([5], 4).abs();
      checkGrad((x) => gl.crossEntropy(x, t, { weight: w, labelSmoothing: 0.2 }), [f64([4, 5], 5)], second);
    });

    // sgdStep and adamStep are in-place parameter updates run under noGrad: there is nothing to differentiate.
  },
);

describe('nn.Linear uses the matmulEpilogue entry', () => {
  afterAll(() => useBackend('js'));
  for (const name of gl.availableBackends().filter((b) => b !== 'webgpu'))
    it(`on ${name}: off the tape by the backend's kernel where it has one, equal to the recorded ops`, async () => {
      await useBackend(name);
      const lin = new gl.nn.Linear(7, 6);
      const x = filled([4, 5, 7], 12);
      const onTape = runs(() => lin.forward(x)); // parameters require grad: recorded, composite
      const off = runs(() => gl.noGrad(() => lin.forward(x)));
      expect(onTape.composite).toBe(1);
      expect(off.kernel).toBe(backendByName(name).fused?.matmulEpilogue ? 1 : 0);
      expect(Array.from(off.result.dataSync())).toEqual(Array.from(onTape.result.dataSync()));
    });
});
