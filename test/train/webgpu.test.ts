// fit() and Trainer on webgpu (SwiftShader here): metrics, evaluation and checkpoints use asynchronous reads, so they run there.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { useBackend, webgpuUnavailable } from '../helpers/backends.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-train-webgpu-');
const { nn } = gl;

const initial = gl.getBackend();
afterAll(() => useBackend(initial));

interface Outcome {
  history: { epoch: number; metrics: Record<string, number> }[];
  stepLosses: number[];
  lastCheckpoint: string | null;
}

/** Two epochs of an MLP on 128 digits, shuffled, with evaluation, top-3 accuracy and a checkpoint per epoch. */
async function train(backend: gl.BackendName, dir: string): Promise<Outcome> {
  await useBackend(backend);
  const digits = gl.data.loadDataset('embedded', { flatten: true });
  const train = new gl.data.TensorDataset(digits.train.x.slice(0, 0, 128), digits.train.y.slice(0, 0, 128));
  const test = new gl.data.TensorDataset(digits.test.x.slice(0, 0, 64), digits.test.y.slice(0, 0, 64));
  gl.manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 10));
  const stepLosses: number[] = [];
  const r = await gl.train.fit(
    model,
    new gl.data.DataLoader(train, { batchSize: 32, shuffle: true, seed: 5 }),
    {
      optimizer: new gl.optim.Adam(model.parameters(), { lr: 1e-2 }),
      epochs: 2,
      evalData: new gl.data.DataLoader(test, { batchSize: 32 }),
      metrics: ['loss', 'accuracy', 'top3'],
      checkpoint: { dir },
      callbacks: [{ onStepEnd: ({ metrics }) => void stepLosses.push(metrics.loss) }],
    },
  );
  return { history: r.history, stepLosses, lastCheckpoint: r.lastCheckpoint };
}

describe('fit on webgpu', () => {
  it('trains with evaluation and checkpoints, and agrees with js', async () => {
    const why = await webgpuUnavailable();
    if (why !== null) {
      console.log(`skipped: webgpu unavailable: ${why}`);
      return;
    }
    const gpu = await train('webgpu', path.join(tempDir(), 'ckpt'));
    const cpu = await train('js', path.join(tempDir(), 'ckpt'));
    expect(gpu.stepLosses).toHaveLength(8);
    expect(gpu.history.map((h) => h.epoch)).toEqual([0, 1]);
    // float32 sums on the GPU are ordered differently: agreement to float32 rounding, not bitwise
    gpu.stepLosses.forEach((v, i) => expect(v).toBeCloseTo(cpu.stepLosses[i], 4));
    for (const [i, h] of gpu.history.entries()) {
      const ref = cpu.history[i].metrics;
      expect(Object.keys(h.metrics).sort()).toEqual(Object.keys(ref).sort());
      for (const k of ['loss', 'valLoss']) expect(h.metrics[k]).toBeCloseTo(ref[k], 4);
      for (const k of ['accuracy', 'top3Accuracy', 'valAccuracy', 'valTop3Accuracy'])
        expect(h.metrics[k]).toBe(ref[k]);
    }
    // the checkpoint written from the GPU reads back with the GPU weights
    const ck = gl.train.readCheckpoint(gpu.lastCheckpoint as string);
    expect(ck.state.step).toBe(8);
    expect(ck.state.history).toHaveLength(2);
  });
});
