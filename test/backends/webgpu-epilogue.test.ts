// webgpu's matmul/conv epilogue kernels: bias and activation stored by the matmul shader, equal to the unfused
// path (GEMM, then the expression pass) and one dispatch fewer, on every matmul shader variant. Skipped without an adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { matmulEpilogue } from '../../src/core/matmul-epilogue.js';
import { conv2dEpilogueOp } from '../../src/core/conv2d-epilogue.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { useBackend, webgpuUnavailable } from '../helpers/backends.js';
import { without, withFusedTable } from '../helpers/fused.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`webgpu epilogue tests skipped: ${missing}`);

/** Deterministic float32 values of `shape`, both signs (so relu clips some). */
function filled(shape: number[], seed: number): gl.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return gl.tensor(Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.8)).reshape(shape);
}

/** Runs `make` with GRADLAB_WEBGPU_MATMUL* set as given (the shader choice reads them per product). */
async function withEnv<T>(vars: Record<string, string>, make: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await make();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

describe.skipIf(missing !== null)('webgpu epilogue in the matmul and conv shaders', () => {
  let gpu: WebGPUBackend;
  beforeAll(async () => {
    await useBackend('webgpu');
    gpu = backendByName('webgpu') as WebGPUBackend;
  });
  afterAll(() => useBackend('js'));

  /**
   * The entry `k` computed by `op` with the kernel and with the composite (the backend's table without
   * it): the values of each and the dispatches each queued.
   */
  async function both(
    k: 'matmulEpilogue' | 'conv2dEpilogue',
    op: () => gl.Tensor,
  ): Promise<{ fused: number[]; plain: number[]; fusedDispatches: number; plainDispatches: number }> {
    const d0 = gpu.stats().dispatches;
    const s0 = gl.fusedStats()[k].kernel;
    const y = gl.noGrad(op);
    const d1 = gpu.stats().dispatches;
    expect(gl.fusedStats()[k].kernel - s0, 'the kernel ran').toBe(1);
    const z = await withFusedTable(gpu, without(gpu, k), () => gl.noGrad(op));
    const d2 = gpu.stats().dispatches;
    const out = {
      fused: Array.from(await y.data()),
      plain: Array.from(await z.data()),
      fusedDispatches: d1 - d0,
      plainDispatches: d2 - d1,
    };
    y.dispose();
    z.dispose();
    return out;
  }

  // shader variants: the env settings that pick them, and the pipeline-key prefix that must appear
  const variants = [
    ['narrow', {}, [6, 20], [20, 10], 'matmul:f32:epi-col-', 'relu'],
    [
      'vec4, exact tiles',
      { GRADLAB_WEBGPU_MATMUL: 'wide4x', GRADLAB_WEBGPU_MATMUL_TILE: '64' },
      [64, 16],
      [16, 64],
      'matmul-v4:64x64:bk8:kn:x:p2:epi-col-',
      'sigmoid',
    ],
    ['scalar wide', { GRADLAB_WEBGPU_MATMUL: 'wide' }, [9, 7], [7, 5], 'matmul-wide:8:11:epi-col-', 'relu'],
  ] as const;

  // (one activation each: every shader variant compiles twice, which SwiftShader takes seconds for; the
  // fused-table test runs all four activations through the narrow shader; the bounds-checked vec4 variant
  // stores through the same `fin` as the exact one, behind its column guard)
  for (const [name, vars, aShape, bShape, key, act] of variants)
    it(`matmulEpilogue, ${name} shader: equal to the GEMM + expression pass, one dispatch fewer`, async () => {
      await withEnv(vars, async () => {
        const a = filled([...aShape], 1);
        const b = filled([...bShape], 2);
        const bias = filled([bShape[1]], 3);
        const r = await both('matmulEpilogue', () => matmulEpilogue(a, b, bias, act));
        // the same products and then the same float32 ops: bit-equal
        expect(r.fused).toEqual(r.plain);
        expect(r.fusedDispatches).toBe(1);
        expect(r.plainDispatches).toBe(2);
        expect(gpu.compiledKernels()).toContain(key + act);
      });
    });

  it('matmulEpilogue on a batched input (a [2, 3, 5]) and a transposed weight view', async () => {
    const a = filled([2, 3, 5], 4);
    const w = filled([6, 5], 5); // Linear's layout: b = w^T, a strided view
    const bias = filled([6], 6);
    const r = await both('matmulEpilogue', () => matmulEpilogue(a, w.transpose(0, 1), bias, 'tanh'));
    expect(r.fused).toEqual(r.plain);
    expect([r.fusedDispatches, r.plainDispatches]).toEqual([1, 2]);
  });

  it('matmulEpilogue with a split-K product: the epilogue runs after the chunk sum, same values', async () => {
    // K = 1024 and a single output tile: the product is cut into chunks (matmul-split.ts)
    const a = filled([3, 1024], 7);
    const b = filled([1024, 4], 8);
    const bias = filled([4], 9);
    const r = await both('matmulEpilogue', () => matmulEpilogue(a, b, bias, 'relu'));
    expect(r.fused).toEqual(r.plain);
    expect(r.fusedDispatches).toBe(r.plainDispatches); // chunks, sum, then the same expression pass
  });

  it('conv2dEpilogue (groups 2, stride, padding): equal to conv + expression pass, one dispatch fewer', async () => {
    const x = filled([2, 4, 7, 6], 10);
    const w = filled([6, 2, 3, 3], 11);
    const bias = filled([6], 12);
    const p = { stride: [2, 1], padding: [1, 1], dilation: [1, 1], groups: 2 } as const;
    const geom = { stride: [...p.stride], padding: [...p.padding], dilation: [...p.dilation], groups: 2 } as {
      stride: [number, number];
      padding: [number, number];
      dilation: [number, number];
      groups: number;
    };
    const r = await both('conv2dEpilogue', () => conv2dEpilogueOp(x, w, bias, geom, 'relu'));
    expect(r.fused).toEqual(r.plain);
    expect(r.fusedDispatches).toBe(r.plainDispatches - 1); // unfold + matmul vs unfold + matmul + expression
    expect(gpu.compiledKernels()).toContain('matmul:f32:epi-row-relu');
  });

  it('nn.Conv2d + ReLU in training: forward and gradients equal the unfused layers', async () => {
    gl.manualSeed(3);
    const model = new gl.nn.Sequential(new gl.nn.Conv2d(3, 4, 3, { padding: 1 }), new gl.nn.ReLU());
    const x = filled([2, 3, 5, 5], 13);
    const grads = async (fuse: boolean): Promise<number[][]> => {
      const was = gl.nn.setLayerFusion(fuse);
      try {
        model.zeroGrad();
        const y = model.forward(x);
        y.mul(filled([...y.shape], 14))
          .sum()
          .backward();
        return Promise.all(
          [y, ...[...model.parameters()].map((q) => q.grad!)].map(async (t) => Array.from(await t.data())),
        );
      } finally {
        gl.nn.setLayerFusion(was);
      }
    };
    const k0 = gl.fusedStats().conv2dEpilogue.kernel;
    const fused = await grads(true);
    expect(gl.fusedStats().conv2dEpilogue.kernel - k0).toBe(1); // the tape node's forward is the kernel
    const plain = await grads(false);
    // forward bit-equal (same unfold, GEMM and float ops); gradients to float32 rounding (reductions in another order)
    expect(fused[0]).toEqual(plain[0]);
    fused
      .slice(1)
      .forEach((g, i) =>
        g.forEach((v, j) =>
          expect(Math.abs(v - plain[i + 1][j])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(v))),
        ),
      );
  });
});
