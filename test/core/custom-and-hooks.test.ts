// User-defined gradients: gl.customGrad (ctx.save / ctx.saved / ctx.needsInputGrad, non-tensor
// arguments, ctx attributes, double backward) and gl.overrideGrad (guided backprop, straight-through
// estimators), plus gradient reversal.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const arr = (t: gl.Tensor | null) => Array.from(t!.dataSync());

describe('gl.customGrad', () => {
  it('forward/backward with ctx.save, ctx.saved, a non-tensor argument and a ctx attribute', () => {
    const calls = { forward: 0, backward: 0 };
    // y = scale * x * w, with a hand-written backward
    const scaledMul = gl.customGrad({
      name: 'scaledMul',
      forward(ctx, x: gl.Tensor, w: gl.Tensor, scale: number) {
        calls.forward++;
        expect(gl.isGradEnabled()).toBe(false); // forward runs without recording
        ctx.save(x, w);
        ctx.scale = scale;
        return x.mul(w).mul(scale);
      },
      backward(ctx, g) {
        calls.backward++;
        const [x, w] = ctx.saved;
        const s = ctx.scale as number;
        return [
          ctx.needsInputGrad[0] ? g.mul(w!).mul(s) : null,
          ctx.needsInputGrad[1] ? g.mul(x!).mul(s) : null,
          null,
        ];
      },
    });
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const w = gl.tensor([3, 4], { requiresGrad: true });
    const y = scaledMul(x, w, 10);
    expect(arr(y)).toEqual([30, 80]);
    expect(y.gradFn!.op).toBe('scaledMul');
    y.sum().backward();
    expect(calls).toEqual({ forward: 1, backward: 1 });
    expect(arr(x.grad)).toEqual([30, 40]);
    expect(arr(w.grad)).toEqual([10, 20]);
  });

  it('ctx.needsInputGrad reflects which arguments need a gradient (forward and backward)', () => {
    const seen: boolean[][] = [];
    const f = gl.customGrad({
      forward(ctx, a: gl.Tensor, b: gl.Tensor, _k: number) {
        seen.push([...ctx.needsInputGrad]);
        return a.add(b);
      },
      backward(ctx, g) {
        seen.push([...ctx.needsInputGrad]);
        return [ctx.needsInputGrad[0] ? g : null, ctx.needsInputGrad[1] ? g : null, null];
      },
    });
    const a = gl.tensor([1], { requiresGrad: true });
    const b = gl.tensor([2]);
    f(a, b, 3).sum().backward();
    expect(seen).toEqual([
      [true, false, false],
      [true, false, false],
    ]);
    expect(arr(a.grad)).toEqual([1]);
    // with no input requiring grad nothing is recorded
    const out = f(gl.tensor([1]), b, 0);
    expect(out.requiresGrad).toBe(false);
    expect(out.gradFn).toBeNull();
  });

  it('saved tensors in a custom op go through the saved-tensor accounting', () => {
    const f = gl.customGrad({
      forward(ctx, x: gl.Tensor) {
        const y = x.exp();
        ctx.save(y);
        return y;
      },
      backward(ctx, g) {
        return [g.mul(ctx.saved[0]!)];
      },
    });
    const x = gl.tensor(new Float32Array(16), { requiresGrad: true });
    const before = gl.memory().savedBytes;
    const y = f(x);
    expect(gl.memory().savedBytes - before).toBe(64);
    y.sum().backward();
    expect(gl.memory().savedBytes).toBe(before);
    expect(arr(x.grad)).toEqual(new Array(16).fill(1));
  });

  it('double backward through a custom op whose backward uses gl ops', () => {
    const cube = gl.customGrad({
      name: 'cube',
      forward(ctx, x: gl.Tensor) {
        ctx.save(x);
        return x.mul(x).mul(x);
      },
      backward(ctx, g) {
        const [x] = ctx.saved;
        return [g.mul(x!.mul(x!)).mul(3)];
      },
    });
    const x = gl.tensor(2, { requiresGrad: true });
    const y = cube(x);
    const [g1] = gl.grad(y, x, { createGraph: true });
    expect(g1!.item()).toBe(12); // 3x^2
    const [g2] = gl.grad(g1!, x, { createGraph: true });
    expect(g2!.item()).toBe(12); // 6x
    const [g3] = gl.grad(g2!, x);
    expect(g3!.item()).toBe(6);
  });

  it('a custom op can return its input (identity forward) and still get its own backward', () => {
    const reverse = gradReversal(0.5);
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = reverse(x);
    expect(y.storage).toBe(x.storage);
    expect(y.gradFn).not.toBeNull();
    y.mul(3).sum().backward();
    expect(arr(x.grad)).toEqual([-1.5, -1.5]);
  });
});

/** Gradient reversal layer (domain-adversarial training): identity forward, -lambda * g backward. */
function gradReversal(lambda: number) {
  return gl.customGrad({
    name: 'gradReversal',
    forward(_ctx, x: gl.Tensor) {
      return x;
    },
    backward(_ctx, g) {
      return [g.mul(-lambda)];
    },
  });
}

describe('gradient reversal', () => {
  it('flips the gradient of the part below it only', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const w = gl.tensor([3, 4], { requiresGrad: true });
    const feat = x.mul(2);
    const head = gradReversal(1)(feat).mul(w).sum(); // adversarial head
    const task = feat.sum(); // task loss
    head.add(task).backward();
    // head: d/dw = feat = [2,4]; d/dx = -(w) * 2 = [-6,-8]; task: d/dx = 2
    expect(arr(w.grad)).toEqual([2, 4]);
    expect(arr(x.grad)).toEqual([-6 + 2, -8 + 2]);
  });
});

describe('gl.overrideGrad', () => {
  const guided: gl.GradOverrides = {
    relu: {
      save: (c, _inputs, y) => c.save(y),
      // guided backprop: pass only positive gradients through positive activations
      vjp: (c, g) => [() => g.relu().mul(c.saved[0]!.gt(0))],
    },
  };

  it('guided backprop replaces relu gradients inside the scope only', () => {
    const x = gl.tensor([-1, 2, 3, 4], { requiresGrad: true });
    const up = gl.tensor([5, -1, 2, 0]);
    const plain = gl.grad(x.relu().mul(up).sum(), x)[0];
    expect(arr(plain)).toEqual([0, -1, 2, 0]);
    const y = gl.overrideGrad(guided, () => x.relu());
    const [gx] = gl.grad(y.mul(up).sum(), x);
    expect(arr(gx)).toEqual([0, 0, 2, 0]);
    // outside the scope the standard rule applies again
    expect(arr(gl.grad(x.relu().mul(up).sum(), x)[0])).toEqual([0, -1, 2, 0]);
  });

  it('rules apply at record time: backward outside the scope still uses the override', () => {
    const x = gl.tensor(
      [
        [-2, 1],
        [3, -4],
      ],
      { requiresGrad: true },
    );
    const w = gl.tensor([
      [1, -1],
      [-1, 1],
    ]);
    const y = gl.overrideGrad(guided, () => x.matmul(w).relu().matmul(w));
    y.sum().backward();
    // expected: the guided rule applied by hand to the upstream gradient at the relu output
    const xs = gl.tensor(
      [
        [-2, 1],
        [3, -4],
      ],
      { requiresGrad: true },
    );
    const h = xs.matmul(w);
    const r = h.relu();
    const gr = gl.ones([2, 2]).matmul(w.t()); // upstream gradient at r
    const expected = gr.relu().mul(r.gt(0)).matmul(w.t());
    expect(arr(x.grad)).toEqual(arr(expected));
  });

  it('a straight-through estimator: sign() passes the gradient through unchanged', () => {
    const x = gl.tensor([-0.3, 0.2, 0.9], { requiresGrad: true });
    const ste: gl.GradOverrides = { sign: { vjp: (_c, g) => [() => g] } };
    const w = gl.tensor([1, 2, 3]);
    const q = gl.overrideGrad(ste, () => x.sign());
    expect(arr(q)).toEqual([-1, 1, 1]);
    q.mul(w).sum().backward();
    expect(arr(x.grad)).toEqual([1, 2, 3]);
  });

  it('without the override sign() has a zero gradient (PyTorch: x.grad is zeros, not None)', () => {
    const x = gl.tensor([-0.3, 0.2, 0.9], { requiresGrad: true });
    const y = x.sign();
    expect(y.requiresGrad).toBe(true);
    y.mul(gl.tensor([1, 2, 3]))
      .sum()
      .backward();
    expect(x.grad).not.toBeNull();
    expect(arr(x.grad)).toEqual([0, 0, 0]);
  });

  it('nested overrides: the innermost rule wins', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const times = (k: number): gl.GradOverrides => ({ neg: { vjp: (_c, g) => [() => g.mul(k)] } });
    const y = gl.overrideGrad(times(10), () => gl.overrideGrad(times(100), () => x.neg()));
    y.sum().backward();
    expect(arr(x.grad)).toEqual([100, 100]);
  });
});
