// Native conv2d: the forward kernel, and the fused gradients against the composed (unfold/matmul/fold) ones.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { FusedConvGradKernels } from '../../src/backends/backend.js';
import type { Conv2dParams } from '../../src/core/primitives.js';
import { useBackend } from '../helpers/backends.js';

const hasNative = gl.availableBackends().includes('native');

interface Case {
  name: string;
  x: [number, number, number, number];
  w: [number, number, number, number];
  opts: gl.ConvOptions;
}

const cases: Case[] = [
  { name: 'one input channel, 3x3 (small-k GEMMs)', x: [5, 1, 12, 12], w: [8, 1, 3, 3], opts: {} },
  {
    name: 'stride 2, padding 1, 3x2 kernel',
    x: [3, 6, 13, 11],
    w: [4, 6, 3, 2],
    opts: { stride: 2, padding: 1 },
  },
  {
    name: 'groups 2, dilation 2, padding 2',
    x: [2, 4, 9, 9],
    w: [6, 2, 3, 3],
    opts: { groups: 2, dilation: 2, padding: 2 },
  },
  { name: 'depthwise', x: [2, 3, 7, 6], w: [3, 1, 3, 3], opts: { groups: 3, padding: 1 } },
  { name: '1x1, many images', x: [70, 2, 6, 6], w: [3, 2, 1, 1], opts: {} },
  {
    name: 'tiny K with short rows (general path, small-n GEMM)',
    x: [3, 2, 6, 6],
    w: [4, 2, 2, 2],
    opts: { stride: 1 },
  },
  {
    name: 'uneven stride and padding',
    x: [2, 3, 5, 7],
    w: [5, 3, 5, 3],
    opts: { stride: [1, 2], padding: [2, 0] },
  },
  {
    // col2im in one AVX-512 register per row: rows of 16, row stride 2, taps shifted by padding and dilation
    name: 'rows of 16, row stride 2, padding and dilation',
    x: [3, 2, 11, 16],
    w: [3, 2, 3, 3],
    opts: { stride: [2, 1], padding: [1, 2], dilation: [1, 2] },
  },
  // one float too wide for a register: the zero-and-add col2im
  { name: 'rows of 17', x: [2, 2, 9, 17], w: [3, 2, 3, 3], opts: { padding: 1 } },
  // padding as large as the dilated kernel: taps that reach no input column at all
  {
    name: 'taps entirely in the padding',
    x: [2, 1, 5, 4],
    w: [2, 1, 3, 3],
    opts: { padding: 4, dilation: 2 },
  },
];

/** Large inputs: per-thread partial sums (tiny K), or more than 8M column elements (two image chunks accumulated). */
const chunked: Case[] = [
  {
    name: '250 images, 9 taps (per-thread partial weight gradients)',
    x: [250, 1, 64, 64],
    w: [2, 1, 3, 3],
    opts: {},
  },
  { name: 'two image chunks, BLAS accumulate', x: [64, 4, 64, 64], w: [20, 4, 3, 3], opts: {} },
];

/** A smooth pseudo-random fill (no RNG state shared between backends). */
function filled(shape: readonly number[], dtype: gl.DType, seed: number): gl.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return gl
    .tensor(
      Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.8),
      { dtype },
    )
    .reshape(shape);
}

/**
 * Gradients of sum(conv2d(x, w) * u) on the current backend, and how often the fused kernels ran
 * (`useFused` false: the backend's fused kernels are hidden, so the gradients are composed).
 */
function grads(
  c: Case,
  dtype: gl.DType,
  backend: gl.BackendName,
  useFused = true,
): { dx: number[]; dw: number[]; fused: number } {
  const b = backendByName(backend) as unknown as { fusedConvGrad?: FusedConvGradKernels };
  const saved = b.fusedConvGrad;
  let fused = 0;
  const counting: FusedConvGradKernels | undefined = saved && {
    inputGrad: (...a) => (fused++, saved.inputGrad(...a)),
    weightGrad: (...a) => (fused++, saved.weightGrad(...a)),
  };
  Object.defineProperty(b, 'fusedConvGrad', { value: useFused ? counting : undefined, configurable: true });
  try {
    return gl.tidy(() => {
      const x = filled(c.x, dtype, 1).requiresGrad_();
      const w = filled(c.w, dtype, 2).requiresGrad_();
      const y = gl.conv2d(x, w, null, c.opts);
      gl.sum(gl.mul(y, filled(y.shape, dtype, 3))).backward();
      return { dx: Array.from(x.grad!.dataSync()), dw: Array.from(w.grad!.dataSync()), fused };
    });
  } finally {
    Object.defineProperty(b, 'fusedConvGrad', { value: saved, configurable: true });
  }
}

/** Largest difference relative to the reference's largest magnitude (sums of many terms cancel). */
function relErr(a: number[], b: number[]): number {
  let e = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return e / scale;
}

describe.skipIf(!hasNative)('conv2d forward (native)', () => {
  afterAll(() => useBackend('native'));
  for (const dtype of ['float32', 'float64'] as const)
    for (const c of cases)
      it(`${c.name}, ${dtype}: equal to the js kernel`, async () => {
        const forward = () =>
          Array.from(gl.conv2d(filled(c.x, dtype, 1), filled(c.w, dtype, 2), null, c.opts).dataSync());
        await useBackend('js');
        const ref = forward();
        await useBackend('native');
        const got = forward();
        expect(got.length).toBe(ref.length);
        expect(relErr(got, ref)).toBeLessThan(dtype === 'float32' ? 1e-5 : 1e-13);
      });
});

describe.skipIf(!hasNative)('fused conv2d gradients (native)', () => {
  afterAll(() => useBackend('native'));
  for (const dtype of ['float32', 'float64'] as const)
    for (const c of cases)
      it(`${c.name}, ${dtype}: equal to the composed js gradients`, async () => {
        await useBackend('js');
        const ref = grads(c, dtype, 'js');
        await useBackend('native');
        const got = grads(c, dtype, 'native');
        expect(got.fused).toBe(2);
        expect(got.dx.length).toBe(ref.dx.length);
        // float32: GEMM and col2im sum in another order than the js kernels
        const tol = dtype === 'float32' ? 1e-5 : 1e-13;
        expect(relErr(got.dx, ref.dx)).toBeLessThan(tol);
        expect(relErr(got.dw, ref.dw)).toBeLessThan(tol);
      });

  // the composed native gradients (unfold/matmul/fold, checked against PyTorch in the op suite) are the
  // reference here: the js kernels would take seconds on these sizes
  for (const c of chunked)
    it(`${c.name}, float32: equal to the composed native gradients`, async () => {
      await useBackend('native');
      const ref = grads(c, 'float32', 'native', false);
      const got = grads(c, 'float32', 'native');
      expect(ref.fused).toBe(0);
      expect(got.fused).toBe(2);
      expect(relErr(got.dx, ref.dx)).toBeLessThan(1e-5);
      // each weight-gradient entry sums N·Ho·Wo terms (64·62·62 ≈ 246,000 in the largest case) in another
      // order: float32 rounding grows like sqrt(terms)·2^-24 ≈ 3e-5 relative (bounded here with N·H·W ≥ N·Ho·Wo)
      expect(relErr(got.dw, ref.dw)).toBeLessThan(Math.sqrt(c.x[0] * c.x[2] * c.x[3]) * 2 ** -24);
    });

  it('a differentiated backward (createGraph) composes the gradient instead', async () => {
    await useBackend('native');
    const b = backendByName('native') as unknown as { fusedConvGrad: FusedConvGradKernels };
    const saved = b.fusedConvGrad;
    let fused = 0;
    Object.defineProperty(b, 'fusedConvGrad', {
      value: {
        inputGrad: (...a: Parameters<FusedConvGradKernels['inputGrad']>) => (fused++, saved.inputGrad(...a)),
        weightGrad: (...a: Parameters<FusedConvGradKernels['weightGrad']>) => (
          fused++,
          saved.weightGrad(...a)
        ),
      },
      configurable: true,
    });
    try {
      const x = filled([2, 2, 6, 6], 'float64', 1).requiresGrad_();
      const w = filled([3, 2, 3, 3], 'float64', 2).requiresGrad_();
      const [gx] = gl.grad(gl.sum(gl.pow(gl.conv2d(x, w), 2)), [x], { createGraph: true });
      expect(fused).toBe(0);
      expect(gx!.requiresGrad).toBe(true);
    } finally {
      Object.defineProperty(b, 'fusedConvGrad', { value: saved, configurable: true });
    }
  });

  it('strided (non-dense) views are declined, so the gradient is composed', async () => {
    await useBackend('native');
    const b = backendByName('native') as unknown as { fusedConvGrad: FusedConvGradKernels };
    const p: Conv2dParams = { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 };
    const x = filled([2, 3, 5, 5], 'float32', 1).permute([0, 1, 3, 2]);
    const w = filled([4, 3, 3, 3], 'float32', 2);
    const g = filled([2, 4, 3, 3], 'float32', 3);
    expect(b.fusedConvGrad.weightGrad(x, g, gl.zeros([4, 3, 3, 3]), p)).toBe(false);
    expect(b.fusedConvGrad.inputGrad(g, w, gl.zeros([2, 3, 5, 5]).permute([0, 1, 3, 2]), p)).toBe(false);
    expect(b.fusedConvGrad.inputGrad(g, w, gl.zeros([2, 3, 5, 5]), p)).toBe(true);
  });
});
