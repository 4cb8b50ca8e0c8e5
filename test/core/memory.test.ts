// Memory: a long training loop must not leak tensors, bytes or saved bytes; gl.tidy and `using`
// free what they should. The test runner starts node with --expose-gc (vitest.config.ts).
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage and lets the FinalizationRegistry callbacks (which run asynchronously) fire. */
async function settle(rounds = 2): Promise<gl.MemoryInfo> {
  for (let i = 0; i < rounds; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  return gl.memory();
}

describe('leak test', () => {
  it('2,000 training steps keep tensors, bytes and savedBytes flat', async () => {
    expect(typeof gc).toBe('function');
    gl.manualSeed(0);
    const x = gl.randn([16, 8]);
    const target = gl.randn([16, 1]);
    const w1 = gl.randn([8, 16]).mul(0.3).requiresGrad_();
    const w2 = gl.randn([16, 1]).mul(0.3).requiresGrad_();
    const lr = 0.01;
    const base = await settle();
    const snapshots = new Map<number, gl.MemoryInfo>();
    let firstLoss = 0;
    let lastLoss = 0;

    for (let step = 1; step <= 2000; step++) {
      const h = x.matmul(w1).tanh();
      const loss = gl.mseLoss(h.matmul(w2), target);
      expect(gl.memory().savedBytes).toBeGreaterThan(base.savedBytes);
      loss.backward();
      if (step === 1) firstLoss = loss.item();
      lastLoss = loss.item();
      gl.noGrad(() => {
        w1.sub_(w1.grad!.mul(lr));
        w2.sub_(w2.grad!.mul(lr));
      });
      w1.grad = null;
      w2.grad = null;
      // backward released everything the step saved
      expect(gl.memory().savedBytes).toBe(base.savedBytes);
      if (step % 500 === 0) snapshots.set(step, await settle());
    }

    expect(lastLoss).toBeLessThan(firstLoss); // it trained
    const at500 = snapshots.get(500)!;
    const at2000 = snapshots.get(2000)!;
    // a handful of objects may still await collection; a leak of even one tensor per step would add 1,500
    expect(Math.abs(at2000.tensors - at500.tensors)).toBeLessThanOrEqual(20);
    expect(Math.abs(at2000.storages - at500.storages)).toBeLessThanOrEqual(20);
    expect(Math.abs(at2000.bytes - at500.bytes)).toBeLessThanOrEqual(4096);
    expect(at500.savedBytes).toBe(base.savedBytes);
    expect(at2000.savedBytes).toBe(base.savedBytes);
    expect(at2000.savedTensors).toBe(base.savedTensors);
    expect(at2000.peakSavedBytes).toBeGreaterThan(0);
  });

  it('a graph dropped without backward releases its saved bytes once collected', async () => {
    const base = await settle();
    const w = gl.randn([32, 32], { requiresGrad: true });
    (() => {
      const loss = w.exp().sum(); // exp saves 4 KiB
      expect(gl.memory().savedBytes - base.savedBytes).toBe(4096);
      void loss;
    })();
    // the tape is a chain of objects: collecting it (and running the cleanup callbacks) can take a
    // few collection rounds, so poll for a bounded number of them
    let after = await settle();
    for (let i = 0; i < 20 && after.savedBytes !== base.savedBytes; i++) after = await settle(1);
    expect(after.savedBytes).toBe(base.savedBytes);
    expect(after.savedTensors).toBe(base.savedTensors);
  });
});

describe('gl.tidy', () => {
  it('disposes intermediates and keeps the returned tensors', () => {
    const x = gl.tensor([1, 2, 3]);
    const inner: gl.Tensor[] = [];
    const out = gl.tidy(() => {
      const a = x.mul(2);
      const b = a.add(1);
      const c = b.exp();
      inner.push(a, b, c);
      return { result: b.mul(3), also: [c] };
    });
    expect(inner[0].isDisposed).toBe(true);
    expect(inner[1].isDisposed).toBe(true);
    expect(inner[2].isDisposed).toBe(false); // returned inside a nested structure
    expect(out.result.isDisposed).toBe(false);
    expect(Array.from(out.result.dataSync())).toEqual([9, 15, 21]);
    expect(() => inner[0].dataSync()).toThrow(gl.DisposedError);
    expect(x.isDisposed).toBe(false); // created outside
  });

  it('frees the bytes of disposed intermediates immediately', () => {
    const x = gl.zeros([1024]);
    const before = gl.memory().bytes;
    const y = gl.tidy(() => x.add(1).add(2).add(3).sum());
    // only the returned 4-byte scalar (and the scalars made for the numbers, also disposed) remain
    expect(gl.memory().bytes - before).toBe(4);
    expect(y.item()).toBe(6 * 1024);
  });

  it('nested tidy hands returned tensors to the outer scope; keep() exempts a tensor', () => {
    let kept!: gl.Tensor;
    let innerResult!: gl.Tensor;
    const outer = gl.tidy(() => {
      innerResult = gl.tidy(() => gl.ones([2]).mul(5));
      kept = gl.keep(gl.ones([2]).mul(7));
      return innerResult.add(1);
    });
    expect(innerResult.isDisposed).toBe(true); // disposed by the outer tidy
    expect(kept.isDisposed).toBe(false);
    expect(Array.from(outer.dataSync())).toEqual([6, 6]);
  });

  it('returning a tensor also keeps its .grad (a training step inside tidy)', () => {
    const w = gl.tensor([1, 2], { requiresGrad: true });
    const [loss] = gl.tidy(() => {
      const l = w.mul(w).sum();
      l.backward();
      return [l, w] as const;
    });
    expect(loss.item()).toBe(5);
    expect(w.grad!.isDisposed).toBe(false);
    expect(Array.from(w.grad!.dataSync())).toEqual([2, 4]);
  });
});

describe('using / Symbol.dispose', () => {
  it('Symbol.dispose disposes the tensor', () => {
    const t = gl.ones([4]);
    t[Symbol.dispose]();
    expect(t.isDisposed).toBe(true);
  });

  it('a `using` declaration disposes at the end of the block', () => {
    let escaped!: gl.Tensor;
    const before = gl.memory().bytes;
    {
      using t = gl.zeros([256]);
      escaped = t;
      expect(t.isDisposed).toBe(false);
      expect(gl.memory().bytes - before).toBe(1024);
    }
    expect(escaped.isDisposed).toBe(true);
    expect(gl.memory().bytes).toBe(before);
  });
});
