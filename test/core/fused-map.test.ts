// Fused elementwise expressions on webgpu: compiled chains equal the op-by-op results, pipelines are keyed by the
// expression's shape, relu's backward is one dispatch and bit-equal to its rule, and an MLP step's dispatch count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { fusedMap } from '../../src/core/fused-map.js';
import { webgpuUnavailable } from '../helpers/backends.js';
import { runsOf, without, withFusedTable } from '../helpers/fused.js';
import { ELEMENTWISE_CASES, I, op, V } from '../helpers/elementwise-cases.js';
import { checkIndexRange } from '../../src/core/index-check.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`fused elementwise tests skipped: ${missing}`);

const gpu = () => backendByName('webgpu') as WebGPUBackend;
const dispatches = () => gpu().stats().dispatches;
const pipelineCount = () => (gpu() as unknown as { pipelines: Map<string, unknown> }).pipelines.size;

/** Runs `fn` without webgpu's expression kernel (relu's rule then takes the composite). */
function unfused<T>(fn: () => Promise<T>): Promise<T> {
  return withFusedTable(gpu(), without(gpu(), 'expression'), fn);
}

/** Values with the awkward cases: zeros of both signs, NaN, infinities, and ordinary numbers. */
function awkward(n: number, phase: number): number[] {
  const special = [0, -0, NaN, Infinity, -Infinity, 1, -1];
  return Array.from({ length: n }, (_, i) =>
    i < special.length ? special[(i + phase) % special.length] : Math.sin(i * 1.7 + phase) * 3,
  );
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe.skipIf(missing !== null)('fused elementwise expressions (webgpu)', () => {
  beforeAll(async () => {
    await gl.setBackend('webgpu');
  });
  afterAll(() => gl.setBackend('js'));

  for (const [name, expr, ref, exact] of ELEMENTWISE_CASES)
    it(`${name}: one dispatch, equal to the ops (broadcast and strided operands)`, async () => {
      const a = gl
        .tensor(awkward(6 * 5, 0))
        .reshape([5, 6])
        .transpose(0, 1); // [6, 5], strided
      const b = gl.tensor(awkward(5, 3)).reshape([1, 5]); // broadcast over rows
      const d0 = dispatches();
      const got = fusedMap(expr, [a, b]);
      expect(dispatches() - d0).toBe(1);
      const g = Array.from(await got.data());
      const r = Array.from(await ref(a, b.expand([6, 5])).data());
      for (let i = 0; i < g.length; i++) {
        if (exact || !Number.isFinite(r[i])) expect(same(g[i], r[i]), `${i}: ${g[i]} vs ${r[i]}`).toBe(true);
        else expect(Math.abs(g[i] - r[i])).toBeLessThanOrEqual(Math.abs(r[i]) * 2 ** -23);
      }
    });

  it('compiles one pipeline per expression shape, whatever its constants', async () => {
    const a = gl.tensor([1, 2, 3]);
    const e = (c: number) => op('mul', op('add', I(0), V(c)), V(2 * c));
    await fusedMap(e(0.25), [a]).data(); // warm: compiled once
    const before = pipelineCount();
    const out = fusedMap(e(1.5), [a]);
    expect(pipelineCount()).toBe(before);
    expect(Array.from(await out.data())).toEqual([7.5, 10.5, 13.5]);
  });

  it('runs the composite where the kernel does not apply (int32 inputs, a tape to record, js)', async () => {
    const neg = op('neg', I(0));
    const viaOps = (make: () => gl.Tensor) => {
      const r = runsOf('expression', make);
      expect([r.kernel, r.composite]).toEqual([0, 1]);
      return r.result;
    };
    expect(
      Array.from(await viaOps(() => fusedMap(neg, [gl.tensor(Int32Array.from([1, 2]))])).data()),
    ).toEqual([-1, -2]);
    const x = gl.tensor([1, 2]).requiresGrad_();
    const y = viaOps(() => fusedMap(neg, [x])); // grad mode on and x requires grad: recorded
    expect(y.gradFn).not.toBeNull();
    expect(runsOf('expression', () => gl.noGrad(() => fusedMap(neg, [x]))).kernel).toBe(1);
    await gl.setBackend('js');
    try {
      expect(Array.from(viaOps(() => fusedMap(neg, [gl.tensor([1, 2])])).dataSync())).toEqual([-1, -2]);
    } finally {
      await gl.setBackend('webgpu');
    }
  });

  // activation, its op-by-op backward dispatch count, and whether the fused result must be bit-equal:
  // tanh's 1 - y*y may be contracted into an FMA by a driver, so it is held to |g| * 2^-24 + 1 ulp
  const ACTIVATIONS: [string, (x: gl.Tensor) => gl.Tensor, number, boolean][] = [
    ['relu', gl.relu, 2, true], // gt, where (their zeros written by the queue)
    ['sigmoid', gl.sigmoid, 3, true], // sub, mul, mul
    ['tanh', gl.tanh, 3, false], // mul, sub, mul
  ];
  for (const [name, f, opsCount, exact] of ACTIVATIONS)
    it(`${name}'s backward is one fused dispatch, equal to the rule's op sequence`, async () => {
      const run = async () => {
        const x = gl.tensor(awkward(40, 1)).reshape([8, 5]).requiresGrad_();
        const y = f(x);
        const g = gl.tensor(awkward(40, 4)).reshape([8, 5]);
        const d0 = dispatches();
        y.backward(g);
        const n = dispatches() - d0;
        return { n, grad: Array.from(await x.grad!.data()), g: Array.from(await g.data()) };
      };
      const fused = await run();
      const ref = await unfused(run);
      expect(fused.n).toBe(1);
      expect(ref.n).toBe(opsCount);
      fused.grad.forEach((v, i) => {
        const r = ref.grad[i];
        if (exact || !Number.isFinite(r)) expect(same(v, r), `${i}: ${v} vs ${r}`).toBe(true);
        else
          expect(Math.abs(v - r)).toBeLessThanOrEqual(
            Math.abs(fused.g[i]) * 2 ** -24 + Math.abs(r) * 2 ** -23,
          );
      });
    });

  it("relu's backward with createGraph takes the differentiable rule", async () => {
    const x = gl.tensor([-1, 0.5, 2]).requiresGrad_();
    const g = gl.tensor([1, 2, 3]).requiresGrad_();
    const [gx] = gl.grad([gl.relu(x)], [x], { gradOutputs: [g], createGraph: true });
    expect(gx!.gradFn).not.toBeNull();
    const [gg] = gl.grad([gl.sum(gx!)], [g]);
    expect(Array.from(await gg!.data())).toEqual([0, 1, 1]);
  });

  it('small constants are written without a dispatch (float32, int32, bool)', async () => {
    const d0 = dispatches();
    const f = gl.full([3], -2.5);
    const i = gl.full([2], 7, { dtype: 'int32' });
    const b = gl.full([2], 1, { dtype: 'bool' });
    expect(dispatches() - d0).toBe(0);
    expect(Array.from(await f.data())).toEqual([-2.5, -2.5, -2.5]);
    expect(Array.from(await i.data())).toEqual([7, 7]);
    expect(Array.from(await b.data())).toEqual([1, 1]);
  });

  it('an MLP training step (784-32-32-10, ReLU, crossEntropy, SGD) runs in 26 dispatches', async () => {
    // forward: 3 matmul + 3 bias add + 2 relu + 1 crossEntropy (rows and reduction) = 9
    // backward: 1 crossEntropy + 3 bias gradients (sums) + 3 weight and 2 input gradients (matmuls)
    //           + 2 relu backward (fused) = 11; SGD: 6 fused updates. Before fusion: 51.
    const sizes = [784, 32, 32, 10];
    const params: gl.Tensor[] = [];
    for (let l = 0; l < 3; l++) {
      params.push(
        gl
          .mul(gl.randn([sizes[l], sizes[l + 1]]), 0.05)
          .detach()
          .requiresGrad_(),
      );
      params.push(gl.zeros([sizes[l + 1]]).requiresGrad_());
    }
    const x = gl.rand([16, 784]);
    const y = gl.tensor(Int32Array.from({ length: 16 }, (_, i) => i % 10));
    const opt = new gl.optim.SGD(params, { lr: 0.05 });
    const step = () =>
      gl.tidy(() => {
        let h = x;
        for (let l = 0; l < 3; l++) {
          h = gl.add(gl.matmul(h, params[2 * l]), params[2 * l + 1]);
          if (l < 2) h = gl.relu(h);
        }
        const loss = gl.crossEntropy(h, y);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        return loss;
      });
    const losses: number[] = [];
    for (let s = 0; s < 2; s++) {
      const l = step();
      losses.push(await l.itemAsync());
      l.dispose();
    }
    // crossEntropy's target range check (on the device, reported at the next read) is counted apart
    const c0 = dispatches();
    checkIndexRange(y, { op: 'crossEntropy/nllLoss', size: 10, ignore: -100, noun: 'target class' });
    const check = dispatches() - c0;
    await y.data();
    const d0 = dispatches();
    const l = step();
    expect(dispatches() - d0 - check).toBe(26);
    losses.push(await l.itemAsync());
    l.dispose();
    expect(losses[2]).toBeLessThan(losses[0]);
  });
});
