// The webgpu backend itself: async-only reads, float64 refusal, a missing adapter, Philox parity, and
// flat GPU memory over a 400-step training loop. Skipped (with the reason printed) without an adapter.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as gl from '../../src/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { webgpuUnavailable } from '../helpers/backends.js';
import { splitCount } from '../../src/backends/webgpu/matmul-split.js';

const missing = await webgpuUnavailable();
if (missing !== null) console.info(`webgpu backend tests skipped: ${missing}`);

describe.skipIf(missing !== null)('webgpu backend', () => {
  let gpu: WebGPUBackend;
  beforeAll(async () => {
    await gl.setBackend('webgpu');
    gpu = backendByName('webgpu') as WebGPUBackend;
  });

  it('reads only asynchronously, and says how', async () => {
    const x = gl.tensor([1, 2, 3]);
    expect(() => x.dataSync()).toThrow(/await t\.data\(\)/);
    expect(() => x.sum().item()).toThrow(/itemAsync/);
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
    expect(await x.sum().itemAsync()).toBe(6);
    expect(String(x)).toMatch(/device=webgpu/);
  });

  it('refuses float64 naming the op and the CPU backends', () => {
    expect(() => gl.tensor([1, 2], { dtype: 'float64' })).toThrow(gl.DTypeError);
    expect(() => gl.zeros([2], { dtype: 'float64' })).toThrow(/full with float64 .*'native' or 'js'/);
    expect(() => gl.tensor([1, 2]).to('float64')).toThrow(/cast with float64/);
  });

  it('keeps int32 and bool exact', async () => {
    const i = gl.tensor([-3, 7, 2147483647], { dtype: 'int32' });
    expect(Array.from(await i.data())).toEqual([-3, 7, 2147483647]);
    const b = gl.gt(gl.tensor([1, 5, 3]), 2);
    expect(b.dtype).toBe('bool');
    expect(Array.from(await b.data())).toEqual([0, 1, 1]);
    expect(
      Array.from(
        await gl
          .argmax(
            gl.tensor([
              [1, 9, 3],
              [7, 2, 7],
            ]),
            1,
          )
          .data(),
      ),
    ).toEqual([1, 0]);
  });

  it('draws the same Philox stream as the js backend (uniform bit-exact, normal to float32 rounding)', async () => {
    const u = await gl.rand([1000], { generator: new gl.Generator(5) }).data();
    const n = await gl.randn([1000], { generator: new gl.Generator(6) }).data();
    await gl.setBackend('js');
    const uRef = gl.rand([1000], { generator: new gl.Generator(5) }).dataSync();
    const nRef = gl.randn([1000], { generator: new gl.Generator(6) }).dataSync();
    await gl.setBackend('webgpu');
    expect(Array.from(u)).toEqual(Array.from(uRef));
    for (let i = 0; i < 1000; i++)
      expect(Math.abs(n[i] - nRef[i])).toBeLessThan(1e-5 * (1 + Math.abs(nRef[i])));
  });

  it('matmul tiles cover ragged, transposed and broadcast batches', async () => {
    const gen = new gl.Generator(3);
    const a = gl.randn([3, 70, 33], { generator: gen });
    const b = gl.randn([33, 65], { generator: gen });
    const got = await gl.matmul(a.transpose(1, 2).transpose(1, 2), b.transpose(0, 1).transpose(0, 1)).data();
    const ad = await a.data();
    const bd = await b.data();
    let worst = 0;
    for (let t = 0; t < 3; t++)
      for (let i = 0; i < 70; i += 7)
        for (let j = 0; j < 65; j += 4) {
          let s = 0;
          for (let k = 0; k < 33; k++) s += ad[t * 70 * 33 + i * 33 + k] * bd[k * 65 + j];
          worst = Math.max(worst, Math.abs(s - got[t * 70 * 65 + i * 65 + j]));
        }
    expect(worst).toBeLessThan(1e-4);
    const c = await gl.matmul(a.transpose(1, 2), gl.ones([3, 70, 2])).data(); // column sums, A read transposed
    expect(c[0]).toBeCloseTo(
      Array.from({ length: 70 }, (_, i) => ad[i * 33]).reduce((p, q) => p + q),
      3,
    );
  });

  it('the wide 128x128 matmul kernel (chosen for many tiles) matches a CPU sum, for every operand layout', async () => {
    // 64 batches of 130x21 · 21x131: 2·2·64 tiles of 128, so the wide kernel serves it; ragged M, N and K
    const gen = new gl.Generator(4);
    const [B, M, K, N] = [64, 130, 21, 131];
    for (const [aT, bT] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const a = aT
        ? gl.randn([B, K, M], { generator: gen }).transpose(1, 2)
        : gl.randn([B, M, K], { generator: gen });
      const b = bT
        ? gl.randn([B, N, K], { generator: gen }).transpose(1, 2)
        : gl.randn([B, K, N], { generator: gen });
      const got = await gl.matmul(a, b).data();
      const ad = await a.contiguous().data();
      const bd = await b.contiguous().data();
      let worst = 0;
      for (const t of [0, 37, B - 1])
        for (let i = 0; i < M; i += 3)
          for (let j = 0; j < N; j += 5) {
            let s = 0;
            for (let k = 0; k < K; k++) s += ad[t * M * K + i * K + k] * bd[t * K * N + k * N + j];
            worst = Math.max(worst, Math.abs(s - got[t * M * N + i * N + j]));
          }
      // 21 float32 products summed in another order: |error| well under 1e-4 for unit normals
      expect(worst, `A transposed ${aT}, B transposed ${bT}`).toBeLessThan(1e-4);
      for (const j of [M * N - 1, (B - 1) * M * N]) expect(Number.isFinite(got[j])).toBe(true);
    }
    const wide = gpu.compiledKernels().filter((k) => k.startsWith('matmul-wide'));
    expect(wide.sort()).toEqual([
      'matmul-wide:8:00',
      'matmul-wide:8:01',
      'matmul-wide:8:10',
      'matmul-wide:8:11',
    ]);
  });

  it('splits a long K over workgroups when the output has few tiles, and sums the chunks right', async () => {
    // [37, 2053]·[2053, 9]: one output tile, K = 2053 = 16 chunks of 128 + a rest of 5 (splitCount's rule)
    const gen = new gl.Generator(9);
    const [M, K, N] = [37, 2053, 9];
    expect(splitCount(M, N, K, 1)).toBe(16);
    expect(splitCount(M, N, K, 2)).toBe(1); // batched products are not split
    expect(splitCount(1024, 1024, 4096, 1)).toBe(1); // 256 tiles fill the GPU already
    for (const aT of [false, true]) {
      const a = aT
        ? gl.randn([K, M], { generator: gen }).transpose(0, 1)
        : gl.randn([M, K], { generator: gen });
      const b = gl.randn([N, K], { generator: gen }).transpose(0, 1); // B read k-contiguous, as in a conv weight gradient
      const got = await gl.matmul(a, b).data();
      const ad = await a.contiguous().data();
      const bd = await b.contiguous().data();
      let worst = 0;
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += ad[i * K + k] * bd[k * N + j];
          worst = Math.max(worst, Math.abs(s - got[i * N + j]));
        }
      // sums of 2053 unit-normal products (|sum| ~ 45) in float32, in another order: a few 1e-5 relative
      expect(worst, `A transposed ${aT}`).toBeLessThan(2e-3);
    }
  });

  it('times kernels on the GPU between startProfile and stopProfile', async () => {
    const a = gl.randn([40, 30], { generator: new gl.Generator(8) });
    expect(gl.webgpuBackend()).toBe(gpu); // the public way to reach it
    gpu.startProfile();
    const c = gl.relu(gl.matmul(a, a.transpose(0, 1)));
    await c.data();
    const times = await gpu.stopProfile();
    const mm = times.find((t) => t.kernel.startsWith('matmul'));
    expect(mm?.calls).toBe(1);
    expect(mm!.ms).toBeGreaterThanOrEqual(0);
    expect(times.find((t) => t.kernel.includes('relu'))?.calls).toBe(1);
    await expect(gpu.stopProfile()).rejects.toThrow(/without startProfile/);
  });

  /** Runs `f` with the GRADLAB_WEBGPU_MATMUL* switches set to `vars` (unset when undefined), then restores them. */
  async function withMatmulEnv<T>(vars: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
    const names = ['', '_BK', '_PREFETCH', '_TILE'].map((s) => `GRADLAB_WEBGPU_MATMUL${s}`);
    const saved = names.map((n) => process.env[n]);
    const put = (n: string, v: string | undefined): void => {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    };
    for (const n of names) put(n, vars[n.slice('GRADLAB_WEBGPU_MATMUL'.length).replace(/^_/, '') || 'kind']);
    try {
      return await f();
    } finally {
      names.forEach((n, i) => put(n, saved[i]));
    }
  }

  /**
   * matmul of [B, M, K] · [B, K, N] operands laid out as asked (transposed = the other axis contiguous,
   * `aShift` = A is a view starting that many elements into its storage), against a CPU sum over a few
   * batches; returns the worst error and the matmul shader keys dispatched.
   */
  async function checkMatmul(
    [B, M, K, N]: number[],
    aT: boolean,
    bT: boolean,
    aShift = 0,
  ): Promise<{ worst: number; keys: string[] }> {
    const gen = new gl.Generator(B * 1000 + M + K + N);
    // A is stored with 4 spare elements per contiguous run, so a shift moves the offset alone
    const pad = aShift ? 4 : 0;
    const aFull = aT
      ? gl.randn([B, K, M + pad], { generator: gen })
      : gl.randn([B, M, K + pad], { generator: gen });
    const aRaw = aShift ? aFull.narrow(2, aShift, aT ? M : K) : aFull;
    const a = aT ? aRaw.transpose(1, 2) : aRaw;
    const b = bT
      ? gl.randn([B, N, K], { generator: gen }).transpose(1, 2)
      : gl.randn([B, K, N], { generator: gen });
    const spy = vi.spyOn(gpu, 'dispatch');
    let keys: string[];
    let got: Float32Array;
    try {
      const c = gl.matmul(a, b);
      keys = spy.mock.calls.map((call) => call[0]).filter((k) => k.startsWith('matmul'));
      got = (await c.data()) as Float32Array;
    } finally {
      spy.mockRestore();
    }
    const ad = await a.contiguous().data();
    const bd = await b.contiguous().data();
    let worst = 0;
    for (const t of new Set([0, B - 1]))
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += ad[t * M * K + i * K + k] * bd[t * K * N + k * N + j];
          worst = Math.max(worst, Math.abs(s - got[t * M * N + i * N + j]));
        }
    return { worst, keys };
  }

  it('the vec4 matmul kernels (exact and ragged tiles, every layout, prefetch, tile shapes) match a CPU sum', async () => {
    // every K here is at most 36 unit-normal products: float32 sums in another order agree to well under 1e-4
    const cases: [Record<string, string | undefined>, number[], boolean, boolean, string][] = [];
    // exact 128x128 tiles, no bounds checks: A read along k or m, B along n or k
    for (const [aT, bT, l] of [
      [false, false, 'kn'],
      [true, false, 'mn'],
      [false, true, 'kk'],
      [true, true, 'mk'],
    ] as const)
      cases.push([
        { kind: 'wide4x', TILE: '128' },
        [2, 128, 16, 128],
        aT,
        bT,
        `matmul-v4:128x128:bk8:${l}:x:p2`,
      ]);
    // ragged M, N and K (multiples of 4 only), bounds-checked
    cases.push([
      { kind: 'wide4x', TILE: '128' },
      [2, 132, 20, 136],
      false,
      false,
      'matmul-v4:128x128:bk8:kn:r:p2',
    ]);
    cases.push([
      { kind: 'wide4x', TILE: '128' },
      [2, 132, 20, 136],
      true,
      true,
      'matmul-v4:128x128:bk8:mk:r:p2',
    ]);
    // no prefetch on exact tiles; bounds-checked kernel on exact sizes; register prefetch with one buffer
    cases.push([
      { kind: 'wide4x', TILE: '128', PREFETCH: '0' },
      [2, 128, 16, 128],
      false,
      false,
      'matmul-v4:128x128:bk8:kn:x:p0',
    ]);
    cases.push([
      { kind: 'wide4', TILE: '128', PREFETCH: '0' },
      [2, 128, 16, 128],
      true,
      false,
      'matmul-v4:128x128:bk8:mn:r:p0',
    ]);
    cases.push([
      { kind: 'wide4x', TILE: '64x128', PREFETCH: '1', BK: '16' },
      [2, 68, 36, 132],
      true,
      false,
      'matmul-v4:64x128:bk16:mn:r:p1',
    ]);
    // auto on a product of 256 tiles of 128x128 picks the exact vec4 kernel, 64 rows high for M = 64
    cases.push([{}, [256, 64, 8, 128], false, false, 'matmul-v4:64x128:bk8:kn:x:p2']);
    // A starting one element into its storage cannot be read as vec4: the scalar wide kernel serves it
    for (const [vars, size, aT, bT, key] of cases) {
      const { worst, keys } = await withMatmulEnv(vars, () => checkMatmul(size, aT, bT));
      const what = `${JSON.stringify(vars)} ${size.join('x')} A transposed ${aT}, B transposed ${bT}`;
      expect(keys, what).toEqual([key]);
      expect(worst, what).toBeLessThan(1e-4);
    }
    for (const aT of [false, true]) {
      const { worst, keys } = await withMatmulEnv({ kind: 'wide4x' }, () =>
        checkMatmul([2, 128, 16, 128], aT, false, 1),
      );
      expect(keys).toEqual([`matmul-wide:8:${aT ? 0 : 1}1`]);
      expect(worst).toBeLessThan(1e-4);
    }
  }, 60_000);

  it('keeps GPU memory flat over 400 steps of the obvious training loop (300 after warm-up)', async () => {
    const gen = new gl.Generator(11);
    const X = gl.randn([32, 4], { generator: gen });
    const Y = gl.sum(gl.mul(X, gl.tensor([1, -2, 0.5, 3])), 1, true);
    const w1 = gl.mul(gl.randn([4, 16], { generator: gen }), 0.5).requiresGrad_();
    const b1 = gl.zeros([16]).requiresGrad_();
    const w2 = gl.mul(gl.randn([16, 1], { generator: gen }), 0.25).requiresGrad_();
    const params = [w1, b1, w2];
    const step = () =>
      gl.tidy(() => {
        const h = gl.tanh(gl.add(gl.matmul(X, w1), b1));
        const loss = gl.mean(gl.pow(gl.sub(gl.matmul(h, w2), Y), 2));
        loss.backward();
        gl.noGrad(() => {
          for (const p of params) {
            p.sub_(gl.mul(p.grad!, 0.05));
            p.grad!.dispose(); // leaf gradients outlive tidy (they are kept): release them explicitly
            p.grad = null;
          }
        });
        return loss;
      });
    // settle what earlier tests left to the garbage collector, so the counts below are this loop's
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 0));
    const first = step();
    const firstLoss = await first.itemAsync();
    first.dispose();
    let after100: ReturnType<WebGPUBackend['stats']> | null = null;
    let tensors100 = 0;
    let last = 0;
    for (let i = 1; i < 400; i++) {
      const loss = step();
      if (i % 100 === 99) last = await loss.itemAsync(); // the loop reads its loss now and then, no more
      loss.dispose();
      // warm-up: buffers released between submits (every 16 dispatches) are reused after the next one,
      // so the pool's size settles once the submit rhythm has met every step boundary: at most 16 steps
      if (i === 100) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 0));
        await gpu.sync();
        after100 = gpu.stats();
        tensors100 = gl.memory().tensors;
      }
    }
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 0));
    await gpu.sync();
    const end = gpu.stats();
    // no new GPU buffer after warm-up (every step reuses the pool), and as many live ones as at step 100
    expect(end.createdBuffers).toBe(after100!.createdBuffers);
    expect(end.liveBuffers).toBe(after100!.liveBuffers);
    expect(end.liveBytes).toBe(after100!.liveBytes);
    // the pool hands out the same buffers every step, so every bind group comes from the cache
    expect(end.bindGroups).toBe(after100!.bindGroups);
    expect(gl.memory().tensors).toBe(tensors100);
    expect(last).toBeLessThan(firstLoss * 0.2);
  }, 120_000);
});

describe('webgpu without an adapter', () => {
  it('fails fast with a BackendError instead of hanging', async () => {
    const entry = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));
    const script = `const gl = await import(${JSON.stringify(entry)});
      console.log('default=' + gl.getBackend());
      try { await gl.setBackend('webgpu'); console.log('LOADED'); }
      catch (e) { console.log(e.name + ': ' + e.message); }
      process.exit(0);`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script],
        { env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' }, timeout: 30_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    expect(out).toMatch(/BackendError: backend 'webgpu' is not available: webgpu: no GPU adapter was found/);
    expect(out).not.toMatch(/default=webgpu/); // never picked by default
  }, 40_000);
});
