// Trainer: exact resume (bitwise weights, same loss curve), metrics, callbacks, early stopping, checkpoints, memory.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { useBackend, testBackends } from '../helpers/backends.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-train-');
const { nn } = gl;

/** 256 training and 96 test digits (on the current backend): 8 batches of 32 per epoch. */
function data(): { train: gl.data.TensorDataset; test: gl.data.TensorDataset } {
  const digits = gl.data.loadDataset('embedded', { flatten: true });
  const pick = (x: gl.Tensor, n: number) => x.slice(0, 0, n);
  return {
    train: new gl.data.TensorDataset(pick(digits.train.x, 256), pick(digits.train.y, 256)),
    test: new gl.data.TensorDataset(pick(digits.test.x, 96), pick(digits.test.y, 96)),
  };
}

interface Setup {
  model: gl.nn.Sequential;
  trainer: gl.train.Trainer;
  loader: gl.train.TrainLoader;
  testLoader: gl.train.EvalLoader;
  losses: Map<number, number>;
}

/** A model with dropout (so the random stream matters), Adam, warm-up + cosine, a shuffled loader. */
function setup(initSeed: number, extra: Partial<gl.train.TrainerOptions> = {}): Setup {
  gl.manualSeed(initSeed);
  const model = new nn.Sequential(
    new nn.Linear(64, 32),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Linear(32, 10),
  );
  const optimizer = new gl.optim.Adam(model.parameters(), { lr: 1e-2 });
  const scheduler = gl.optim.linearWarmup(optimizer, 4, new gl.optim.CosineAnnealingLR(optimizer, 20));
  const { train, test } = data();
  const loader = new gl.data.DataLoader(train, { batchSize: 32, shuffle: true, seed: 7 });
  const testLoader = new gl.data.DataLoader(test, { batchSize: 50 });
  const losses = new Map<number, number>();
  const record: gl.train.Callback = { onStepEnd: ({ step, metrics }) => void losses.set(step, metrics.loss) };
  gl.manualSeed(1234); // the dropout stream starts at the same place in every setup
  const trainer = new gl.train.Trainer({
    model,
    optimizer,
    scheduler,
    ...extra,
    callbacks: [record, ...(extra.callbacks ?? [])],
  });
  return { model, trainer, loader, testLoader, losses };
}

const weights = (m: gl.nn.Module) => [...m.stateDict()].map(([k, t]) => [k, [...t.dataSync()]] as const);

const initial = gl.getBackend();
afterAll(() => useBackend(initial));

describe.each(testBackends())('exact resume on %s', (backend) => {
  it('stop mid-epoch, resume in a fresh trainer: bitwise-equal weights and loss curve', async () => {
    await useBackend(backend);
    const full = setup(0);
    const a = await full.trainer.fit(full.loader, { epochs: 3, evalData: full.testLoader });
    expect(a.step).toBe(24);
    expect(a.stopReason).toBeNull();

    const dir = tempDir();
    const stopAt: gl.train.Callback = {
      onStepEnd: ({ step }, c) => (step === 13 ? c.stop('test') : undefined),
    };
    const first = setup(0, { checkpoint: { dir, everySteps: 5 }, callbacks: [stopAt] });
    const b = await first.trainer.fit(first.loader, { epochs: 3, evalData: first.testLoader });
    expect(b.stopReason).toBe('test');
    expect(b.step).toBe(13);
    expect(readdirSync(dir).sort()).toEqual([
      'latest.json',
      'step-00000005.safetensors',
      'step-00000008.safetensors',
      'step-00000010.safetensors',
    ]);
    expect(JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')).step).toBe(10);

    // different initial weights and a moved random stream: everything must come from the checkpoint
    const resumed = setup(99, { checkpoint: { dir, everySteps: 5 } });
    gl.manualSeed(5);
    const c = await resumed.trainer.fit(resumed.loader, {
      epochs: 3,
      evalData: resumed.testLoader,
      resumeFrom: dir,
    });
    expect(c.step).toBe(24);
    expect(weights(resumed.model)).toEqual(weights(full.model));
    expect([...resumed.losses.keys()]).toEqual(Array.from({ length: 14 }, (_, i) => 11 + i));
    for (const [step, loss] of resumed.losses) expect(loss).toBe(full.losses.get(step));
    for (let s = 1; s <= 13; s++) expect(first.losses.get(s)).toBe(full.losses.get(s));
    expect(c.history).toEqual(a.history); // epoch metrics (train and val) identical too
  });
});

describe('Trainer', () => {
  it('reports epoch metrics that match a direct computation', async () => {
    const s = setup(3);
    const r = await s.trainer.fit(s.loader, { epochs: 2, evalData: s.testLoader });
    expect(r.history.map((h) => h.epoch)).toEqual([0, 1]);
    const { test } = data();
    const [x, y] = [test.tensors[0], test.tensors[1]];
    s.model.eval();
    const out = gl.noGrad(() => s.model.forward(x));
    const acc = out.argmax(1).eq(y).float().mean().item();
    const loss = gl.crossEntropy(out, y).item();
    expect(r.metrics.valAccuracy).toBeCloseTo(acc, 6);
    expect(r.metrics.valLoss).toBeCloseTo(loss, 5);
    // the mean of the per-step losses, weighted by batch size (all batches are 32)
    const epoch1 = [...s.losses].filter(([k]) => k > 8).map(([, v]) => v);
    expect(r.history[1].metrics.loss).toBeCloseTo(epoch1.reduce((p, q) => p + q) / 8, 10);
  });

  it('early stopping stops when the monitored metric stops improving', async () => {
    const seen: number[] = [];
    const stopper = new gl.train.EarlyStopping({ monitor: 'valLoss', patience: 2 });
    // lr 0: nothing improves after the first epoch
    gl.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(64, 10));
    const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0 });
    const { train, test } = data();
    const trainer = new gl.train.Trainer({
      model,
      optimizer,
      callbacks: [stopper, { onEpochEnd: ({ epoch }) => void seen.push(epoch) }],
    });
    const r = await trainer.fit(new gl.data.DataLoader(train, { batchSize: 64 }), {
      epochs: 10,
      evalData: new gl.data.DataLoader(test, { batchSize: 64 }),
    });
    expect(r.stopReason).toBe('early-stopping');
    expect(seen).toEqual([0, 1, 2]);
    expect(stopper.wait).toBe(2);
  });

  it('keeps memory flat across epochs', async () => {
    const s = setup(1);
    // settle: let the garbage collector take tensors dropped before this test
    const gc = (globalThis as { gc?: () => void }).gc!;
    expect(typeof gc).toBe('function');
    const live: number[] = [];
    const probe: gl.train.Callback = {
      onEpochEnd: async () => {
        for (let i = 0; i < 3; i++) {
          gc();
          await new Promise((r) => setTimeout(r, 0));
        }
        live.push(gl.memory().tensors);
      },
    };
    const t = new gl.train.Trainer({ model: s.model, optimizer: s.trainer.optimizer, callbacks: [probe] });
    await t.fit(s.loader, { epochs: 4, evalData: s.testLoader });
    expect(live[3]).toBe(live[1]);
    expect(live[2]).toBe(live[1]);
  });

  it('maxSteps, keepLast and a manual checkpoint', async () => {
    const dir = tempDir();
    const s = setup(2, { checkpoint: { dir, everySteps: 3, keepLast: 2 } });
    const r = await s.trainer.fit(s.loader, { epochs: 5, maxSteps: 10 });
    expect(r.stopReason).toBe('max-steps');
    expect(r.step).toBe(10);
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors'))).toEqual([
      'step-00000008.safetensors',
      'step-00000009.safetensors',
    ]);
    const file = await s.trainer.saveCheckpoint();
    expect(path.basename(file)).toBe('step-00000010.safetensors');
    const ck = gl.train.readCheckpoint(file);
    expect(ck.state).toMatchObject({ step: 10, epoch: 1, iteration: 2 });
    expect(Object.keys(ck.tensors)).toContain('model.0.weight');
    expect(Object.keys(ck.tensors)).toContain('optimizer.state.0.exp_avg');
    for (const t of Object.values(ck.tensors)) t.dispose();
  });

  it('refuses checkpoints that do not fit, corrupt files and bad options with named errors', async () => {
    const dir = tempDir();
    const s = setup(0, { checkpoint: { dir } });
    await s.trainer.fit(s.loader, { epochs: 1 });
    gl.manualSeed(0);
    const other = new nn.Sequential(new nn.Linear(64, 16), new nn.ReLU(), new nn.Linear(16, 10));
    const t2 = new gl.train.Trainer({ model: other, optimizer: new gl.optim.Adam(other.parameters()) });
    expect(() => t2.loadCheckpoint(dir)).toThrow(gl.ArgumentError);
    expect(() => t2.loadCheckpoint(dir)).toThrow(/does not fit this trainer: model weights/);

    const bad = path.join(tempDir(), 'step-00000001.safetensors');
    writeFileSync(bad, 'not a checkpoint');
    expect(() => t2.loadCheckpoint(bad)).toThrow(gl.FileFormatError);
    const plain = path.join(tempDir(), 'w.safetensors');
    gl.saveSafetensors(plain, other.stateDict());
    expect(() => t2.loadCheckpoint(plain)).toThrow(/not a gradlab checkpoint/);
    expect(() => t2.loadCheckpoint(path.join(dir, 'missing'))).toThrow(gl.FileError);
    const empty = tempDir();
    expect(() => t2.loadCheckpoint(empty)).toThrow(/no checkpoint in/);

    const blocked = path.join(tempDir(), 'file');
    writeFileSync(blocked, '');
    const t3 = new gl.train.Trainer({
      model: other,
      optimizer: new gl.optim.Adam(other.parameters()),
      checkpoint: { dir: path.join(blocked, 'sub') },
    });
    await expect(t3.saveCheckpoint()).rejects.toThrow(gl.FileError);

    expect(() => new gl.train.Trainer({ model: other, optimizer: t2.optimizer, metrics: ['f1'] })).toThrow(
      /unknown metric 'f1'/,
    );
    await expect(t2.fit(s.loader, { epochs: 1.5 })).rejects.toThrow(/epochs must be an integer/);
    mkdirSync(path.join(dir, 'x'));
  });

  it('fit() helper and custom loss, top-k metric, epoch-interval schedule', async () => {
    gl.manualSeed(0);
    const model = new nn.Sequential(new nn.Linear(64, 10));
    const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
    const scheduler = new gl.optim.StepLR(optimizer, 1, { gamma: 0.5 });
    const { train } = data();
    const r = await gl.train.fit(model, new gl.data.DataLoader(train, { batchSize: 128 }), {
      optimizer,
      scheduler,
      schedulerInterval: 'epoch',
      metrics: ['accuracy', 'top3'],
      loss: (out, y) => gl.crossEntropy(out, y, { labelSmoothing: 0.1 }),
      epochs: 3,
    });
    expect(optimizer.paramGroups[0].lr).toBeCloseTo(0.1 / 8, 12);
    for (const h of r.history) expect(h.metrics.top3Accuracy).toBeGreaterThanOrEqual(h.metrics.accuracy);
    expect(Object.keys(r.metrics)).toEqual(['loss', 'accuracy', 'top3Accuracy']);
  });
});
