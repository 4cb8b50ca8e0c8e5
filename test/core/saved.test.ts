// Saved tensors: pack/unpack hooks, the savedBytes accounting (checked against what the VJP rules in
// src/core/vjp.ts save), savedResiduals, in-place modification detection, and gl.checkpoint.
// All byte counts are deltas measured synchronously, so graphs left over by earlier tests (released by
// finalizers at unpredictable times) cannot disturb them.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const arr = (t: gl.Tensor | null) => Array.from(t!.dataSync());
const maxAbsDiff = (a: gl.Tensor, b: gl.Tensor) => {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};
const saved = () => gl.memory().savedBytes;

describe('gl.savedTensorHooks', () => {
  it('pack is called once per saved tensor and unpack once per use in backward', () => {
    let packs = 0;
    let unpacks = 0;
    const hooks: gl.SavedTensorHooks = {
      pack: (t) => {
        packs++;
        return t;
      },
      unpack: (p) => {
        unpacks++;
        return p as gl.Tensor;
      },
    };
    const x = gl.tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    // exp saves its output, sin saves its input (the same tensor): two saved entries
    const y = gl.savedTensorHooks(hooks, () => x.exp().sin().sum());
    expect(packs).toBe(2);
    expect(unpacks).toBe(0);
    y.backward();
    expect(unpacks).toBe(2);
    const expected = [0.1, 0.2, 0.3].map((v) => Math.cos(Math.exp(v)) * Math.exp(v));
    arr(x.grad).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 5));
  });

  it('nesting: the innermost hooks apply', () => {
    const log: string[] = [];
    const named = (name: string): gl.SavedTensorHooks => ({
      pack: (t) => {
        log.push(`pack:${name}`);
        return t;
      },
      unpack: (p) => {
        log.push(`unpack:${name}`);
        return p as gl.Tensor;
      },
    });
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = gl.savedTensorHooks(named('outer'), () => {
      const a = x.exp(); // outer
      const b = gl.savedTensorHooks(named('inner'), () => a.tanh()); // inner
      return b.sin().sum(); // outer again
    });
    expect(log).toEqual(['pack:outer', 'pack:inner', 'pack:outer']);
    y.backward();
    expect(log.slice(3).sort()).toEqual(['unpack:inner', 'unpack:outer', 'unpack:outer']);
  });

  it('pack may return a typed array or an object; unpack rebuilds the tensor', () => {
    const x0 = [0.5, -1, 2, 0.25];
    const ref = gl.tensor(x0, { requiresGrad: true });
    ref.mul(ref).tanh().sum().backward();

    const viaArray = gl.tensor(x0, { requiresGrad: true });
    const shapes: number[][] = [];
    const arrayHooks: gl.SavedTensorHooks = {
      pack: (t) => {
        shapes.push([...t.shape]);
        return t.dataSync();
      },
      unpack: (p) => gl.tensor(p as Float32Array),
    };
    gl.savedTensorHooks(arrayHooks, () => viaArray.mul(viaArray).tanh().sum()).backward();
    expect(shapes).toEqual([[4], [4], [4]]);
    expect(maxAbsDiff(viaArray.grad!, ref.grad!)).toBe(0);

    const viaObject = gl.tensor(x0, { requiresGrad: true });
    const objectHooks: gl.SavedTensorHooks = {
      pack: (t) => ({ data: t.dataSync(), shape: [...t.shape], dtype: t.dtype }),
      unpack: (p) => {
        const o = p as { data: Float32Array; shape: number[]; dtype: gl.DType };
        return gl.tensor(o.data, { dtype: o.dtype }).reshape(o.shape);
      },
    };
    const before = saved();
    const loss = gl.savedTensorHooks(objectHooks, () => viaObject.mul(viaObject).tanh().sum());
    // mul saves x twice, tanh saves its output: three packed Float32Array(4) = 48 bytes
    expect(saved() - before).toBe(48);
    loss.backward();
    expect(saved()).toBe(before);
    expect(maxAbsDiff(viaObject.grad!, ref.grad!)).toBe(0);
  });

  it('pack hooks that halve the bytes (float32 stored as 16-bit words) halve savedBytes', () => {
    // keep the high 16 bits of each float32 (bfloat16-style truncation)
    const bf16: gl.SavedTensorHooks = {
      pack: (t) => {
        const f = t.contiguous().dataSync() as Float32Array;
        const words = new Uint32Array(f.buffer, f.byteOffset, f.length);
        const half = new Uint16Array(f.length);
        for (let i = 0; i < f.length; i++) half[i] = words[i] >>> 16;
        return { half, shape: [...t.shape] };
      },
      unpack: (p) => {
        const { half, shape } = p as { half: Uint16Array; shape: number[] };
        const words = new Uint32Array(half.length);
        for (let i = 0; i < half.length; i++) words[i] = half[i] << 16;
        return gl.tensor(new Float32Array(words.buffer)).reshape(shape);
      },
    };
    gl.manualSeed(1);
    const x = gl.randn([8, 8], { requiresGrad: true });
    // sin saves x (256 B), tanh saves its output (256 B): distinct storages, 512 B plainly
    const f = () => x.sin().tanh().sum();
    let before = saved();
    const plain = f();
    const plainBytes = saved() - before;
    expect(plainBytes).toBe(512);
    before = saved();
    const packed = gl.savedTensorHooks(bf16, f);
    expect(saved() - before).toBe(plainBytes / 2);
    packed.backward();
    expect(saved()).toBe(before);
    const approx = x.grad!;
    x.grad = null;
    plain.backward();
    // truncated to 8 mantissa bits: gradients agree to about 1%
    expect(maxAbsDiff(approx, x.grad!)).toBeLessThan(0.02);
  });
});

describe('savedBytes accounting', () => {
  it('an MLP holds exactly what the rules save, and releases it in backward', () => {
    gl.manualSeed(0);
    const x = gl.randn([8, 16]);
    const w1 = gl.randn([16, 32], { requiresGrad: true });
    const b1 = gl.randn([32], { requiresGrad: true });
    const w2 = gl.randn([32, 4], { requiresGrad: true });
    const forward = (input: gl.Tensor) => input.matmul(w1).add(b1).relu().matmul(w2).sum();

    // From src/core/vjp.ts:
    //  matmul(x, w1): saves x (for w1's gradient); x needs none, so w1 is not saved  -> 8*16*4 = 512
    //  add(., b1): saves nothing
    //  relu: saves its output h [8,32]                                               -> 8*32*4 = 1024
    //  matmul(h, w2): saves w2 (for h's gradient) and h (for w2's)                   -> 32*4*4 = 512
    //                 h's storage is already held by relu's entry: counted once      -> 0
    //  sum: saves nothing
    const analytic = 8 * 16 * 4 + 8 * 32 * 4 + 32 * 4 * 4;
    expect(analytic).toBe(2048);

    const before = saved();
    const beforeCount = gl.memory().savedTensors;
    const loss = forward(x);
    expect(saved() - before).toBe(analytic);
    expect(gl.memory().savedTensors - beforeCount).toBe(4);
    loss.backward();
    expect(saved()).toBe(before);
    expect(gl.memory().savedTensors).toBe(beforeCount);
    expect(w1.grad!.shape).toEqual([16, 32]);
  });

  it('peakSavedBytes tracks the high-water mark until resetPeakMemory', () => {
    const x = gl.randn([16, 16], { requiresGrad: true });
    const base = saved();
    gl.resetPeakMemory();
    expect(gl.memory().peakSavedBytes).toBe(base);
    const a = x.exp().sum(); // exp saves its output: 1024 B
    expect(gl.memory().peakSavedBytes - base).toBe(1024);
    a.backward();
    expect(saved()).toBe(base);
    expect(gl.memory().peakSavedBytes - base).toBe(1024);
    const b = x.sin().cos().sum(); // sin saves x, cos saves sin(x): 2048 B
    expect(gl.memory().peakSavedBytes - base).toBe(2048);
    b.backward();
    gl.resetPeakMemory();
    expect(gl.memory().peakSavedBytes).toBe(saved());
  });

  it('gl.savedResiduals lists entries with op, shape, bytes and kind', () => {
    gl.manualSeed(0);
    const x = gl.randn([8, 16]);
    const w1 = gl.randn([16, 32], { requiresGrad: true });
    const b1 = gl.randn([32], { requiresGrad: true });
    const w2 = gl.randn([32, 4], { requiresGrad: true });
    const { residuals, totalBytes, toString } = gl.savedResiduals(
      (input: gl.Tensor) => input.matmul(w1).add(b1).relu().matmul(w2).sum(),
      x,
    );
    const simple = residuals.map((r) => ({
      op: r.op,
      shape: r.shape,
      bytes: r.bytes,
      kind: r.kind,
      dtype: r.dtype,
    }));
    expect(simple).toEqual([
      { op: 'matmul', shape: [8, 16], bytes: 512, kind: 'leaf', dtype: 'float32' },
      { op: 'relu', shape: [8, 32], bytes: 1024, kind: 'intermediate', dtype: 'float32' },
      { op: 'matmul', shape: [32, 4], bytes: 512, kind: 'leaf', dtype: 'float32' },
      { op: 'matmul', shape: [8, 32], bytes: 1024, kind: 'intermediate', dtype: 'float32' },
    ]);
    expect(totalBytes).toBe(2048);
    expect(toString()).toContain('total 2048 B');
  });
});

describe('in-place modification of a saved tensor', () => {
  it('backward throws InplaceModificationError naming the op', () => {
    const x = gl.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.exp(); // exp saves y
    const loss = y.sum();
    y.mul_(2);
    let err: unknown;
    try {
      loss.backward();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(gl.InplaceModificationError);
    expect((err as Error).message).toMatch(/exp/);
    expect((err as Error).message).toMatch(/\[3\]/);
  });

  it('modifying a tensor that was not saved is fine', () => {
    const x = gl.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2); // mul by a constant saves only the constant
    const loss = y.sum();
    y.add_(1);
    loss.backward();
    expect(arr(x.grad)).toEqual([2, 2, 2]);
  });
});

describe('gl.checkpoint', () => {
  function makeMlp(seed: number) {
    gl.manualSeed(seed);
    const ws = [0, 1, 2, 3].map(() => gl.randn([16, 16]).mul(0.3).requiresGrad_());
    const bs = [0, 1, 2, 3].map(() => gl.randn([16]).mul(0.1).requiresGrad_());
    const layer = (h: gl.Tensor, i: number) => h.matmul(ws[i]).add(bs[i]).tanh();
    return { ws, bs, layer, params: [...ws, ...bs] };
  }

  it('4-layer tanh MLP: identical gradients and lower peakSavedBytes (recomputation counted)', () => {
    const { layer, params } = makeMlp(3);
    const x = gl.randn([32, 16]);
    const run = (useCheckpoint: boolean) => {
      for (const p of params) p.grad = null;
      const base = saved();
      gl.resetPeakMemory();
      let h = x;
      // two segments of two layers: one-layer segments would save nothing once the recomputed
      // activations are counted (each segment's recomputation holds what the plain layer held)
      for (let i = 0; i < 4; i += 2) {
        const pair = (t: gl.Tensor) => layer(layer(t, i), i + 1);
        h = useCheckpoint ? gl.checkpoint(pair, h) : pair(h);
      }
      const loss = h.mul(h).sum();
      loss.backward();
      expect(saved()).toBe(base);
      return { grads: params.map((p) => p.grad!), peak: gl.memory().peakSavedBytes - base };
    };
    const plain = run(false);
    const ckpt = run(true);
    plain.grads.forEach((g, i) => expect(maxAbsDiff(g, ckpt.grads[i])).toBe(0));
    expect(ckpt.peak).toBeLessThan(plain.peak);
    expect(ckpt.peak).toBeGreaterThan(0);
  });

  it('counts the recomputed activations while backward reads them, then lets them go', () => {
    const { layer } = makeMlp(4);
    const x = gl.randn([32, 16]);
    const block = (t: gl.Tensor) => layer(layer(layer(t, 0), 1), 2);
    const base = saved();
    const y = gl.checkpoint(block, x);
    const held = saved() - base; // x is held by the region
    expect(held).toBe(32 * 16 * 4);
    gl.resetPeakMemory();
    y.sum().backward();
    const peak = gl.memory().peakSavedBytes - base;
    // recomputed: w1, w2 (w0 is not needed: x needs no grad) and the three tanh outputs
    expect(peak).toBe(held + 2 * 16 * 16 * 4 + 3 * 32 * 16 * 4);
    expect(saved()).toBe(base);
  });

  it('replays dropout exactly inside the checkpointed function', () => {
    const { layer, params } = makeMlp(5);
    const x = gl.randn([32, 16]);
    const block = (h: gl.Tensor) => gl.dropout(layer(layer(h, 0), 1), 0.5);
    const run = (useCheckpoint: boolean) => {
      for (const p of params) p.grad = null;
      gl.manualSeed(42);
      const h = useCheckpoint ? gl.checkpoint(block, x) : block(x);
      const out = layer(layer(h, 2), 3);
      out.sum().backward();
      return { out, grads: params.map((p) => p.grad), after: gl.defaultGenerator.getState() };
    };
    const plain = run(false);
    const ckpt = run(true);
    expect(maxAbsDiff(plain.out, ckpt.out)).toBe(0);
    plain.grads.forEach((g, i) => {
      if (g === null) expect(ckpt.grads[i]).toBeNull();
      else expect(maxAbsDiff(g, ckpt.grads[i]!)).toBe(0);
    });
    // the recomputation does not advance the global stream
    expect(ckpt.after).toEqual(plain.after);
  });

  it('gradients reach the checkpointed inputs too', () => {
    const x1 = gl.tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    const x2 = gl.tensor([0.1, 0.2, 0.3], { requiresGrad: true });
    const f = (t: gl.Tensor) => t.exp().sin().mul(t);
    f(x1).sum().backward();
    gl.checkpoint(f, x2).sum().backward();
    expect(maxAbsDiff(x1.grad!, x2.grad!)).toBe(0);
  });
});

describe('onSaved', () => {
  it('reports saves and releases to an observer until unsubscribed', () => {
    const seen: string[] = [];
    let released = 0;
    const off = gl.onSaved({ onSave: (e) => seen.push(e.op), onRelease: () => released++ });
    const x = gl.randn([3], { requiresGrad: true });
    gl.exp(x).sum().backward();
    off();
    off(); // a second call is harmless
    expect(seen).toContain('exp');
    expect(released).toBeGreaterThan(0);
    const n = seen.length;
    gl.exp(gl.randn([3], { requiresGrad: true }))
      .sum()
      .backward();
    expect(seen.length).toBe(n);
  });
});
