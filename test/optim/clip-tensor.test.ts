// clipGradNormTensor: PyTorch's clip_grad_norm_ values on every backend without a read, and clipByNorm on webgpu.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { webgpuUnavailable } from '../helpers/backends.js';
import { fixture, maxRelErr, type ClipCase } from './helpers.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`webgpu clipGradNormTensor tests skipped: ${missing}`);

/** The fixture's gradients on parameters of `dtype` (float64 fixtures rounded to float32 when asked). */
function paramsOf(c: ClipCase, dtype: 'float32' | 'float64'): gl.Tensor[] {
  return c.grads.map((g) => {
    const p = gl.zeros(g.shape, { dtype, requiresGrad: true });
    p.grad = gl.tensor(g.data, { dtype }).reshape(g.shape);
    return p;
  });
}

describe('clipGradNormTensor matches torch.nn.utils.clip_grad_norm_ (js)', () => {
  it.each(fixture.clipGradNorm.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const params = paramsOf(c, c.dtype);
    const before = params.map((p) => p.grad!);
    const total = gl.optim.clipGradNormTensor(params, c.maxNorm, { normType: c.normType });
    expect(total.shape).toEqual([]);
    expect(total.dtype).toBe(c.dtype);
    const tol = c.dtype === 'float64' ? 1e-12 : 1e-6;
    expect(Math.abs(total.item() - c.totalNorm) / c.totalNorm).toBeLessThan(tol);
    params.forEach((p, i) => {
      expect(before[i].isDisposed).toBe(true); // replaced, and the old gradient released
      expect(maxRelErr(p.grad!.dataSync(), c.clipped[i])).toBeLessThan(tol);
    });
    total.dispose();
  });

  it('replaces (and releases) gradients that are broadcast views', () => {
    const x = gl.zeros([3, 4], { dtype: 'float64', requiresGrad: true });
    x.grad = gl.ones([4], { dtype: 'float64' }).expand([3, 4]); // a stride-0 view cannot be written in place
    const old = x.grad;
    expect(old.isContiguous).toBe(false);
    const total = gl.optim.clipGradNormTensor([x], 1);
    expect(total.item()).toBeCloseTo(Math.sqrt(12), 12);
    expect(x.grad).not.toBe(old);
    expect(old.isDisposed).toBe(true);
    expect(gl.norm(x.grad!).item()).toBeCloseTo(1, 5);
  });

  it('scales a gradient tensor shared by two parameters once', () => {
    const a = gl.zeros([2], { requiresGrad: true });
    const b = gl.zeros([2], { requiresGrad: true });
    const shared = gl.tensor([3, 4]);
    a.grad = shared;
    b.grad = shared;
    const total = gl.optim.clipGradNormTensor([a, b], 1);
    expect(total.item()).toBeCloseTo(Math.sqrt(50), 5);
    const s = 1 / (Math.sqrt(50) + 1e-6);
    for (const p of [a, b]) {
      const g = Array.from(p.grad!.dataSync());
      expect(g[0]).toBeCloseTo(3 * s, 6);
      expect(g[1]).toBeCloseTo(4 * s, 6);
    }
  });

  it('errorIfNonfinite reads and throws GradError on CPU backends; no gradients give 0', () => {
    const p = gl.zeros([2], { requiresGrad: true });
    p.grad = gl.tensor([Infinity, 1]);
    expect(() => gl.optim.clipGradNormTensor([p], 1, { errorIfNonfinite: true })).toThrow(gl.GradError);
    expect(gl.optim.clipGradNormTensor([gl.zeros([2])], 1).item()).toBe(0);
    expect(() => gl.optim.clipGradNormTensor([p], -1)).toThrow(/clipGradNormTensor: invalid maxNorm/);
  });
});

describe.skipIf(missing !== null)('clipGradNormTensor on webgpu', () => {
  afterAll(() => gl.setBackend('js'));

  /** Counts reads of the webgpu backend while `fn` runs. */
  async function countReads(fn: () => void): Promise<number> {
    await gl.setBackend('webgpu');
    const gpu = backendByName('webgpu') as unknown as { read: (...a: unknown[]) => Promise<unknown> };
    const read = gpu.read;
    let reads = 0;
    gpu.read = (...a) => (reads++, read.apply(gpu, a));
    try {
      fn();
    } finally {
      gpu.read = read;
    }
    return reads;
  }

  it.each(fixture.clipGradNorm.map((c) => [c.name, c] as const))(
    '%s: clips on the device without a read (float32)',
    async (_name, c) => {
      await gl.setBackend('webgpu');
      const params = paramsOf(c, 'float32');
      let total: gl.Tensor | null = null;
      const reads = await countReads(() => {
        total = gl.optim.clipGradNormTensor(params, c.maxNorm, { normType: c.normType });
      });
      expect(reads).toBe(0);
      // float64 fixtures run on float32 gradients here: the inputs round to float32 (relative 6e-8) and
      // the GPU sums in float32, so the norm and the clipped values agree to 2e-6 relative
      expect(Math.abs((await total!.itemAsync()) - c.totalNorm) / c.totalNorm).toBeLessThan(2e-6);
      for (let i = 0; i < params.length; i++)
        expect(maxRelErr(await params[i].grad!.data(), c.clipped[i])).toBeLessThan(2e-6);
    },
  );

  it('clipGradNorm (a number) says to use clipGradNormTensor; errorIfNonfinite is refused', async () => {
    await gl.setBackend('webgpu');
    const p = gl.zeros([2], { requiresGrad: true });
    p.grad = gl.tensor([3, 4]);
    expect(() => gl.optim.clipGradNorm([p], 1)).toThrow(gl.BackendError);
    expect(() => gl.optim.clipGradNorm([p], 1)).toThrow(/clipGradNormTensor/);
    expect(() => gl.optim.clipGradNormTensor([p], 1, { errorIfNonfinite: true })).toThrow(
      /errorIfNonfinite needs to read/,
    );
  });

  it('clipByNorm inside an optimizer step keeps the norm as a tensor and never reads', async () => {
    await gl.setBackend('webgpu');
    const p = gl.zeros([2], { requiresGrad: true });
    const clip = gl.optim.clipByNorm(1);
    const opt = new gl.optim.SGD([p], { lr: 1, transforms: [clip] });
    const reads = await countReads(() => {
      for (let s = 0; s < 2; s++) {
        p.grad = gl.tensor([3, 4]);
        opt.step();
      }
    });
    expect(reads).toBe(0);
    expect(clip.lastNorm).toBeNaN();
    expect(await clip.lastNormTensor!.itemAsync()).toBeCloseTo(5, 5);
    const got = Array.from(await p.data());
    expect(got[0]).toBeCloseTo(-1.2, 5);
    expect(got[1]).toBeCloseTo(-1.6, 5);
  });
});
