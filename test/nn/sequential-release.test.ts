// Sequential gives back the tensors passed between built-in layers (plain loops reuse memory), and never one user code can reach.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const { nn } = gl;

/** One plain training step (no tidy): zeroGrad, forward, backward, SGD by hand. */
function step(model: gl.nn.Module, x: gl.Tensor): number {
  model.zeroGrad();
  const loss = model.forward(x).pow(2).mean();
  loss.backward();
  gl.noGrad(() => {
    for (const p of model.parameters()) p.sub_(p.grad!.mul(0.01));
  });
  return loss.item();
}

/** Storages alive after `n` synchronous steps minus before (no finalizer can run inside a synchronous loop). */
function storageGrowth(model: gl.nn.Module, x: gl.Tensor, n: number): number {
  step(model, x);
  const before = gl.memory().storages;
  for (let i = 0; i < n; i++) step(model, x);
  return gl.memory().storages - before;
}

class KeepsInput extends nn.ReLU {
  last: gl.Tensor | null = null;
  override forward(x: gl.Tensor): gl.Tensor {
    this.last = x;
    return super.forward(x);
  }
}

describe('Sequential releases intermediates', () => {
  it('a plain training loop of built-in layers frees the storages between them at every step', () => {
    const layers = [
      new nn.Conv2d(1, 4, 3),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(4 * 3 * 3, 8),
      new nn.Tanh(),
      new nn.Linear(8, 2),
    ];
    const model = new nn.Sequential(...layers);
    // the same layers (same parameters), called one by one
    const byHand = new (class extends nn.Sequential {
      override forward(x: gl.Tensor): gl.Tensor {
        return layers.reduce((h, m) => m.forward(h), x);
      }
    })(...layers);
    const x = gl.randn([2, 1, 8, 8]);
    // no finalizer can run inside a synchronous loop, so the counts only drop by dispose(); called one
    // by one, the outputs of Conv2d, ReLU, MaxPool2d (Flatten's is a view of it), Linear and Tanh stay
    // alive until a garbage collection, 5 storages a step; through Sequential they are freed by backward
    const n = 20;
    const hand = storageGrowth(byHand, x, n);
    const seq = storageGrowth(model, x, n);
    expect(hand - seq).toBe(5 * n);
  });

  it('gives the same losses and gradients as the same layers called one by one', () => {
    gl.manualSeed(3);
    const layers = [new nn.Linear(5, 7), new nn.ReLU(), new nn.Linear(7, 3), new nn.Sigmoid()];
    const model = new nn.Sequential(...layers);
    const x = gl.randn([4, 5]);
    const byHand = () =>
      layers
        .reduce((h, m) => m.forward(h), x)
        .pow(2)
        .sum();
    // fusion off: the same ops either way, so the same bits (test/nn/epilogue.test.ts covers fusion)
    const was = nn.setLayerFusion(false);
    try {
      model.zeroGrad();
      byHand().backward();
      const want = [...model.parameters()].map((p) => p.grad!.toArray());
      model.zeroGrad();
      model.forward(x).pow(2).sum().backward();
      expect([...model.parameters()].map((p) => p.grad!.toArray())).toEqual(want);
    } finally {
      nn.setLayerFusion(was);
    }
  });

  it('keeps what a forward hook, a subclass or a replaced forward was handed', () => {
    const seen: gl.Tensor[] = [];
    const hooked = new nn.Linear(3, 4);
    hooked.registerForwardHook((_m, _args, out) => void seen.push(out as gl.Tensor));
    const keeper = new KeepsInput();
    const replaced = new nn.Tanh();
    const plain = new nn.Tanh();
    replaced.forward = (x: gl.Tensor) => (seen.push(x), plain.forward(x));
    const model = new nn.Sequential(
      hooked,
      new nn.ReLU(),
      new nn.Linear(4, 4),
      keeper,
      replaced,
      new nn.Linear(4, 1),
    );
    const x = gl.randn([2, 3]);
    model.forward(x).sum().backward();
    // all of them are still readable after backward released the tape
    for (const t of [...seen, keeper.last!]) expect(() => t.toArray()).not.toThrow();
    expect(seen.length).toBe(2);
    expect(x.isDisposed).toBe(false);
  });

  it('second-order gradients through a Sequential still see the saved intermediates', () => {
    const model = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 1));
    const x = gl.randn([2, 3], { requiresGrad: true });
    const [gx] = gl.grad(model.forward(x).sum(), [x], { createGraph: true });
    const [gxx] = gl.grad(gx!.pow(2).sum(), [x]);
    expect(gxx!.shape).toEqual([2, 3]);
    expect(Number.isFinite(gxx!.sum().item())).toBe(true);
  });
});
