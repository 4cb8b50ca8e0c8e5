// Fused optimizer steps on webgpu: trajectories equal the js backend's to float32 rounding, the fused
// kernels are what ran, unsupported views fall back, and GPU memory stays flat. Skipped without an adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { TensorView } from '../../src/backends/backend.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { webgpuUnavailable } from '../helpers/backends.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`webgpu fused optimizer tests skipped: ${missing}`);

type Make = (params: gl.Tensor[]) => gl.optim.Optimizer<gl.optim.BaseHyper>;

/** Counts the fused optimizer steps webgpu's kernels take from now on (gl.fusedStats). */
function countFused(): { taken: () => number; restore: () => void } {
  const kernelRuns = () => gl.fusedStats().sgdStep.kernel + gl.fusedStats().adamStep.kernel;
  const start = kernelRuns();
  return { taken: () => kernelRuns() - start, restore: () => undefined };
}

/** 10 steps of an optimizer on a small least-squares problem (float32) on the current backend. */
async function trajectory(make: Make): Promise<number[][]> {
  const w = gl
    .tensor(Array.from({ length: 96 }, (_, i) => Math.sin(i) * 0.5))
    .reshape([12, 8])
    .requiresGrad_();
  const b = gl.tensor(Array.from({ length: 12 }, (_, i) => Math.cos(i) * 0.1)).requiresGrad_();
  const x = gl.tensor(Array.from({ length: 80 }, (_, i) => Math.cos(i * 0.7))).reshape([10, 8]);
  const y = gl.tensor(Array.from({ length: 120 }, (_, i) => Math.sin(i * 0.3))).reshape([10, 12]);
  const opt = make([w, b]);
  for (let s = 0; s < 10; s++) {
    opt.zeroGrad();
    gl.tidy(() => gl.mean(gl.pow(gl.sub(gl.add(gl.matmul(x, w.transpose(0, 1)), b), y), 2)).backward());
    opt.step();
  }
  const out = [Array.from(await w.data()), Array.from(await b.data())];
  opt.zeroGrad();
  for (const s of opt.state.values())
    for (const v of Object.values(s)) if (v instanceof gl.Tensor) v.dispose();
  for (const t of [w, b, x, y]) t.dispose();
  return out;
}

/**
 * Name, optimizer, and how many of the 20 parameter updates (10 steps x 2 parameters) are fused: SGD
 * with momentum creates its buffer with the ops on the first step (as PyTorch does) and fuses after.
 */
const cases: [string, Make, number][] = [
  ['SGD', (p) => new gl.optim.SGD(p, { lr: 0.1 }), 20],
  ['SGD weight decay', (p) => new gl.optim.SGD(p, { lr: 0.1, weightDecay: 0.05 }), 20],
  [
    'SGD momentum + dampening + weight decay',
    (p) => new gl.optim.SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
    18,
  ],
  ['SGD Nesterov', (p) => new gl.optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true }), 18],
  ['SGD momentum, maximize', (p) => new gl.optim.SGD(p, { lr: 0.02, momentum: 0.5, maximize: true }), 18],
  ['Adam', (p) => new gl.optim.Adam(p, { lr: 0.01 }), 20],
  [
    'Adam weight decay, maximize',
    (p) => new gl.optim.Adam(p, { lr: 0.01, weightDecay: 0.1, maximize: true }),
    20,
  ],
  ['AdamW', (p) => new gl.optim.AdamW(p, { lr: 0.01, weightDecay: 0.05, betas: [0.8, 0.99] }), 20],
];

/*
 * Tolerance: the js backend rounds every op to float32 like the shaders, but the GPU may sum the matmul
 * and mean reductions in another order and a driver may contract a*b+c into one FMA, so results agree
 * to float32 rounding, not necessarily bit for bit. On SwiftShader 7 of the 8 trajectories came out
 * identical and the worst excess was 1.1e-8 (SGD with momentum and weight decay); 1e-5 absolute +
 * 1e-5 relative leaves room for real GPUs. A wrong formula moves parameters by far more: dropping
 * Adam's second bias correction moves them by 0.3.
 */
const ATOL = 1e-5;
const RTOL = 1e-5;

describe.skipIf(missing !== null)('fused optimizer steps (webgpu)', () => {
  let gpu: WebGPUBackend;
  beforeAll(async () => {
    await gl.setBackend('webgpu');
    gpu = backendByName('webgpu') as WebGPUBackend;
  });
  afterAll(() => gl.setBackend('js'));

  for (const [name, make, fusedUpdates] of cases)
    it(`${name}: 10 fused steps equal the js backend's trajectory`, async () => {
      await gl.setBackend('js');
      const ref = await trajectory(make);
      await gl.setBackend('webgpu');
      const counter = countFused();
      let got: number[][];
      try {
        got = await trajectory(make);
      } finally {
        counter.restore();
      }
      expect(counter.taken()).toBe(fusedUpdates);
      let worst = 0;
      ref.forEach((r, k) =>
        r.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(got[k][i] - v) - RTOL * Math.abs(v));
        }),
      );
      expect(worst).toBeLessThan(ATOL);
      // and the trajectory actually moved (the test would not notice a kernel that did nothing otherwise)
      expect(
        Math.abs(ref[0][0] - Math.sin(0) * 0.5) + Math.abs(ref[0][1] - Math.sin(1) * 0.5),
      ).toBeGreaterThan(1e-3);
    });

  it('leaves AMSGrad to the unfused ops', async () => {
    const counter = countFused();
    try {
      await trajectory((p) => new gl.optim.Adam(p, { lr: 0.01, amsgrad: true }));
    } finally {
      counter.restore();
    }
    expect(counter.taken()).toBe(0);
  });

  it('does not accept views it cannot take (strided, non-float32, shared buffers)', () => {
    const k = gpu.fused!;
    const fused = {
      sgd: (p: TensorView, g: TensorView, buf: TensorView | null, h: typeof sgd) =>
        k.sgdStep!.accepts(buf ? [p, g, buf] : [p, g], h),
      adam: (p: TensorView, g: TensorView, m: TensorView, v: TensorView, h: typeof adam) =>
        k.adamStep!.accepts([p, g, m, v], h),
    };
    const sgd = { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
    const adam = {
      lr: 0.1,
      betas: [0.9, 0.999] as [number, number],
      eps: 1e-8,
      weightDecay: 0,
      decoupled: false,
      maximize: false,
      step: 1,
    };
    const view = (t: gl.Tensor): TensorView => t as unknown as TensorView;
    const p = gl.zeros([4, 3]);
    const g = gl.ones([4, 3]);
    const pt = gl.zeros([3, 4]).transpose(0, 1);
    const pi = gl.zeros([4, 3], { dtype: 'int32' });
    expect(fused.sgd(view(pt), view(g), null, sgd)).toBe(false);
    expect(fused.sgd(view(pi), view(g), null, sgd)).toBe(false);
    expect(fused.sgd(view(p), view(gl.ones([12])), null, sgd)).toBe(true); // same elements, other shape
    expect(fused.sgd(view(p), view(gl.ones([4, 2])), null, sgd)).toBe(false);
    expect(fused.adam(view(p), view(g), view(p), view(gl.zeros([4, 3])), adam)).toBe(false);
    expect(fused.adam(view(pt), view(g), view(gl.zeros([4, 3])), view(gl.zeros([4, 3])), adam)).toBe(false);
  });

  it('keeps GPU memory flat over 300 fused Adam steps', async () => {
    const gen = new gl.Generator(4);
    const X = gl.randn([16, 4], { generator: gen });
    const Y = gl.sum(gl.mul(X, gl.tensor([1, -2, 0.5, 3])), 1, true);
    const w1 = gl.mul(gl.randn([4, 8], { generator: gen }), 0.5).requiresGrad_();
    const w2 = gl.mul(gl.randn([8, 1], { generator: gen }), 0.25).requiresGrad_();
    const opt = new gl.optim.AdamW([w1, w2], { lr: 0.02, weightDecay: 0.01 });
    const counter = countFused();
    const step = () => {
      opt.zeroGrad();
      const loss = gl.tidy(() => {
        const loss = gl.mean(gl.pow(gl.sub(gl.matmul(gl.tanh(gl.matmul(X, w1)), w2), Y), 2));
        loss.backward();
        return loss;
      });
      opt.step();
      return loss;
    };
    const settle = async () => {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 0));
      await gpu.sync();
    };
    try {
      await settle(); // what earlier tests left to the garbage collector goes now, not mid-loop
      const first = step();
      const firstLoss = await first.itemAsync();
      first.dispose();
      let after100: ReturnType<WebGPUBackend['stats']> | null = null;
      let mem100: ReturnType<typeof gl.memory> | null = null;
      let last = 0;
      for (let i = 1; i < 300; i++) {
        const loss = step();
        if (i === 299) last = await loss.itemAsync();
        loss.dispose();
        // warm-up: buffers released between submits (every 16 dispatches) are reused after the next one,
        // so the pool's size settles once the submit rhythm has met every step boundary: at most 16 steps
        if (i === 100) {
          await settle();
          after100 = gpu.stats();
          mem100 = gl.memory();
        }
      }
      await settle();
      const end = gpu.stats();
      expect(end.createdBuffers).toBe(after100!.createdBuffers);
      expect(end.liveBuffers).toBe(after100!.liveBuffers);
      expect(end.liveBytes).toBe(after100!.liveBytes);
      expect(gl.memory().tensors).toBe(mem100!.tensors);
      expect(gl.memory().bytes).toBe(mem100!.bytes);
      expect(counter.taken()).toBe(600);
      expect(last).toBeLessThan(firstLoss * 0.5);
    } finally {
      counter.restore();
    }
  }, 60_000);
});
