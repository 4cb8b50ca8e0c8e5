// Reverse-mode autodiff semantics (PyTorch is the reference): accumulation into .grad, retainGraph,
// freed graphs, gl.grad, grad modes, retainGrad, hooks, partial backward passes and higher order.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const arr = (t: gl.Tensor | null) => Array.from(t!.dataSync());
const close = (a: number[], b: number[], tol = 1e-5) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i]))));
};

describe('backward', () => {
  it('accumulates into .grad over two calls', () => {
    const x = gl.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([2, 4, 6]);
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([4, 8, 12]);
    expect(x.grad!.requiresGrad).toBe(false);
  });

  it('retainGraph allows a second backward through the same graph', () => {
    const x = gl.tensor([0, 1], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    close(arr(x.grad), [2, 2 * Math.E]);
  });

  it('a second backward without retainGraph throws GraphFreedError', () => {
    const x = gl.tensor([0, 1], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(gl.GraphFreedError);
    expect(() => y.backward()).toThrow(/retainGraph/);
    // GraphFreedError is a GradError
    expect(() => y.backward()).toThrow(gl.GradError);
  });

  it('a graph that saved nothing can be backpropagated twice (PyTorch semantics)', () => {
    // neg and sum save no tensors, so nothing is freed: PyTorch accumulates [-2, -2]
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = x.neg().sum();
    y.backward();
    y.backward();
    expect(arr(x.grad)).toEqual([-2, -2]);
  });

  it('non-scalar backward without gradOutput throws a readable GradError', () => {
    const x = gl.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    let err: unknown;
    try {
      y.backward();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(gl.GradError);
    expect((err as Error).message).toMatch(/scalar/);
    expect((err as Error).message).toContain('[3]');
    // with an explicit gradOutput it works
    y.backward(gl.tensor([1, 10, 100]));
    expect(arr(x.grad)).toEqual([2, 20, 200]);
  });

  it('backward of a tensor that does not require grad throws GradError', () => {
    expect(() => gl.tensor([1]).sum().backward()).toThrow(gl.GradError);
  });
});

describe('gl.grad', () => {
  it('returns gradients and leaves .grad untouched', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const w = gl.tensor([3, 4], { requiresGrad: true });
    const y = x.mul(w).sum();
    const [gx, gw] = gl.grad(y, [x, w]);
    expect(arr(gx)).toEqual([3, 4]);
    expect(arr(gw)).toEqual([1, 2]);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    expect(gx!.requiresGrad).toBe(false);
  });

  it('allowUnused returns null for an unused input, otherwise GradError', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const unused = gl.tensor([5], { requiresGrad: true });
    const y = x.exp().sum();
    expect(() => gl.grad(y, [x, unused], { retainGraph: true })).toThrow(gl.GradError);
    const [gx, gu] = gl.grad(y, [x, unused], { allowUnused: true });
    close(arr(gx), [Math.E, Math.exp(2)]);
    expect(gu).toBeNull();
  });

  it('gradient with respect to an intermediate tensor', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3);
    const y = h.mul(h).sum();
    const [gh] = gl.grad(y, h);
    expect(arr(gh)).toEqual([6, 12]);
  });
});

describe('grad modes', () => {
  it('detach cuts the tape and shares memory', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.storage).toBe(y.storage);
    d.mul(y).sum().backward();
    // d is a constant: dy/dx contribution only through y
    expect(arr(x.grad)).toEqual([4, 8]);
  });

  it('noGrad records nothing and saves nothing', () => {
    const x = gl.tensor([1, 2, 3], { requiresGrad: true });
    const before = gl.memory().savedBytes;
    const beforeCount = gl.memory().savedTensors;
    const y = gl.noGrad(() => x.exp().mul(x).tanh());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(gl.memory().savedBytes).toBe(before);
    expect(gl.memory().savedTensors).toBe(beforeCount);
    expect(gl.isGradEnabled()).toBe(true);
  });

  it('enableGrad records inside noGrad', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = gl.noGrad(() => {
      expect(gl.isGradEnabled()).toBe(false);
      return gl.enableGrad(() => x.mul(x));
    });
    expect(y.requiresGrad).toBe(true);
    expect(y.gradFn).not.toBeNull();
    y.sum().backward();
    expect(arr(x.grad)).toEqual([2, 4]);
  });

  it('grad mode is restored when the function throws', () => {
    expect(() =>
      gl.noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(gl.isGradEnabled()).toBe(true);
  });

  it('an op whose inputs need no gradient records nothing', () => {
    const a = gl.tensor([1, 2]);
    const b = gl.tensor([3, 4]);
    const c = a.mul(b).exp();
    expect(c.gradFn).toBeNull();
    expect(c.requiresGrad).toBe(false);
    expect(c.isLeaf).toBe(true);
    // integer results of float inputs are not recorded either
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const am = x.argmax();
    expect(am.requiresGrad).toBe(false);
    expect(x.gt(1).requiresGrad).toBe(false);
  });
});

describe('retainGrad and hooks', () => {
  it('retainGrad keeps the gradient of a non-leaf', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    y.retainGrad();
    const z = y.mul(y).sum();
    z.backward();
    expect(arr(y.grad)).toEqual([6, 12]);
    expect(arr(x.grad)).toEqual([18, 36]);
    // a non-leaf without retainGrad keeps no gradient
    const x2 = gl.tensor([1], { requiresGrad: true });
    const y2 = x2.mul(2);
    y2.sum().backward();
    expect(y2.grad).toBeNull();
  });

  it('registerHook on a leaf replaces its gradient', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const h = x.registerHook((g) => {
      seen.push(arr(g));
      return g.mul(10);
    });
    x.mul(x).sum().backward();
    expect(seen).toEqual([[2, 4]]);
    expect(arr(x.grad)).toEqual([20, 40]);
    h.remove();
    x.grad = null;
    x.mul(x).sum().backward();
    expect(arr(x.grad)).toEqual([2, 4]);
  });

  it('registerHook on a non-leaf replaces the gradient flowing further back', () => {
    const x = gl.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.registerHook((g) => g.mul(0).add(1));
    y.mul(y).sum().backward(); // dL/dy = 2y would be [4, 8]; the hook makes it [1, 1]
    expect(arr(x.grad)).toEqual([2, 2]);
    // a hook returning nothing observes without replacing
    const a = gl.tensor([3], { requiresGrad: true });
    const b = a.mul(a);
    let observed = 0;
    b.registerHook((g) => void (observed = g.item()));
    b.mul(5).sum().backward();
    expect(observed).toBe(5);
    expect(arr(a.grad)).toEqual([30]);
  });

  it('registerHook on a tensor that does not require grad throws', () => {
    expect(() => gl.tensor([1]).registerHook((g) => g)).toThrow(gl.GradError);
  });
});

describe('partial backward passes', () => {
  it('disjoint graphs: each backward touches only its own leaves', () => {
    const a = gl.tensor([1, 2], { requiresGrad: true });
    const b = gl.tensor([3, 4], { requiresGrad: true });
    const la = a.mul(a).sum();
    const lb = b.mul(b).mul(b).sum();
    la.backward();
    expect(arr(a.grad)).toEqual([2, 4]);
    expect(b.grad).toBeNull();
    lb.backward();
    expect(arr(b.grad)).toEqual([27, 48]);
    expect(arr(a.grad)).toEqual([2, 4]);
  });

  it('overlapping graphs share a subgraph: retainGraph keeps it for the second backward', () => {
    const x = gl.tensor([0, 1], { requiresGrad: true });
    const w = gl.tensor([2, 3], { requiresGrad: true });
    const shared = x.exp();
    const l1 = shared.mul(w).sum();
    const l2 = shared.mul(shared).sum();
    l1.backward(null, { retainGraph: true });
    close(arr(x.grad), [2, 3 * Math.E]);
    close(arr(w.grad), [1, Math.E]);
    l2.backward();
    // d/dx exp(2x) = 2 exp(2x), accumulated
    close(arr(x.grad), [2 + 2, 3 * Math.E + 2 * Math.exp(2)]);
    close(arr(w.grad), [1, Math.E]);
    // the shared part was freed by the last backward
    expect(() => l1.backward()).toThrow(gl.GraphFreedError);
  });

  it('overlapping graphs without retainGraph: the second backward fails on the freed shared node', () => {
    const x = gl.tensor([0.5], { requiresGrad: true });
    const shared = x.exp();
    const l1 = shared.sum();
    const l2 = shared.mul(2).sum();
    l1.backward();
    expect(() => l2.backward()).toThrow(gl.GraphFreedError);
  });

  it('backward from an intermediate only reaches what is below it', () => {
    const x = gl.tensor([2], { requiresGrad: true });
    const w = gl.tensor([5], { requiresGrad: true });
    const h = x.mul(x);
    const y = h.mul(w);
    h.sum().backward(null, { retainGraph: true });
    expect(arr(x.grad)).toEqual([4]);
    expect(w.grad).toBeNull();
    y.sum().backward();
    expect(arr(x.grad)).toEqual([4 + 20]);
    expect(arr(w.grad)).toEqual([4]);
  });
});

describe('higher order', () => {
  it('d3/dx3 of x^4 by nesting gl.grad with createGraph', () => {
    const x = gl.tensor(2, { requiresGrad: true });
    const y = x.pow(4);
    const [g1] = gl.grad(y, x, { createGraph: true });
    expect(g1!.item()).toBeCloseTo(32, 4); // 4x^3
    expect(g1!.requiresGrad).toBe(true);
    const [g2] = gl.grad(g1!, x, { createGraph: true });
    expect(g2!.item()).toBeCloseTo(48, 4); // 12x^2
    const [g3] = gl.grad(g2!, x);
    expect(g3!.item()).toBeCloseTo(48, 4); // 24x
    expect(x.grad).toBeNull();
  });

  it('backward with createGraph makes .grad differentiable', () => {
    const x = gl.tensor([1.5], { requiresGrad: true });
    x.pow(3).sum().backward(null, { createGraph: true });
    const g = x.grad!;
    expect(g.requiresGrad).toBe(true);
    close(arr(g), [3 * 1.5 * 1.5]);
    const [gg] = gl.grad(g.sum(), x);
    close(arr(gg), [6 * 1.5]);
  });

  it('second derivative of a product (mixed partials)', () => {
    const x = gl.tensor(3, { requiresGrad: true });
    const y = gl.tensor(4, { requiresGrad: true });
    const f = x.mul(x).mul(y); // x^2 y
    const [fx] = gl.grad(f, x, { createGraph: true }); // 2xy
    expect(fx!.item()).toBe(24);
    const [fxy, fxx] = gl.grad(fx!, [y, x]);
    expect(fxy!.item()).toBe(6); // 2x
    expect(fxx!.item()).toBe(8); // 2y
  });
});
