// logSoftmaxGrad (logSoftmax's one-pass backward) on every backend: equal to the three-op composite it
// replaced (any dim, strided inputs, short and long lanes), gradients of first and second order through
// logSoftmax, crossEntropy and the primitive itself against finite differences, and relu's backward.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { apply } from '../../src/core/engine.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';
import { checkGrad } from '../helpers/check-grad.js';

type Tensor = gl.Tensor;

const backends = await allTestBackends();
const cpuBackends = backends.filter((b) => b !== 'webgpu');
afterAll(() => useBackend(cpuBackends.includes('native') ? 'native' : 'js'));

const fused = (g: Tensor, y: Tensor, dim: number): Tensor => apply('logSoftmaxGrad', [g, y], { dim });
/** The backward logSoftmax had before the primitive: g - exp(y) * sum(g, dim). */
const composite = (g: Tensor, y: Tensor, dim: number): Tensor =>
  gl.sub(g, gl.mul(gl.exp(y), gl.sum(g, dim, true)));

/**
 * On webgpu, parks a NaN-filled buffer of `n` float32 elements in the buffer pool so that the next
 * output of that size is allocated from it (the CPU backends poison their outputs themselves, see
 * useBackend): an element a kernel leaves unwritten then reads NaN.
 */
async function poisonGpu(n: number): Promise<void> {
  if (gl.getBackend() !== 'webgpu') return;
  const junk = gl.full([n], NaN);
  await junk.data();
  junk.dispose();
}

async function values(t: Tensor): Promise<number[]> {
  return Array.from((await t.data()) as ArrayLike<number>);
}

/** Max |a - b| over max |b| (both finite everywhere); throws naming the first non-finite element. */
function relErr(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) throw new Error(`element ${i}: ${a[i]} vs ${b[i]}`);
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / Math.max(scale, 1e-30);
}

interface LaneCase {
  name: string;
  /** g, y and the dim; y is a logSoftmax output so exp(y) is a distribution along dim. */
  make: (dt: 'float32' | 'float64') => [Tensor, Tensor, number];
}

const gen = () => new gl.Generator(7);
const randn = (shape: number[], dtype: 'float32' | 'float64', g: gl.Generator) =>
  gl.randn(shape, { dtype, generator: g });
const lsm = (x: Tensor, dim: number) => gl.logSoftmax(x, dim);

const laneCases: LaneCase[] = [
  ...[0, 1, 2].map((dim) => ({
    name: `[4, 7, 9] dim ${dim}`,
    make: (dt: 'float32' | 'float64'): [Tensor, Tensor, number] => {
      const r = gen();
      return [randn([4, 7, 9], dt, r), lsm(randn([4, 7, 9], dt, r), dim), dim];
    },
  })),
  {
    name: 'permuted g and y (strided lanes and outer dims), dim 1',
    make: (dt) => {
      const r = gen();
      const g = randn([9, 4, 7], dt, r).permute([1, 2, 0]);
      const y = lsm(randn([7, 9, 4], dt, r), 0).permute([2, 0, 1]);
      return [g, y, 1];
    },
  },
  {
    name: 'transposed g with contiguous y, last dim',
    make: (dt) => {
      const r = gen();
      return [randn([6, 5], dt, r).transpose(0, 1), lsm(randn([5, 6], dt, r), 1), 1];
    },
  },
  {
    name: 'broadcast g (a zero stride along the lane)',
    make: (dt) => {
      const r = gen();
      return [randn([3, 1], dt, r).expand([3, 8]), lsm(randn([3, 8], dt, r), 1), 1];
    },
  },
  {
    name: 'long lanes (5000, a workgroup tree on webgpu), dim 1',
    make: (dt) => {
      const r = gen();
      return [randn([3, 5000], dt, r), lsm(randn([3, 5000], dt, r), 1), 1];
    },
  },
  {
    name: 'long strided lanes (5000 along dim 0)',
    make: (dt) => {
      const r = gen();
      return [randn([5000, 3], dt, r), lsm(randn([5000, 3], dt, r), 0), 0];
    },
  },
  {
    name: 'many short lanes [2000, 10]',
    make: (dt) => {
      const r = gen();
      return [randn([2000, 10], dt, r), lsm(randn([2000, 10], dt, r), 1), 1];
    },
  },
  {
    name: 'lanes of length 1 and 0-d',
    make: (dt) => {
      const r = gen();
      return [randn([], dt, r), lsm(randn([], dt, r), 0), 0];
    },
  },
];

for (const backend of backends) {
  const dtypes = backend === 'webgpu' ? (['float32'] as const) : (['float32', 'float64'] as const);
  describe(`logSoftmaxGrad on ${backend}`, () => {
    for (const dt of dtypes)
      for (const c of laneCases)
        it(`${dt}: ${c.name} equals g - exp(y) * sum(g)`, async () => {
          await useBackend(backend);
          const [g, y, dim] = c.make(dt);
          const want = await values(composite(g, y, dim));
          await poisonGpu(Math.max(1, g.numel));
          const out = fused(g, y, dim);
          expect(out.shape).toEqual(g.shape);
          expect(out.dtype).toBe(dt);
          // float32 sums of up to 5000 terms in another order (a tree on webgpu)
          expect(relErr(await values(out), want)).toBeLessThan(dt === 'float64' ? 1e-13 : 2e-5);
        });

    it('float32 logSoftmax forward: long lanes (tree) and short lanes match the float64 js values', async () => {
      const cases: [number[], number][] = [
        [[3, 5000], 1],
        [[5000, 3], 0],
        [[2000, 10], 1],
        [[4, 300], 1],
      ];
      for (const [shape, dim] of cases) {
        await useBackend('js');
        const x64 = gl.mul(gl.randn(shape, { dtype: 'float64', generator: gen() }), 3);
        const x32data = Float32Array.from(x64.dataSync() as Float64Array);
        const want = gl.logSoftmax(gl.tensor(Float64Array.from(x32data)).reshape(shape), dim);
        const wantVals = Array.from(want.dataSync() as Float64Array);
        await useBackend(backend);
        const x = gl.tensor(x32data).reshape(shape);
        await poisonGpu(x.numel);
        const got = await values(gl.logSoftmax(x, dim));
        expect(relErr(got, wantVals), `${shape} dim ${dim}`).toBeLessThan(2e-6);
      }
    });

    it('logSoftmax of a 0-d tensor is 0 and its gradient 0 (one lane of length 1)', async () => {
      await useBackend(backend);
      const x = gl.tensor(3).requiresGrad_();
      await poisonGpu(1);
      const y = gl.logSoftmax(x, 0);
      expect(y.shape).toEqual([]);
      expect(await values(y)).toEqual([0]);
      const [gx] = gl.grad([y], [x], { gradOutputs: [gl.tensor(2.5)] });
      expect(await values(gx!)).toEqual([0]);
    });

    it('crossEntropy on long rows: loss and logits gradient match float64 js values', async () => {
      await useBackend('js');
      const x64 = gl.randn([4, 3000], { dtype: 'float64', generator: gen() });
      const xData = Float32Array.from(x64.dataSync() as Float64Array);
      const labels = [5, 2999, 0, 1234];
      const ref = gl.tensor(Float64Array.from(xData)).reshape([4, 3000]).requiresGrad_();
      const refLoss = gl.crossEntropy(ref, gl.tensor(labels, { dtype: 'int32' }));
      refLoss.backward();
      const wantLoss = refLoss.item();
      const wantGrad = Array.from(ref.grad!.dataSync() as Float64Array);
      await useBackend(backend);
      const x = gl.tensor(xData).reshape([4, 3000]).requiresGrad_();
      const loss = gl.crossEntropy(x, gl.tensor(labels, { dtype: 'int32' }));
      loss.backward();
      expect(Math.abs((await values(loss))[0] - wantLoss) / wantLoss).toBeLessThan(1e-5);
      expect(relErr(await values(x.grad!), wantGrad)).toBeLessThan(1e-5);
    });
  });
}

describe('logSoftmaxGrad: errors', () => {
  it('names mismatched shapes, dtypes and non-float inputs', async () => {
    await useBackend('js');
    const a = gl.zeros([2, 3]);
    expect(() => fused(a, gl.zeros([3, 2]), 1)).toThrow(gl.ShapeError);
    expect(() => fused(a, gl.zeros([3, 2]), 1)).toThrow(/g and y of one shape, got \[2,3\] and \[3,2\]/);
    expect(() => fused(a, gl.zeros([2, 3], { dtype: 'float64' }), 1)).toThrow(gl.DTypeError);
    expect(() =>
      fused(gl.zeros([2, 3], { dtype: 'int32' }), gl.zeros([2, 3], { dtype: 'int32' }), 1),
    ).toThrow(gl.DTypeError);
    expect(() => fused(a, a, 2)).toThrow(/dim 2 is out of range for 2 dims/);
  });
});

for (const backend of cpuBackends)
  describe(`gradients through logSoftmax and crossEntropy on ${backend} (finite differences, float64)`, () => {
    const F64 = { dtype: 'float64' } as const;
    const rn = (shape: number[], seed: number) =>
      gl.randn(shape, { ...F64, generator: new gl.Generator(seed) });

    it('logSoftmaxGrad itself, first and second order in g and y, along dims 0 and 2', async () => {
      await useBackend(backend);
      for (const dim of [0, 2]) {
        const y = gl.logSoftmax(rn([3, 2, 4], 1), dim);
        checkGrad((g, yy) => fused(g, yy, dim), [rn([3, 2, 4], 2), y], { order: 2 });
      }
    });

    it('logSoftmax of a permuted input, second order', async () => {
      await useBackend(backend);
      checkGrad((x) => gl.logSoftmax(x.permute([2, 0, 1]), 1), [rn([3, 4, 2], 3)], { order: 2 });
    });

    it('softmax along dim 0, second order', async () => {
      await useBackend(backend);
      checkGrad((x) => gl.softmax(x, 0), [rn([4, 3], 4)], { order: 2 });
    });

    it('crossEntropy with labels and with probabilities, second order', async () => {
      await useBackend(backend);
      const labels = gl.tensor([2, 0, 4], { dtype: 'int32' });
      checkGrad((x) => gl.crossEntropy(x, labels), [rn([3, 5], 5)], { order: 2 });
      const p = gl.softmax(rn([3, 5], 6), 1);
      checkGrad((x, t) => gl.crossEntropy(x, t, { labelSmoothing: 0.1 }), [rn([3, 5], 7), p], { order: 2 });
    });

    it('logSoftmax routes its backward through one logSoftmaxGrad node', async () => {
      await useBackend(backend);
      const x = rn([2, 3], 8).requiresGrad_();
      const [gx] = gl.grad([gl.logSoftmax(x, 1)], [x], { gradOutputs: [rn([2, 3], 9)], createGraph: true });
      expect(gx!.gradFn?.op).toBe('logSoftmaxGrad');
    });
  });

for (const backend of backends)
  describe(`relu's backward on ${backend}`, () => {
    it('passes g where y > 0 and gives 0 elsewhere, even where g is NaN or infinite', async () => {
      await useBackend(backend);
      const x = gl.tensor([-1, 0, 2, -3, 4, 0.5]).requiresGrad_();
      const g = gl.tensor([NaN, Infinity, 3, -Infinity, NaN, 7]);
      const [gx] = gl.grad([gl.relu(x)], [x], { gradOutputs: [g] });
      const got = await values(gx!);
      expect(got.slice(0, 4)).toEqual([0, 0, 3, 0]);
      expect(got[4]).toBeNaN();
      expect(got[5]).toBe(7);
    });
  });

for (const backend of cpuBackends)
  describe(`relu second order on ${backend}`, () => {
    it('matches finite differences away from the kink', async () => {
      await useBackend(backend);
      const x = gl.tensor([-1.3, 0.4, 2, -0.7, 1.1, -2.2], { dtype: 'float64' }).reshape([2, 3]);
      checkGrad((v) => gl.mul(gl.relu(v), gl.relu(v)), [x], { order: 2 });
    });
  });
