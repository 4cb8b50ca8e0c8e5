// BatchNorm with momentum null (cumulative running average) on webgpu: no read, same statistics as the js backend.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { webgpuUnavailable } from '../helpers/backends.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`webgpu BatchNorm tests skipped: ${missing}`);

/** Three training batches through a fresh layer, then one eval pass; every value read at the end. */
async function run(make: () => gl.nn.Module, shape: number[]) {
  const bn = make() as gl.nn.BatchNorm2d;
  const outs: number[][] = [];
  const n = shape.reduce((a, b) => a * b, 1);
  const C = shape[1];
  const inner = n / shape[0] / C;
  /** The average over the 3 batches of each channel's batch mean (what a cumulative average ends at). */
  const avgOfMeans = new Array<number>(C).fill(0);
  for (let s = 0; s < 3; s++) {
    const data = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + s) * (s + 1) + s);
    data.forEach((v, i) => (avgOfMeans[Math.floor(i / inner) % C] += v / (n / C) / 3));
    outs.push(Array.from(await (bn.forward(gl.tensor(data).reshape(shape)) as gl.Tensor).data()));
  }
  bn.eval();
  const probe = gl
    .tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i)))
    .reshape(shape);
  outs.push(Array.from(await (bn.forward(probe) as gl.Tensor).data()));
  return {
    outs,
    mean: Array.from(await bn.runningMean!.data()),
    var: Array.from(await bn.runningVar!.data()),
    count: (await bn.numBatchesTracked!.data())[0],
    avgOfMeans,
  };
}

const close = (a: number[], b: number[], tol: number) =>
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(tol * (1 + Math.abs(b[i]))));

describe.skipIf(missing !== null)('BatchNorm momentum null on webgpu', () => {
  afterAll(() => gl.setBackend('js'));

  it.each([
    ['BatchNorm1d', () => new gl.nn.BatchNorm1d(3, { momentum: null }), [6, 3]],
    ['BatchNorm2d', () => new gl.nn.BatchNorm2d(2, { momentum: null }), [3, 2, 2, 3]],
  ] as const)('%s: cumulative running statistics without a read', async (_name, make, shape) => {
    await gl.setBackend('js');
    const ref = await run(make, [...shape]);
    await gl.setBackend('webgpu');
    const gpu = backendByName('webgpu') as unknown as { readSync: () => never };
    const readSync = gpu.readSync;
    let syncReads = 0;
    gpu.readSync = () => (syncReads++, readSync.call(gpu));
    let got: Awaited<ReturnType<typeof run>>;
    try {
      got = await run(make, [...shape]);
    } finally {
      gpu.readSync = readSync;
    }
    expect(syncReads).toBe(0);
    expect(got.count).toBe(3);
    // float32 on both sides; 1/count is rounded once on the device instead of in float64, and the GPU
    // reduces in another order: agreement to a few float32 ulps (2e-6 relative)
    close(got.mean, ref.mean, 2e-6);
    close(got.var, ref.var, 2e-6);
    got.outs.forEach((o, k) => close(o, ref.outs[k], 2e-5));
    // a cumulative average from a zero start ends at the plain average of the batch means (computed
    // here in float64 from the inputs), which the default momentum 0.1 would not give
    close(got.mean, got.avgOfMeans, 2e-6);
  });
});
