// Recipe plumbing on an asynchronous device (webgpu): splits built on a host backend, asynchronous reads
// (accuracy, maxAbsDiff, cosine), synthetic class counts, and Mesa's named refusal; same values as on native.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { imageData } from '../../../src/recipes/common/images.js';
import { accuracy } from '../../../src/recipes/common/train.js';
import { cosine, maxAbsDiff } from '../../../src/recipes/util.js';
import { webgpuUnavailable } from '../../helpers/backends.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`recipe plumbing on webgpu skipped: ${missing}`);
const host = gl.getBackend();

afterAll(async () => {
  await gl.setBackend(host);
});

/** Builds the same things on `backend`: a small split, a linear model's accuracy and gradient comparisons. */
async function probe(backend: gl.BackendName) {
  await gl.setBackend(backend);
  const d = imageData({ policy: ['embedded'], nTrain: 48, nTest: 40, classes: [3, 5, 7] });
  gl.manualSeed(4);
  const lin = new gl.nn.Linear(d.inputSize, 3);
  const flat = (x: gl.Tensor) => x.reshape([x.shape[0], -1]);
  const acc = await accuracy((x) => lin.forward(flat(x)), d.test, 16);
  const a = [gl.tensor([1, -2, 3]), gl.tensor([[0.5, 4]])];
  const b = [gl.tensor([1, -2.5, 3]), gl.tensor([[0.5, 3]])];
  const spirals = gl.data.loadDataset('spirals', { n: 50 });
  return {
    device: d.train.x.device,
    trainY: Array.from(await d.train.y.data()),
    testX: Array.from(await d.test.x.data()),
    acc,
    diff: await maxAbsDiff(a, b),
    cos: await cosine(a, b),
    spiralClasses: spirals.numClasses,
    spiralY: Array.from(await spirals.train.y.data()),
  };
}

describe.skipIf(missing !== null)('recipe plumbing on webgpu', () => {
  it('gives the splits, accuracy, gradient comparisons and synthetic sets that native gives', async () => {
    const cpu = await probe(host);
    const gpu = await probe('webgpu');
    expect(gpu.device).toBe('webgpu');
    expect(gpu.trainY).toEqual(cpu.trainY);
    expect(gpu.testX).toEqual(cpu.testX);
    expect(new Set(gpu.trainY)).toEqual(new Set([0, 1, 2]));
    expect(gpu.acc).toBeCloseTo(cpu.acc, 6);
    expect(gpu.diff).toBe(1); // |4 − 3|
    expect(gpu.diff).toBe(cpu.diff);
    expect(gpu.cos).toBeCloseTo(cpu.cos, 6);
    expect(gpu.spiralClasses).toBe(2);
    expect(gpu.spiralY).toEqual(cpu.spiralY);
  });

  it('Mesa refuses a device without synchronous reads with a BackendError saying why', async () => {
    await gl.setBackend('webgpu');
    const x = gl.randn([8, 128]).requiresGrad_();
    const m = gl.lab.memory.mesa({ bits: 8 });
    expect(() => m.run(() => x.tanh().mul(x).sum())).toThrow(gl.BackendError);
    expect(() => m.run(() => x.tanh().mul(x).sum())).toThrow(/no synchronous reads/);
  });
});
