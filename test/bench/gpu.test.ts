// `npm run bench:gpu`: its workload choice, targets, gradlab's async (webgpu) side at tiny size, the PyTorch
// peer's 'cuda unavailable' paths, and the script end to end with --quick (SwiftShader here, no CUDA).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { runWorkload } from '../../bench/child.js';
import { gradlabSystem, prepareGradlab } from '../../bench/gradlab/index.js';
import { checkTargets, gpuWorkloads, parseGpuArgs } from '../../bench/lib/gpu-suite.js';
import type { Protocol } from '../../bench/lib/protocol.js';
import { cnn, matmul, mlp, overhead } from '../../bench/lib/workloads.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { webgpuUnavailable } from '../helpers/backends.js';
import { distFile, ROOT } from '../helpers/dist.js';

const ONCE: Protocol = { warmup: 2, warmupMinS: 0, reps: 3, capS: 60, minRepS: 0, hardS: 60 };
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(ROOT, 'bench', 'peers', 'torch_bench.py');
const torchProbe = existsSync(PYTHON)
  ? (JSON.parse(spawnSync(PYTHON, [SCRIPT, '--probe'], { encoding: 'utf8' }).stdout || '{}') as {
      torch?: string | null;
      cuda?: boolean;
    })
  : {};
const torchNoCuda = !!torchProbe.torch && !torchProbe.cuda;
const missing = await webgpuUnavailable();
if (missing !== null) console.info(`bench:gpu webgpu tests skipped: ${missing}`);

describe('the GPU suite', () => {
  it("runs the benchmark suite's own workload definitions at the issue's sizes", () => {
    expect(gpuWorkloads(false)).toEqual([
      matmul(1024),
      matmul(4096),
      overhead(),
      mlp(undefined, undefined, 'tidy'),
      cnn({ loop: 'tidy' }),
    ]);
    expect(mlp().sizes).toEqual([784, 512, 512, 10]);
    expect([mlp().batch, cnn().batch]).toEqual([128, 64]);
    expect(gpuWorkloads(false, ['matmul']).map((w) => w.id)).toEqual(['matmul-1024', 'matmul-4096']);
    expect(() => gpuWorkloads(false, ['epoch'])).toThrow(/unknown workload 'epoch'/);
    expect(parseGpuArgs(['--quick', '--only', 'mlp,cnn', '--require-cuda'])).toMatchObject({
      quick: true,
      only: ['mlp', 'cnn'],
      requireCuda: true,
    });
    expect(() => parseGpuArgs(['--reps', '0'])).toThrow(/positive integer/);
  });

  it('judges the targets only against PyTorch on CUDA', () => {
    const rs = [
      { workload: 'matmul-4096', peer: 'torch', ratio: 0.7 },
      { workload: 'mlp-tidy', peer: 'torch', ratio: 0.4 },
    ];
    expect(checkTargets(rs, 'cuda').map((t) => t.verdict)).toEqual(['met', 'missed', 'not measured']);
    expect(checkTargets(rs, 'cpu')[0].verdict).toMatch(/not evaluated \(PyTorch ran on cpu\)/);
  });
});

describe.skipIf(missing !== null)('gradlab on webgpu through the benchmark code', () => {
  const tiny = [
    matmul(16),
    overhead(32, 5),
    // the tidy loops: webgpu frees device memory by dispose / tidy only (the GPU suite runs these)
    { ...mlp([16, 8, 4], 4, 'tidy'), lr: 0.1 },
    cnn({ batch: 2, image: 12, c1: 2, c2: 3, kernel: 3, hidden: 5, classes: 4, lr: 0.1, loop: 'tidy' }),
  ];

  it('reads asynchronously, trains, and reports the adapter', async () => {
    process.env.GRADLAB_BACKEND = 'webgpu';
    const info = await gradlabSystem.setup();
    expect(info.backend).toBe('webgpu');
    expect(info.threads).toMatch(/^GPU: /);
    for (const spec of tiny) {
      const r = await runWorkload(gradlabSystem, 'gradlab', spec, ONCE);
      expect(r.status, `${spec.id}: ${r.reason}`).toBe('ok');
      if (spec.family === 'mlp' || spec.family === 'cnn') {
        const [, first, last] = /loss (\S+) -> (\S+)/.exec(r.check!)!.map(Number);
        expect(last, spec.id).toBeLessThan(first);
      }
    }
    // the matmul corner is C[0,0] of the same seeded product on both backends
    const gpuCorner = (await runWorkload(gradlabSystem, 'gradlab', matmul(16), ONCE)).check;
    await gl.setBackend('js');
    const cpuCorner = (await runWorkload(gradlabSystem, 'gradlab', matmul(16), ONCE)).check;
    expect(gpuCorner).toBe(cpuCorner);
    await gl.setBackend('webgpu');
  });

  it('steps release every temporary on the GPU too: live GPU buffers and bytes stay flat', async () => {
    await gl.setBackend('webgpu');
    // GPU buffers are freed only by dispose (never by the garbage collector), so these counts are exact
    const gpu = backendByName('webgpu') as WebGPUBackend;
    const live = () => [gpu.stats().liveBuffers, gpu.stats().liveBytes];
    for (const spec of tiny) {
      const p = prepareGradlab(spec);
      await p.step();
      const before = live();
      for (let i = 0; i < 3; i++) await p.step();
      expect(live(), spec.id).toEqual(before);
    }
  });
});

describe.skipIf(!torchNoCuda)('the PyTorch peer without CUDA', () => {
  const job = (cpuFallback: boolean) =>
    JSON.stringify({
      workloads: [matmul(8)],
      protocol: ONCE,
      epochProtocol: ONCE,
      torch: { device: 'cuda', cpuFallback },
    });
  const events = (out: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith('@@bench '))
      .map(
        (l) =>
          JSON.parse(l.slice(8)) as {
            type: string;
            status?: string;
            reason?: string;
            info?: { backend: string; notes: string[] };
          },
      );

  it("reports 'cuda unavailable' instead of crashing, or runs on the CPU when allowed", () => {
    const strict = spawnSync(PYTHON, [SCRIPT, job(false)], { encoding: 'utf8' });
    expect(strict.status).toBe(0);
    expect(events(strict.stdout)).toEqual([
      expect.objectContaining({
        type: 'fatal',
        status: 'missing',
        reason: expect.stringMatching(/^cuda unavailable/),
      }),
    ]);
    const fallback = spawnSync(PYTHON, [SCRIPT, job(true)], { encoding: 'utf8' });
    const ev = events(fallback.stdout);
    expect(ev[0].info?.backend).toBe('cpu');
    expect(ev[0].info?.notes[0]).toMatch(/^cuda unavailable .*NOT GPU against GPU/);
    expect(ev.map((e) => e.type)).toEqual(['info', 'start', 'timing']);
  });

  it('generates the same inputs with torch alone as with numpy (for GPU images without numpy)', () => {
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(PYTHON, [SCRIPT, '--prng-check', '20240607', '12', '4096'], { encoding: 'utf8', env }).stdout;
    const withNumpy = run(process.env);
    expect(withNumpy.length).toBeGreaterThan(100);
    expect(run({ ...process.env, BENCH_PRNG_TORCH: '1' })).toBe(withNumpy);
  });
});

describe.skipIf(missing !== null || !torchNoCuda)('npm run bench:gpu -- --quick, end to end', () => {
  it('stops with exit code 1 under --require-cuda', () => {
    const r = spawnSync(process.execPath, [distFile('bench/gpu.js'), '--quick', '--require-cuda'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cuda unavailable: torch .* sees no CUDA device \(--require-cuda\)/);
  });

  it('writes the table and the JSON to $OUT, saying that PyTorch ran on the CPU', () => {
    const out = mkdtempSync(join(tmpdir(), 'gradlab-gpu-bench-'));
    const r = spawnSync(process.execPath, [distFile('bench/gpu.js'), '--quick', '--only', 'matmul-64,mlp'], {
      encoding: 'utf8',
      env: { ...process.env, OUT: out },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cuda unavailable: PyTorch ran on the CPU/);
    expect(r.stdout).toMatch(/gradlab \(webgpu\) +torch \(cpu\) +vs torch/);
    const doc = JSON.parse(readFileSync(join(out, 'gpu-bench.json'), 'utf8')) as {
      results: { system: string; workload: string; status: string }[];
      targets: { workload: string; verdict: string }[];
    };
    expect(doc.results.map((x) => `${x.system}/${x.workload}/${x.status}`)).toEqual([
      'gradlab/matmul-64/ok',
      'gradlab/mlp-tidy/ok',
      'torch/matmul-64/ok',
      'torch/mlp-tidy/ok',
    ]);
    expect(doc.targets.find((t) => t.workload === 'mlp-tidy')?.verdict).toMatch(/not evaluated/);
    expect(readFileSync(join(out, 'gpu-bench.txt'), 'utf8')).toContain('targets (issue 6)');
  });
});
