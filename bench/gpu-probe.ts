// `node dist/bench/gpu-probe.js`: where a WebGPU step's time goes (read latency, host time, GPU time) and how each matmul shader variant does (`--matmul`: that alone).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as gl from '../src/index.js';
import { cnn, mlp } from './lib/workloads.js';
import { cnnForward, cnnParams } from './gradlab/cnn.js';
import { mlpForward, mlpParams } from './gradlab/mlp.js';
import { batch, sgdStep } from './gradlab/train.js';
import { summarize } from './lib/stats.js';

const median = (xs: readonly number[]): number => summarize(xs).median;

const quick = process.argv.includes('--quick');
/** `--matmul`: only the matmul shader variants (skips the read-latency and training-step probes). */
const matmulOnly = process.argv.includes('--matmul');
const lines: string[] = [];
const say = (s: string): void => {
  lines.push(s);
  console.log(s);
};
const now = (): number => performance.now();

/** Median over `reps` of f's wall time in ms (after `warm` untimed calls). */
async function timeIt(f: () => Promise<unknown>, reps: number, warm = 2): Promise<number> {
  for (let i = 0; i < warm; i++) await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    await f();
    ts.push(now() - t0);
  }
  return median(ts);
}

/** Read latency: one tiny kernel, then its one float read back (the floor under every synchronised step). */
async function readLatency(): Promise<void> {
  const x = gl.tensor([1]);
  const ms = await timeIt(async () => {
    const y = gl.add(x, 1);
    await y.itemAsync();
    y.dispose();
  }, 200);
  const gpu = gl.webgpuBackend();
  const syncMs = await timeIt(() => gpu.sync(), 200);
  say(
    `read latency: add + itemAsync ${(ms * 1000).toFixed(0)} µs; empty sync (onSubmittedWorkDone) ${(syncMs * 1000).toFixed(0)} µs`,
  );
}

const MATMUL_SWITCHES = ['', '_BK', '_PREFETCH', '_TILE'].map((s) => `GRADLAB_WEBGPU_MATMUL${s}`);

/** Sets the matmul shader switches (kind, BK, PREFETCH, TILE; undefined = unset, i.e. auto). */
function matmulEnv(values: readonly (string | undefined)[]): void {
  MATMUL_SWITCHES.forEach((name, i) => {
    if (values[i] === undefined) delete process.env[name];
    else process.env[name] = values[i];
  });
}

/** GFLOP/s of each matmul shader variant at n² (`runs` products queued, one corner read). */
async function matmulVariants(): Promise<void> {
  const sizes = quick ? [128, 256] : [1024, 2048, 4096];
  // [label, GRADLAB_WEBGPU_MATMUL, _BK, _PREFETCH, _TILE]
  const variants: [string, ...(string | undefined)[]][] = [
    ['auto', undefined],
    ['narrow 64', 'narrow'],
    ['wide scalar bk8', 'wide', '8'],
    ['wide4 checked p2', 'wide4', '8', '2', '128'],
    ['wide4x p0', 'wide4x', '8', '0', '128'],
    ['wide4x p1', 'wide4x', '8', '1', '128'],
    ['wide4x p2', 'wide4x', '8', '2', '128'],
    ['wide4x bk16 p2', 'wide4x', '16', '2', '128'],
    ['wide4x 128x64 p2', 'wide4x', '8', '2', '128x64'],
    ['wide4x 64x64 p2', 'wide4x', '8', '2', '64'],
  ];
  for (const n of sizes) {
    const a = gl.rand([n, n], { generator: new gl.Generator(1) });
    const b = gl.rand([n, n], { generator: new gl.Generator(2) });
    const runs = n >= 4096 ? 10 : 30;
    const cells: string[] = [];
    for (const [name, ...values] of variants) {
      matmulEnv(values);
      const ms = await timeIt(
        async () => {
          let last: gl.Tensor | null = null;
          for (let r = 0; r < runs; r++) {
            last?.dispose();
            last = gl.matmul(a, b);
          }
          await last!.narrow(0, 0, 1).narrow(1, 0, 1).itemAsync();
          last!.dispose();
        },
        5,
        1,
      );
      cells.push(`${name} ${((2 * n ** 3 * runs) / (ms / 1000) / 1e9).toPrecision(3)}`);
    }
    matmulEnv([]);
    say(`matmul ${n}² GFLOP/s (${runs} queued, one read): ${cells.join(' | ')}`);
    a.dispose();
    b.dispose();
  }
  const keys = gl.webgpuBackend().compiledKernels();
  say(`matmul shaders compiled: ${keys.filter((k) => k.startsWith('matmul')).join(', ')}`);
}

/** GPU time per kernel over `steps` calls of `step` (timestamp queries), the top `top` kernels. */
async function kernelProfile(name: string, step: () => unknown, steps: number, top = 12): Promise<void> {
  const gpu = gl.webgpuBackend();
  if (!gpu.device.features.has('timestamp-query'))
    return say(`${name}: no timestamp-query, no kernel profile`);
  await step();
  gpu.startProfile();
  for (let i = 0; i < steps; i++) await step();
  const times = await gpu.stopProfile();
  const total = times.reduce((a, t) => a + t.ms, 0);
  const calls = times.reduce((a, t) => a + t.calls, 0);
  say(
    `${name}: GPU time ${((total / steps) * 1000).toFixed(0)} µs/step in ${calls / steps} kernels; top (µs/step, calls/step):`,
  );
  for (const t of times.slice(0, top))
    say(
      `    ${((t.ms / steps) * 1000).toFixed(1).padStart(8)}  ${String(t.calls / steps).padStart(4)}  ${t.kernel}`,
    );
}

/** What single Dawn calls cost on this machine's CPU, and the latency of the ways to wait for the GPU. */
async function dawnCalls(): Promise<void> {
  const gpu = gl.webgpuBackend();
  const device = gpu.device;
  const code = `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { let i = i32(g.x); if (i < prm[0]) { dst[i] = dst[i] + 1.0; } }`;
  const module = device.createShaderModule({ code });
  const pipe = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const meta = device.createBuffer({ size: 1 << 16, usage });
  const bufs = Array.from({ length: 8 }, () => device.createBuffer({ size: 4096, usage }));
  const layout = pipe.getBindGroupLayout(0);
  const group = (i: number): GPUBindGroup =>
    device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: meta, offset: (i % 64) * 256, size: 64 } },
        { binding: 1, resource: { buffer: bufs[i % 8] } },
      ],
    });
  const perCall = (f: (i: number) => unknown, n = 5000): string => {
    for (let i = 0; i < 500; i++) f(i);
    const t0 = now();
    for (let i = 0; i < n; i++) f(i);
    return (((now() - t0) / n) * 1000).toFixed(2);
  };
  const bg = group(0);
  let enc = device.createCommandEncoder();
  let pass = enc.beginComputePass();
  let k = 0;
  const disp = perCall(() => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(1);
    if (++k % 64 === 0) {
      pass.end();
      device.queue.submit([enc.finish()]);
      enc = device.createCommandEncoder();
      pass = enc.beginComputePass();
    }
  });
  pass.end();
  device.queue.submit([enc.finish()]);
  const submit = perCall(() => {
    const e = device.createCommandEncoder();
    e.beginComputePass().end();
    device.queue.submit([e.finish()]);
  }, 2000);
  const bgCost = perCall(group);
  const layoutCost = perCall(() => pipe.getBindGroupLayout(0));
  say(
    `dawn calls (µs): createBindGroup ${bgCost}, getBindGroupLayout ${layoutCost}, setPipeline+setBindGroup+dispatch ${disp}, encoder+pass+submit ${submit}`,
  );
  await device.queue.onSubmittedWorkDone();
  const st = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const latency = async (copy: boolean, done: boolean, map: boolean): Promise<string> => {
    const ts: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = now();
      const e = device.createCommandEncoder();
      const p = e.beginComputePass();
      p.setPipeline(pipe);
      p.setBindGroup(0, bg);
      p.dispatchWorkgroups(1);
      p.end();
      if (copy) e.copyBufferToBuffer(bufs[0], 0, st, 0, 4);
      device.queue.submit([e.finish()]);
      if (done) await device.queue.onSubmittedWorkDone();
      if (map) {
        await st.mapAsync(GPUMapMode.READ);
        st.unmap();
      }
      ts.push(now() - t0);
    }
    return (median(ts) * 1000).toFixed(0);
  };
  const viaMap = await latency(true, false, true);
  const viaDone = await latency(false, true, false);
  const both = await latency(true, true, true);
  say(
    `wait latency (µs, one tiny kernel): mapAsync ${viaMap}; onSubmittedWorkDone ${viaDone}; onSubmittedWorkDone then mapAsync ${both}`,
  );
  for (const b of [...bufs, meta, st]) b.destroy();
}

/** A training step split up: synchronised (read each step), pipelined (20 steps, one read), host time alone. */
async function stepBreakdown(name: string, params: gl.Tensor[], loss: () => gl.Tensor): Promise<void> {
  const gpu = gl.webgpuBackend();
  const opt = new gl.optim.SGD(params, { lr: 0.01 });
  const step = (): gl.Tensor =>
    gl.tidy(() => {
      const l = loss();
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l;
    });
  const synced = await timeIt(async () => {
    const l = step();
    await l.itemAsync();
    l.dispose();
  }, 50);
  const host: number[] = [];
  const n = 20;
  const piped = await timeIt(async () => {
    let l: gl.Tensor | null = null;
    for (let i = 0; i < n; i++) {
      l?.dispose();
      const t0 = now();
      l = step();
      host.push(now() - t0);
    }
    await l!.itemAsync();
    l!.dispose();
  }, 7);
  const s0 = gpu.stats();
  const l = step();
  gpu.flush();
  const s1 = gpu.stats();
  await l.itemAsync();
  l.dispose();
  say(
    `${name}: synchronised step ${(synced * 1000).toFixed(0)} µs; pipelined ${((piped / n) * 1000).toFixed(0)} µs/step; host (JS, encoding) ${(median(host) * 1000).toFixed(0)} µs/step; ${s1.dispatches - s0.dispatches} dispatches, ${s1.submits - s0.submits} submits per step`,
  );
}

/**
 * `--matmul-steps`: 4096² products each followed by a one-element read (the bench's matmul step): wall
 * time per step (median, quartiles), and GPU time of the product alone from timestamp queries, so a
 * slow run shows whether the kernel or the wait between steps grew.
 */
async function matmulSteps(): Promise<void> {
  const gpu = gl.webgpuBackend();
  const n = quick ? 256 : 4096;
  const a = gl.rand([n, n], { generator: new gl.Generator(1) });
  const b = gl.rand([n, n], { generator: new gl.Generator(2) });
  // as the bench's step: the product's storage is released with its corner view after the read, so
  // the next product reuses the pooled buffer (a view left to the garbage collector would keep it, and
  // every step would create and clear a new 64 MiB buffer: ~2 ms more per step on the H100)
  const step = async (): Promise<void> => {
    const corner = gl.tidy(() => gl.matmul(a, b).narrow(0, 0, 1).narrow(1, 0, 1));
    await corner.itemAsync();
    corner.dispose();
  };
  for (let i = 0; i < 5; i++) await step();
  const ts: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = now();
    await step();
    ts.push(now() - t0);
  }
  const s = summarize(ts);
  const created = gpu.stats().createdBuffers;
  const profiled = gpu.device.features.has('timestamp-query');
  let kernel = '';
  if (profiled) {
    gpu.startProfile();
    for (let i = 0; i < 20; i++) await step();
    const times = await gpu.stopProfile();
    const mm = times.filter((t) => t.kernel.startsWith('matmul'));
    kernel = mm.map((t) => `${t.kernel} ${((t.ms / t.calls) * 1000).toFixed(0)} µs/call`).join(', ');
  }
  say(
    `matmul ${n}² steps (product + one-element read): median ${(s.median * 1000).toFixed(0)} µs [q1 ${(s.q1 * 1000).toFixed(0)}, q3 ${(s.q3 * 1000).toFixed(0)}, min ${(s.min * 1000).toFixed(0)}, max ${(s.max * 1000).toFixed(0)}]; GPU time: ${kernel || 'no timestamp-query'}; buffers created ${created}; steps over 2x the median: ${ts.filter((t) => t > 2 * s.median).length} of ${ts.length}`,
  );
}

/** Read latency and the MLP and CNN training steps split up. */
async function stepProbes(): Promise<void> {
  await readLatency();
  await dawnCalls();
  const m = quick ? mlp([64, 32, 32, 10], 16) : mlp();
  const mp = mlpParams(m.sizes, m.seed);
  const mb = batch(m.seed, [m.batch, m.sizes[0]], m.sizes[m.sizes.length - 1]);
  const mlpLoss = (): gl.Tensor => gl.crossEntropy(mlpForward(mp, mb.x), mb.y);
  await stepBreakdown(`MLP ${m.sizes.join('-')} b${m.batch}`, mp, mlpLoss);
  await kernelProfile('MLP', () => sgdStep(mp, 0.01, mlpLoss), 10);
  const c = quick ? cnn({ batch: 4, image: 12, c1: 4, c2: 8, hidden: 16 }) : cnn();
  const cp = cnnParams(c);
  const cb = batch(c.seed, [c.batch, 1, c.image, c.image], c.classes);
  const cnnLoss = (): gl.Tensor => gl.crossEntropy(cnnForward(cp, cb.x), cb.y);
  await stepBreakdown(`CNN b${c.batch}`, cp, cnnLoss);
  await kernelProfile('CNN', () => sgdStep(cp, 0.01, cnnLoss), 10, 24);
}

async function main(): Promise<void> {
  await gl.setBackend('webgpu');
  const gpu = gl.webgpuBackend();
  say(`gradlab webgpu probe, adapter: ${gpu.adapterInfo}${quick ? ' (--quick)' : ''}`);
  const lim = gpu.device.limits;
  say(
    `device features: ${[...gpu.device.features].join(', ') || 'none'}; workgroup storage ${lim.maxComputeWorkgroupStorageSize} B, invocations ${lim.maxComputeInvocationsPerWorkgroup}`,
  );
  if (process.argv.includes('--matmul-steps')) {
    await matmulSteps();
    if (process.env.OUT)
      writeFileSync(join(process.env.OUT, `gpu-probe-steps-${process.pid}.txt`), lines.join('\n') + '\n');
    return;
  }
  if (!matmulOnly) await stepProbes();
  await matmulVariants();
  say(`kernels compiled: ${gpu.compiledKernels().length}`);
  if (process.env.OUT) writeFileSync(join(process.env.OUT, 'gpu-probe.txt'), lines.join('\n') + '\n');
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
