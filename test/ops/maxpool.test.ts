// The fused maxPool2d / maxPool2dGrad primitives against the unfold/argmax/gather composite they replaced:
// equal values (ties, NaN, -Infinity, padding, dilation, strides unlike the kernel) and equal gradients
// on every backend, every output written over poisoned memory, and finite-difference gradient checks.
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { apply } from '../../src/core/engine.js';
import type { MaxPoolParams } from '../../src/core/primitives.js';
import { allTestBackends, useBackend } from '../helpers/backends.js';
import { checkGrad, fromData } from '../helpers/check-grad.js';

type Tensor = gl.Tensor;

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values from a small set, so windows hold ties; 0 and -0 both occur (which one wins shows the tie rule). */
const TIES = [-2, -1, -0, 0, 1, 2];

function sample(n: number, seed: number, pool: readonly number[]): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => pool[Math.floor(r() * pool.length)]);
}

const geom = (
  kernel: [number, number],
  stride: [number, number],
  padding: [number, number],
  dilation: [number, number],
): MaxPoolParams => ({ kernel, stride, padding, dilation });

/**
 * Window geometries: the CNN's 2x2/2 (short rows, and rows of 13 windows with odd H and W, which the
 * native row kernels run as overlapping blocks of 8), overlapping windows, padding, dilation, and stride
 * unlike the kernel.
 */
const GEOMETRIES: { name: string; p: MaxPoolParams; shape: number[] }[] = [
  { name: '2x2 stride 2', p: geom([2, 2], [2, 2], [0, 0], [1, 1]), shape: [2, 3, 6, 7] },
  { name: '2x2 stride 2, long rows', p: geom([2, 2], [2, 2], [0, 0], [1, 1]), shape: [2, 2, 9, 27] },
  { name: '3x3 stride 2 padding 1', p: geom([3, 3], [2, 2], [1, 1], [1, 1]), shape: [2, 2, 7, 6] },
  {
    name: '3x3 stride 1 padding 1 (overlapping)',
    p: geom([3, 3], [1, 1], [1, 1], [1, 1]),
    shape: [1, 3, 5, 5],
  },
  { name: '2x2 stride 1 padding 1 dilation 2', p: geom([2, 2], [1, 1], [1, 1], [2, 2]), shape: [2, 2, 5, 6] },
  {
    name: '3x2 stride [1,3] padding [1,0] dilation [2,1]',
    p: geom([3, 2], [1, 3], [1, 0], [2, 1]),
    shape: [1, 2, 8, 9],
  },
  { name: '1x1 stride 2', p: geom([1, 1], [2, 2], [0, 0], [1, 1]), shape: [2, 1, 5, 4] },
];

/** maxPool2d as gradlab computed it before the primitive: unfold (-Infinity padding), argmax, gather. */
function composite(x: Tensor, p: MaxPoolParams): Tensor {
  const [N, C, H, W] = x.shape;
  const out = (n: number, d: 0 | 1) =>
    Math.floor((n + 2 * p.padding[d] - p.dilation[d] * (p.kernel[d] - 1) - 1) / p.stride[d]) + 1;
  const [Ho, Wo] = [out(H, 0), out(W, 1)];
  const cols = gl.reshape(apply('unfold', [x], { ...p, padValue: -Infinity }), [
    N,
    C,
    p.kernel[0] * p.kernel[1],
    Ho * Wo,
  ]);
  return gl.reshape(gl.gather(cols, 2, gl.argmax(cols, 2, true)), [N, C, Ho, Wo]);
}

const fused = (x: Tensor, p: MaxPoolParams): Tensor => apply('maxPool2d', [x], p);

/** Values of y and of d<y, g>/dx for integer-valued g (sums of integers are exact in any order). */
async function valueAndGrad(
  f: (x: Tensor, p: MaxPoolParams) => Tensor,
  data: number[],
  shape: number[],
  p: MaxPoolParams,
  gSeed: number,
): Promise<{ y: number[]; dx: number[] }> {
  const x = gl.tensor(data).reshape(shape).requiresGrad_();
  const y = f(x, p);
  const g = gl.tensor(sample(y.numel, gSeed, [1, 2, 3, 4, 5, 6, 7])).reshape([...y.shape]);
  const [dx] = gl.grad([gl.sum(gl.mul(y, g))], [x]);
  return { y: Array.from(await y.data()), dx: Array.from(await dx!.data()) };
}

/** Element-wise identity that tells NaN = NaN and 0 from -0. */
function sameBits(a: number[], b: number[]): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `element ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}

const backends = await allTestBackends();

for (const backend of backends)
  describe(`maxPool2d primitive on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    for (const { name, p, shape } of GEOMETRIES)
      it(`${name}: values and gradients equal the composite's, ties and -0/0 included`, async () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = sample(n, 7 + shape[3], TIES);
        const want = await valueAndGrad(composite, data, shape, p, 3);
        const got = await valueAndGrad(fused, data, shape, p, 3);
        expect(sameBits(got.y, want.y)).toBeNull();
        expect(sameBits(got.dx, want.dx)).toBeNull();
      });

    it('NaN and -Infinity windows: the first NaN wins and takes the gradient, as before', async () => {
      for (const { p, shape } of [
        ...GEOMETRIES.slice(0, 6).map((g) => ({ ...g, shape: [2, 2, 6, 5] })),
        GEOMETRIES[1],
      ]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = sample(n, 11, [...TIES, NaN, -Infinity, -Infinity, -Infinity]);
        const want = await valueAndGrad(composite, data, shape, p, 5);
        const got = await valueAndGrad(fused, data, shape, p, 5);
        expect(sameBits(got.y, want.y)).toBeNull();
        expect(sameBits(got.dx, want.dx)).toBeNull();
      }
    });

    it('writes every output over poisoned memory, from strided (permuted) inputs and expanded gradients', async () => {
      // js/native hand kernels NaN-filled arrays (useBackend); on webgpu, NaN-filled buffers of the output
      // sizes go back to the buffer pool just before the kernels run, and the outputs must take them
      // (no buffer is created meanwhile; the pool hands out the last buffer released of a size first)
      const base = gl.tensor(sample(4 * 3 * 9 * 8, 21, TIES)).reshape([3, 9, 4, 8]);
      const x = gl.permute(base, [2, 0, 1, 3]); // [4, 3, 9, 8], not contiguous
      const p = geom([3, 2], [2, 2], [1, 1], [1, 1]);
      const yShape = [4, 3, 5, 5];
      const g = gl.expand(gl.tensor([[[[2]]]]), yShape); // zero strides
      const gpu = backend === 'webgpu' ? (backendByName('webgpu') as WebGPUBackend) : null;
      if (gpu)
        for (const s of [yShape, x.shape]) {
          const dirt = gl.full([...s], NaN);
          await dirt.data();
          dirt.dispose();
        }
      const created = gpu?.stats().createdBuffers;
      const y = fused(x, p);
      const dx = apply('maxPool2dGrad', [g, x], p);
      if (gpu) expect(gpu.stats().createdBuffers).toBe(created);
      expect(y.shape).toEqual(yShape);
      const yv = Array.from(await y.data());
      const dxv = Array.from(await dx.data());
      expect(yv.some(Number.isNaN)).toBe(false);
      expect(dxv.some(Number.isNaN)).toBe(false);
      expect(sameBits(yv, Array.from(await composite(x.contiguous(), p).data()))).toBeNull();
      // every window routes its 2 to one input element: the total is 2 per window (no window is all padding)
      expect(dxv.reduce((a, b) => a + b, 0)).toBe(2 * y.numel);
    });

    it('keeps the public errors of gl.maxPool2d and names the primitive in its own', () => {
      const x = gl.zeros([1, 1, 4, 4]);
      expect(() => gl.maxPool2d(gl.zeros([4, 4]), 2)).toThrow(gl.ShapeError);
      expect(() => gl.maxPool2d(x, 2, { padding: 2 })).toThrow(/padding should be at most half/);
      expect(() => gl.maxPool2d(x, 5)).toThrow(gl.ShapeError);
      expect(() => gl.maxPool2d(x, 5)).toThrow(/maxPool2d: kernel 5x5 does not fit input 4x4/);
      expect(() => gl.maxPool2d(gl.zeros([1, 1, 4, 4], { dtype: 'int32' }), 2)).toThrow(gl.DTypeError);
      expect(() => fused(x, geom([0, 2], [1, 1], [0, 0], [1, 1]))).toThrow(gl.ArgumentError);
      expect(() =>
        apply('maxPool2dGrad', [gl.zeros([1, 1, 3, 2]), x], geom([2, 2], [2, 2], [0, 0], [1, 1])),
      ).toThrow(/maxPool2dGrad: expected a gradient of shape \[1,1,2,2\] for input \[1,1,4,4\]/);
    });
  });

const cpuBackends = backends.filter((b) => b !== 'webgpu');
for (const backend of cpuBackends)
  describe(`maxPool2d gradient checks on ${backend} (float64)`, () => {
    beforeAll(() => useBackend(backend));

    /** Distinct values (no ties, so finite differences see one smooth piece) in random order. */
    const distinct = (shape: number[], seed: number): Tensor => {
      const n = shape.reduce((a, b) => a * b, 1);
      const r = prng(seed);
      const vals = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.13 + r() * 0.02);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [vals[i], vals[j]] = [vals[j], vals[i]];
      }
      return fromData(Float64Array.from(vals), shape);
    };

    for (const { name, p, shape } of GEOMETRIES)
      it(`${name}: first and second order`, () => {
        checkGrad((x) => fused(x, p), [distinct(shape, shape[2])], { order: 2 });
        // y * y makes the second-order graph run maxPool2dGrad's own rule (its gradient depends on y)
        checkGrad((x) => gl.mul(fused(x, p), fused(x, p)), [distinct(shape, shape[3])], { order: 2 });
      });

    it("maxPool2dGrad's rule in its gradient argument is the transpose of the kernel, ties and padding included", () => {
      for (const { p, shape } of GEOMETRIES) {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = fromData(Float64Array.from(sample(n, 31, [...TIES, -Infinity])), shape);
        const y = fused(x, p);
        const g = fromData(Float64Array.from(sample(y.numel, 5, [0.5, -1.25, 2, 3.5])), y.shape);
        // linear in g: finite differences are exact up to rounding whatever the ties in x
        checkGrad((gg) => apply('maxPool2dGrad', [gg, x], p), [g], { order: 2 });
      }
    });
  });
