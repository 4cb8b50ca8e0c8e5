// Storages disposed while saved for backward are freed (backend.dispose) when the tape lets go of them, and
// optimizers free the gradients zeroGrad drops: device memory never waits for the garbage collector.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('deterministic release of saved storages', () => {
  it('a storage disposed while saved is freed when its unused graph is released', async () => {
    const w = gl.tensor([1, 2, 3], { requiresGrad: true });
    let saved: gl.Storage | null = null;
    gl.tidy(() => {
      const e = gl.exp(gl.mul(w, 2)); // exp saves its output for backward
      saved = e.storage;
      gl.sum(e);
    }); // every tensor disposed; the tape still holds e's storage
    expect(saved!.disposed).toBe(false);
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc').toBeDefined();
    for (let k = 0; k < 10 && !saved!.disposed; k++) {
      gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(saved!.disposed).toBe(true); // released through the backend, not merely collected
  });

  it('optimizer.zeroGrad() disposes the gradients it drops', () => {
    const p = gl.tensor([1, 2], { requiresGrad: true });
    const opt = new gl.optim.SGD([p], { lr: 0.1 });
    gl.sum(gl.mul(p, p)).backward();
    const g = p.grad!;
    opt.step();
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    expect(g.isDisposed).toBe(true);
  });
});
