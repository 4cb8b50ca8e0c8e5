// The benchmark code itself (not its speed): gradlab's side of each workload runs once at tiny size
// through the real protocol and child runner, trains, and releases its temporaries; plus the pure helpers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { runWorkload } from '../../bench/child.js';
import { gradlabSystem, prepareGradlab } from '../../bench/gradlab/index.js';
import { parseArgs, selectWorkloads } from '../../bench/lib/cli.js';
import { batches, loadFashionMnist, parseIdx } from '../../bench/lib/idx.js';
import { uniform } from '../../bench/lib/prng.js';
import type { Protocol } from '../../bench/lib/protocol.js';
import { ratios, table } from '../../bench/lib/report.js';
import {
  combineRatios,
  combineResults,
  familyGroups,
  loopRatios,
  methodLine,
  perExampleRatios,
  roundOrder,
} from '../../bench/lib/rounds.js';
import type { WorkloadResult } from '../../bench/lib/result.js';
import { summarize } from '../../bench/lib/stats.js';
import { isUnsupported } from '../../bench/lib/system.js';
import {
  cnn,
  cnnGeometry,
  epoch,
  figure,
  matmul,
  mlp,
  overhead,
  perExample,
} from '../../bench/lib/workloads.js';

const ONCE: Protocol = { warmup: 1, warmupMinS: 0, reps: 1, capS: 60, minRepS: 0, hardS: 60 };

/** "loss a -> b" from a workload's check line. */
function losses(check: string | undefined): [number, number] {
  const m = /loss (\S+) -> (\S+)/.exec(check ?? '');
  expect(m, `check line '${check}'`).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

/** A gzip IDX file of unsigned bytes. */
function idxGz(dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([head, data]));
}

const tinyCnnSize = { batch: 2, image: 12, c1: 2, c2: 3, kernel: 3, hidden: 5, classes: 4, lr: 0.1 };
const tinyCnn = cnn(tinyCnnSize);
const tinyCnnTidy = cnn({ ...tinyCnnSize, loop: 'tidy' });
const tinyMlp = { ...mlp([16, 8, 4], 4), lr: 0.1 };
const tinyMlpTidy = { ...mlp([16, 8, 4], 4, 'tidy'), lr: 0.1 };

describe('gradlab workloads at tiny size', () => {
  it('per-example gradients: fast, vmap and loop give the same check through the protocol', async () => {
    const checks: string[] = [];
    for (const method of ['fast', 'vmap', 'loop'] as const) {
      const r = await runWorkload(gradlabSystem, 'gradlab', perExample(method, [6, 5, 3], 4), ONCE);
      expect(r.status, r.reason).toBe('ok');
      expect(r.value).toBeGreaterThan(0);
      checks.push(r.check!);
    }
    const v = checks.map((c) => Number(/grads of layer 1's weight (\S+)/.exec(c)![1]));
    expect(v[0]).toBeGreaterThan(0);
    expect(Math.abs(v[1] - v[0]) / v[0]).toBeLessThan(1e-5);
    expect(Math.abs(v[2] - v[0]) / v[0]).toBeLessThan(1e-5);
  });

  it('matmul, overhead, MLP and CNN run through the protocol and report a figure', async () => {
    const sys = gradlabSystem;
    const info = await sys.setup();
    expect(info.backend).toBe(gl.getBackend());
    for (const spec of [matmul(8), overhead(32, 10), tinyMlp, tinyMlpTidy, tinyCnn, tinyCnnTidy]) {
      const r = await runWorkload(sys, 'gradlab', spec, ONCE);
      expect(r.status, `${spec.id}: ${r.reason}`).toBe('ok');
      expect(r.value).toBeGreaterThan(0);
      expect(r.reps).toBe(1);
    }
  });

  it('the training steps lower the loss on their fixed batch', async () => {
    for (const spec of [tinyMlp, tinyMlpTidy, tinyCnn, tinyCnnTidy]) {
      const r = await runWorkload(gradlabSystem, 'gradlab', spec, { ...ONCE, warmup: 2, reps: 3 });
      const [first, last] = losses(r.check);
      expect(last, spec.id).toBeLessThan(first);
    }
  });

  it('the overhead loop records each add on the tape (an input requires grad)', async () => {
    const r = await runWorkload(gradlabSystem, 'gradlab', overhead(32, 5), ONCE);
    expect(r.check).toBe('result on the tape: true');
  });

  it('tidy steps release every temporary: live bytes stay exactly flat', () => {
    for (const spec of [matmul(8), overhead(32, 10), tinyMlpTidy, tinyCnnTidy]) {
      const p = prepareGradlab(spec);
      p.step();
      const before = gl.memory().bytes;
      for (let i = 0; i < 4; i++) p.step();
      expect(gl.memory().bytes, spec.id).toBe(before);
    }
  });

  it('the epoch reads IDX files and trains over every batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradlab-bench-'));
    const n = 40;
    const pixels = Uint8Array.from({ length: n * 16 }, (_, i) => (i * 37) % 256);
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), idxGz([n, 4, 4], pixels));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), idxGz([n], labels));
    const data = loadFashionMnist(dir, 30);
    expect(data.n).toBe(30);
    expect(data.features).toBe(16);
    expect(data.images[1]).toBeCloseTo(37 / 255, 6);
    expect(Array.from(data.labels.subarray(0, 4))).toEqual([0, 1, 2, 0]);
    const spec = { ...epoch({ dataDir: dir, sizes: [16, 8, 3], batch: 8 }), lr: 0.1 };
    const r = await runWorkload(gradlabSystem, 'gradlab', spec, ONCE);
    expect(r.status, r.reason).toBe('ok');
    expect(r.check).toMatch(/loss .* -> .*mean of last 50 batches/);
  });
});

describe('bench helpers', () => {
  it('parseIdx rejects other element types and truncated files', () => {
    expect(parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).dims).toEqual([2]);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]))).toThrow(/0x08/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 7]))).toThrow(/3 values/);
  });

  it('batches cover n in order with a short last batch', () => {
    expect(batches(10, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
  });

  it('the CNN geometry of the issue flattens to 1600', () => {
    expect(cnnGeometry(cnn()).flat).toBe(1600);
    expect(cnnGeometry(tinyCnn).flat).toBe(3);
  });

  it('figures: GFLOP/s from 2n³, µs per op, samples/s', () => {
    expect(figure(matmul(1000), 2)).toBeCloseTo(1, 12); // 2e9 flops in 2 s
    expect(figure(overhead(32, 1000), 0.005)).toBeCloseTo(5, 12);
    expect(figure(mlp(), 0.5)).toBe(256);
  });

  it('summarize gives median, quartiles and extremes', () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ median: 3, min: 1, max: 5, q1: 2, q3: 4, n: 5 });
  });

  it('ratios are > 1 when gradlab is faster, for throughput and for times', () => {
    const res = (system: string, workload: string, value: number): WorkloadResult => ({
      system,
      workload,
      status: 'ok',
      value,
    });
    const r = ratios(
      [mlp(), overhead()],
      [
        res('gradlab', 'mlp', 200),
        res('torch', 'mlp', 100),
        res('gradlab', 'overhead', 2),
        res('torch', 'overhead', 8),
      ],
    );
    expect(r).toEqual([
      { workload: 'mlp', peer: 'torch', ratio: 2 },
      { workload: 'overhead', peer: 'torch', ratio: 4 },
    ]);
    const missing: WorkloadResult = { system: 'jax-js', workload: 'mlp', status: 'missing' };
    expect(ratios([mlp()], [res('gradlab', 'mlp', 1), missing])).toEqual([]);
  });

  it('rounds: figures are medians over rounds, ratios the median of per-round ratios', () => {
    const res = (system: string, value: number, extra: Partial<WorkloadResult> = {}): WorkloadResult => ({
      system,
      workload: 'mlp',
      status: 'ok',
      value,
      ...extra,
    });
    // round 2 ran on a machine twice as slow for both systems: per-round ratios are all 2
    const rounds = [
      [res('gradlab', 200, { reps: 1 }), res('torch', 100)],
      [res('gradlab', 100, { reps: 2 }), res('torch', 50)],
      [res('gradlab', 220, { reps: 3 }), res('torch', 110)],
    ];
    const combined = combineResults(rounds);
    expect(combined.map((r) => [r.system, r.value, r.roundValues])).toEqual([
      ['gradlab', 200, [200, 100, 220]],
      ['torch', 100, [100, 50, 110]],
    ]);
    expect(combined[0].reps).toBe(1); // the other fields come from the median round
    expect(combineRatios([mlp()], rounds)).toEqual([
      { workload: 'mlp', peer: 'torch', ratio: 2, perRound: [2, 2, 2] },
    ]);
    // the ratio of the medians would differ from the median of the ratios here
    const skewed = [
      [res('gradlab', 100), res('torch', 100)],
      [res('gradlab', 300), res('torch', 100)],
      [res('gradlab', 200), res('torch', 400)],
    ];
    expect(combineRatios([mlp()], skewed)[0].ratio).toBe(1);
    expect(
      table([mlp()], ['gradlab', 'torch'], combineResults(skewed), new Map(), {
        ratios: combineRatios([mlp()], skewed),
      }),
    ).toContain('1× [0.5–3]');
    // a failed round keeps the others' figure and says so; a round without torch has no ratio
    const failed: WorkloadResult = {
      system: 'torch',
      workload: 'mlp',
      status: 'failed',
      reason: 'child died',
    };
    const withFailure = [rounds[0], [rounds[1][0], failed], rounds[2]];
    const torch = combineResults(withFailure)[1];
    expect(torch.value).toBe(105);
    expect(torch.note).toMatch(/1 of 3 rounds gave no figure \(failed: child died\)/);
    expect(combineRatios([mlp()], withFailure)[0].perRound).toEqual([2, 2]);
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
  });

  it('plain and tidy loops share their rounds; plain ÷ tidy is the median of the rounds', () => {
    const [m, mt, c, ct] = [mlp(), mlp(undefined, undefined, 'tidy'), cnn(), cnn({ loop: 'tidy' })];
    const groups = familyGroups([matmul(8), m, mt, overhead(), c, ct]);
    expect(groups.map((g) => g.map((w) => w.id))).toEqual([
      ['matmul-8'],
      ['mlp', 'mlp-tidy'],
      ['overhead'],
      ['cnn', 'cnn-tidy'],
    ]);
    const r = (workload: string, value: number): WorkloadResult => ({
      system: 'gradlab',
      workload,
      status: 'ok',
      unit: 'samples/s',
      value,
    });
    const rounds = [
      [r('mlp', 90), r('mlp-tidy', 100)],
      [r('mlp', 100), r('mlp-tidy', 80)],
      [r('mlp', 50), r('mlp-tidy', 50)],
    ];
    expect(loopRatios([m, mt], rounds)).toEqual([{ family: 'mlp', ratio: 1, perRound: [0.9, 1.25, 1] }]);
  });

  it('per-example methods share their rounds; method ÷ loop and fast ÷ peer vmap are medians of rounds', () => {
    const [f, v, l] = [perExample('fast'), perExample('vmap'), perExample('loop')];
    expect(familyGroups([overhead(), f, v, l]).map((g) => g.map((w) => w.id))).toEqual([
      ['overhead'],
      ['per-example-fast', 'per-example-vmap', 'per-example-loop'],
    ]);
    const r = (system: string, workload: string, value?: number): WorkloadResult =>
      value === undefined
        ? { system, workload, status: 'unsupported', unit: 'examples/s', reason: 'none' }
        : { system, workload, status: 'ok', unit: 'examples/s', value };
    const rounds = [
      [r('gradlab', f.id, 40), r('gradlab', v.id, 20), r('gradlab', l.id, 10), r('torch', f.id)],
      [r('torch', v.id, 30), r('torch', l.id, 3), r('gradlab', f.id, 60), r('gradlab', l.id, 20)],
    ];
    rounds[0].push(r('torch', v.id, 20), r('torch', l.id, 4));
    rounds[1].push(r('gradlab', v.id, 40));
    const got = perExampleRatios([f, v, l], rounds);
    expect(got.map((m) => [m.a, m.b, m.perRound])).toEqual([
      ['gradlab per-example-fast', 'gradlab per-example-loop', [4, 3]],
      ['gradlab per-example-vmap', 'gradlab per-example-loop', [2, 2]],
      ['torch per-example-vmap', 'torch per-example-loop', [5, 10]],
      ['gradlab per-example-fast', 'torch per-example-vmap', [2, 2]],
    ]);
    expect(methodLine(got[0])).toBe(
      'gradlab per-example-fast ÷ gradlab per-example-loop: 3.50× [3.00–4.00] (median of 2 rounds)',
    );
    expect(figure(f, 0.5)).toBe(64); // examples/s from a batch of 32
  });

  it('parseArgs and selectWorkloads', () => {
    const o = parseArgs(['--only', 'matmul,mlp', '--reps', '3', '--backend', 'js', '--json']);
    expect(o).toMatchObject({ only: ['matmul', 'mlp'], reps: 3, backend: 'js', json: true });
    expect(selectWorkloads(o).map((w) => w.id)).toEqual([
      'matmul-256',
      'matmul-1024',
      'matmul-2048',
      'mlp',
      'mlp-tidy',
    ]);
    expect(selectWorkloads(parseArgs([])).map((w) => w.id)).not.toContain('epoch');
    expect(selectWorkloads(parseArgs(['--epoch'])).map((w) => w.id)).toContain('epoch');
    expect(selectWorkloads(parseArgs(['--quick'])).map((w) => w.id)).toEqual([
      'matmul-256',
      'overhead',
      'mlp',
      'mlp-tidy',
      'cnn',
      'cnn-tidy',
      'per-example-fast',
      'per-example-vmap',
      'per-example-loop',
    ]);
    expect(selectWorkloads(parseArgs(['--only', 'per-example'])).map((w) => w.id)).toEqual([
      'per-example-fast',
      'per-example-vmap',
      'per-example-loop',
    ]);
    expect(() => parseArgs(['--backend', 'cuda'])).toThrow(/js, native or webgpu/);
    expect(() => parseArgs(['--reps', '0'])).toThrow(/positive integer/);
    expect(parseArgs([]).rounds).toBe(7);
    expect(parseArgs([]).systems).toEqual(['gradlab', 'torch']);
    expect(parseArgs(['--systems', 'all']).systems).toEqual([
      'gradlab',
      'tfjs-cpu',
      'tfjs-wasm',
      'jax-js',
      'torch',
    ]);
    expect(parseArgs(['--quick']).rounds).toBe(1);
    expect(parseArgs(['--rounds', '5']).rounds).toBe(5);
    expect(() => parseArgs(['--rounds', 'x'])).toThrow(/--rounds must be a positive integer, got 'x'/);
    expect(() => selectWorkloads(parseArgs(['--only', 'resnet']))).toThrow(/unknown workload 'resnet'/);
  });

  it('missing kernels count as unsupported, other errors do not', () => {
    expect(isUnsupported(new Error("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"))).toBe(
      true,
    );
    expect(isUnsupported(new Error('out of memory'))).toBe(false);
  });

  // The PyTorch peer regenerates the inputs in NumPy; both sides must draw identical values.
  const python = '/usr/bin/python3';
  const hasNumpy =
    existsSync(python) && spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasNumpy)('torch_bench.py reproduces the TypeScript input generator bit for bit', () => {
    const script = join(__dirname, '..', '..', 'bench', 'peers', 'torch_bench.py');
    const r = spawnSync(python, [script, '--prng-check', '20240607', '11', '64'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(Array.from(uniform(20240607, 11, 64, -1, 1)));
  });
});
