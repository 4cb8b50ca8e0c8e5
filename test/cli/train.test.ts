// `gradlab train` end to end: spawned runs on the embedded digits (tiny budgets), --json, resume, SIGINT, errors.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { RunStore } from '../../src/store/index.js';
import { distFile } from '../helpers/dist.js';
import { withoutNativeNotice } from '../helpers/optional.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlabInProcess } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-train-');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function env(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.GRADLAB_STORE;
  return e;
}

function gradlab(args: string[], cwd: string): Result {
  const r = spawnSync(process.execPath, [distFile('src/cli/main.js'), ...args], {
    cwd,
    env: env(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 256 training digits, 4 batches of 64 per epoch. */
const TINY = ['--train-size', '256', '--batch-size', '64'];

/** A successful --json run: exit 0, no stderr (bar the native-unavailable notice where native does not load). */
function json(r: Result): Record<string, unknown> {
  expect(withoutNativeNotice(r.stderr)).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** A user mistake or a failure: one line (plus the usage hint for exit 2; plus the native notice where native does not load), never a stack trace. */
function expectError(r: Result, code: 1 | 2, message: string | RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = withoutNativeNotice(r.stderr).trimEnd().split('\n');
  expect(lines).toHaveLength(code === 2 ? 2 : 1);
  expect(lines[0]).toMatch(message);
}

describe('gradlab train', () => {
  it('trains, prints the result as JSON and records the run with per-step metrics and a checkpoint', () => {
    const dir = tempDir();
    const out = json(gradlab(['train', '--epochs', '1', ...TINY, '--json'], dir));
    expect(out).toMatchObject({ model: 'mlp', data: 'embedded', epochs: 1, steps: 4, stopReason: null });
    expect(out.testAccuracy).toBeGreaterThan(0.1); // 10 classes: above chance after 4 steps at lr 0.01
    const store = RunStore.open(path.join(dir, '.gradlab'), { readonly: true });
    const run = store.getRun(out.runId as string);
    store.close();
    expect(run.status).toBe('completed');
    expect(run.metrics.loss.steps).toEqual([1, 2, 3, 4]);
    expect(run.metrics.lr.values).toEqual([0.01, 0.01, 0.01, 0.01]);
    expect(run.results).toMatchObject({ testAccuracy: out.testAccuracy, steps: 4 });
    expect(run.checkpoints.map((c) => c.step)).toEqual([4]);
    expect(run.checkpoints[0].path).toBe(out.checkpoint);
    expect(run.config).toMatchObject({ model: 'mlp', epochs: 1, batchSize: 64, optimizer: 'adam' });
  });

  it('a run resumed from its checkpoint ends exactly where an uninterrupted run ends', () => {
    const a = tempDir();
    const b = tempDir();
    const common = [
      ...TINY,
      '--schedule',
      'warmup:2+step:1:0.5',
      '--model',
      '{"layers":[{"type":"flatten"},{"type":"linear","out":32},{"type":"relu"},{"type":"dropout","p":0.2},{"type":"linear","out":"classes"}]}',
    ];
    const full = json(gradlab(['train', '--epochs', '3', ...common, '--json'], a));
    const part = json(gradlab(['train', '--epochs', '1', ...common, '--json'], b));
    // --epochs may change on resume; the rest comes from the checkpoint
    const rest = json(gradlab(['train', '--resume', part.runId as string, '--epochs', '3', '--json'], b));
    expect(rest.runId).toBe(part.runId);
    expect(rest.steps).toBe(12);
    expect(rest.testLoss).toBe(full.testLoss);
    expect(rest.trainLoss).toBe(full.trainLoss);
    const wa = gl.train.readCheckpoint(full.checkpoint as string).tensors;
    const wb = gl.train.readCheckpoint(rest.checkpoint as string).tensors;
    const keys = Object.keys(wa).filter((k) => k.startsWith('model.'));
    expect(keys.length).toBe(4);
    for (const k of keys) expect([...wb[k].dataSync()]).toEqual([...wa[k].dataSync()]);

    const store = RunStore.open(path.join(b, '.gradlab'), { readonly: true });
    const run = store.getRun(part.runId as string);
    store.close();
    expect(run.metrics.loss.steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(run.events.map((e) => e.type)).toContain('resume');

    const changed = gradlab(['train', '--resume', part.runId as string, '--model', 'cnn'], b);
    expectError(changed, 2, /--model cannot change when resuming/);
    const cosine = json(gradlab(['train', '--epochs', '1', ...TINY, '--schedule', 'cosine', '--json'], b));
    const longer = gradlab(['train', '--resume', cosine.runId as string, '--epochs', '2'], b);
    expectError(longer, 2, /--epochs cannot change when resuming a run with schedule 'cosine'/);
  });

  it('Ctrl-C marks the run interrupted and leaves a checkpoint to resume from', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [distFile('src/cli/main.js'), 'train', '--epochs', '500', ...TINY, '--checkpoint-every', '3'],
      { cwd: dir, env: env() },
    );
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('epoch 2/500:') && !child.killed) child.kill('SIGINT');
      });
      child.on('close', (c) => resolve(c));
    });
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted at step \d+; resume with: gradlab train --resume \w+/);
    const store = RunStore.open(path.join(dir, '.gradlab'), { readonly: true });
    const [run] = store.listRuns();
    const detail = store.getRun(run.id);
    store.close();
    expect(run.status).toBe('interrupted');
    const last = detail.checkpoints[detail.checkpoints.length - 1];
    const ck = gl.train.readCheckpoint(last.path);
    for (const t of Object.values(ck.tensors)) t.dispose();
    expect(ck.state.step).toBe(last.step);
    const epochs = ck.state.epoch + 1;
    const done = json(gradlab(['train', '--resume', run.id, '--epochs', String(epochs), '--json'], dir));
    expect(done.steps).toBe(epochs * 4);
  });

  // The first case runs the built CLI (main.js turns runCli's code into the exit status, the process prints
  // no stack trace); the others run in process (runCli: same code and output, without a start-up each).
  it('refuses user mistakes with one clear line', async () => {
    const dir = tempDir();
    expectError(
      gradlab(['train', '--epocs', '1'], dir),
      2,
      "unknown option '--epocs' (did you mean '--epochs'?)",
    );
    expectError(
      await gradlabInProcess(['train', '--data', 'spirals', '--model', 'cnn'], dir),
      2,
      /model 'cnn' does not fit dataset 'spirals' \(examples of shape \[2\], 2 classes\): layer 0 \(conv2d\) needs image input/,
    );
    expectError(
      await gradlabInProcess(['train', '--model', '{"layers":[{"type":"linear","out":5}]}'], dir),
      2,
      /layer 0 \(linear\) needs flat input \[features\], got \[1,8,8\]/,
    );
    expectError(
      await gradlabInProcess(['train', '--model', '{"layers":[{"type":"conv"}]}'], dir),
      2,
      /layer 0: unknown type "conv"/,
    );
    expectError(
      await gradlabInProcess(['train', '--model', 'missing.json'], dir),
      2,
      `gradlab train: --model file ${path.join(dir, 'missing.json')} does not exist`,
    );
    expectError(
      await gradlabInProcess(['train', '--model', 'mpl'], dir),
      2,
      /'mpl' is none of these \(no such file/,
    );
    expectError(
      await gradlabInProcess(['train', '--resume', 'ck/step-4.safetensors'], dir),
      2,
      `gradlab train: --resume: no such checkpoint file or folder ${path.join(dir, 'ck', 'step-4.safetensors')}`,
    );
    expectError(
      await gradlabInProcess(['train', '--data-path', 'somewhere'], dir),
      2,
      /--data-path is only read for datasets stored in files \(mnist, fashion-mnist, cifar10\); 'embedded' is built in/,
    );
    expectError(
      await gradlabInProcess(['train', '--data', 'mnist', '--data-path', 'nowhere'], dir),
      2,
      `gradlab train: --data-path folder ${path.join(dir, 'nowhere')} does not exist`,
    );
    expectError(
      await gradlabInProcess(['train', '--schedule', 'step:x'], dir),
      2,
      /schedule 'step:x': bad epoch count 'x'/,
    );
    expectError(
      await gradlabInProcess(['train', '--data', 'imagenet'], dir),
      2,
      /unknown dataset 'imagenet'/,
    );
    expectError(
      await gradlabInProcess(['train', '--patience', '2'], dir),
      2,
      /--patience needs a validation set/,
    );
    expectError(
      await gradlabInProcess(['train', '--resume', 'zz9'], dir),
      2,
      /--resume 'zz9': no such checkpoint file or folder .*zz9, and no run store at/,
    );
  });

  // The first case is spawned, the others run in process (as above).
  it('reports missing and corrupt data files and unwritable checkpoint folders', async () => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    expectError(
      gradlab(['train', '--data', 'fashion-mnist', '--data-path', empty], dir),
      1,
      /^gradlab train: FileError: .*train-images-idx3-ubyte.*sudo apt-get install dataset-fashion-mnist/,
    );
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    for (const f of [
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ])
      writeFileSync(path.join(bad, f), Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 7]));
    expectError(
      await gradlabInProcess(['train', '--data', 'mnist', '--data-path', bad], dir),
      1,
      /^gradlab train: FileFormatError: .*wrong magic number/,
    );
    writeFileSync(path.join(dir, 'file'), '');
    expectError(
      await gradlabInProcess(['train', '--checkpoint-dir', 'file/sub'], dir),
      1,
      /^gradlab train: FileError: cannot write checkpoints to .*file\/sub: ENOTDIR/,
    );
    const notCk = path.join(dir, 'x.safetensors');
    writeFileSync(notCk, 'garbage');
    expectError(
      await gradlabInProcess(['train', '--resume', notCk], dir),
      1,
      /FileFormatError: safetensors: .*x\.safetensors/,
    );
  });
});
