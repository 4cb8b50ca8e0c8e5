// backward() frees the tensors it creates that nobody can reach, at once; what a user can reach stays.
// Storage counts are read synchronously, so no finalizer can run between the two reads.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

/** x [4, 8] -> relu(x·w1) [4, 16] -> ·w2 [4, 3] -> sum; w1 and w2 require grad. */
function twoLayers() {
  gl.manualSeed(0);
  const x = gl.randn([4, 8]);
  const w1 = gl.randn([8, 16]).requiresGrad_();
  const w2 = gl.randn([16, 3]).requiresGrad_();
  const h = gl.relu(gl.matmul(x, w1));
  const loss = gl.matmul(h, w2).sum();
  return { x, w1, w2, h, loss };
}

describe('backward releases its intermediate gradients', () => {
  it('leaves one new storage per leaf gradient and nothing else', () => {
    const { w1, w2, loss } = twoLayers();
    const before = gl.memory().storages;
    loss.backward();
    // the seed, the gradients of the matmul outputs, relu's mask and the transposes' copies are gone
    expect(gl.memory().storages - before).toBe(2);
    expect(w1.grad!.shape).toEqual([8, 16]);
    expect(w2.grad!.shape).toEqual([16, 3]);
  });

  it('gives the same gradients as backward with createGraph (which keeps every tensor)', () => {
    const a = twoLayers();
    a.loss.backward();
    const b = twoLayers();
    b.loss.backward(null, { createGraph: true });
    expect(Array.from(a.w1.grad!.dataSync())).toEqual(Array.from(b.w1.grad!.dataSync()));
    expect(Array.from(a.w2.grad!.dataSync())).toEqual(Array.from(b.w2.grad!.dataSync()));
  });

  it('keeps what a hook saw, retained gradients and the results of grad()', () => {
    const { h, loss, w1 } = twoLayers();
    let seen: gl.Tensor | null = null;
    h.registerHook((g) => {
      seen = g;
    });
    h.retainGrad();
    loss.backward(null, { retainGraph: true });
    expect(seen!.isDisposed).toBe(false);
    expect(h.grad!.isDisposed).toBe(false);
    expect(Array.from(h.grad!.dataSync())).toEqual(Array.from(seen!.dataSync()));
    const [g1] = gl.grad(loss, [w1]);
    expect(g1!.isDisposed).toBe(false);
    expect(Array.from(g1!.dataSync())).toEqual(Array.from(w1.grad!.dataSync()));
  });
});
