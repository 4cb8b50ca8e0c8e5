// Module hooks: forward pre-hooks and forward hooks (order, replacement, removal, through containers),
// full backward hooks and backward pre-hooks (gradients wrt inputs/outputs checked against gl.grad).
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const { nn } = gl;

const close = (a: gl.Tensor, b: gl.Tensor) => {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(v).toBeCloseTo(y[i], 5));
};

describe('forward hooks', () => {
  it('run in order around forward, may replace args and output, and can be removed', () => {
    const fc = new nn.Linear(2, 2);
    const log: string[] = [];
    const h1 = fc.registerForwardPreHook((_m, args) => {
      log.push('pre');
      return [(args[0] as gl.Tensor).mul(0)];
    });
    const h2 = fc.registerForwardHook((m, args, out) => {
      log.push('post');
      expect(m).toBe(fc);
      expect((args[0] as gl.Tensor).dataSync().every((v) => v === 0)).toBe(true);
      return (out as gl.Tensor).add(100);
    });
    const y = fc.forward(gl.ones([1, 2]));
    expect(log).toEqual(['pre', 'post']);
    close(y, fc.bias!.add(100).reshape([1, 2]));
    h1.remove();
    h2.remove();
    const x = gl.ones([1, 2]);
    close(fc.forward(x), gl.add(gl.matmul(x, fc.weight.t()), fc.bias!));
    expect(log.length).toBe(2);
  });
  it('run for children inside containers and via call()', () => {
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
    const seen: number[][] = [];
    for (const m of seq)
      m.registerForwardHook((_m, _a, out) => void seen.push([...(out as gl.Tensor).shape]));
    seq.registerForwardHook(() => void seen.push([-1]));
    seq.call(gl.ones([5, 3]));
    expect(seen).toEqual([[5, 4], [5, 4], [5, 1], [-1]]);
  });
  it('a subclass calling super.forward runs the hooks once', () => {
    class Doubled extends nn.Linear {
      override forward(x: gl.Tensor): gl.Tensor {
        return super.forward(x).mul(2);
      }
    }
    const d = new Doubled(2, 2);
    let calls = 0;
    d.registerForwardHook(() => void calls++);
    d.forward(gl.ones([1, 2]));
    expect(calls).toBe(1);
  });
});

describe('full backward hooks', () => {
  it('see the gradients wrt the module input and output', () => {
    gl.manualSeed(0);
    const fc = new nn.Linear(3, 2);
    const x = gl.randn([4, 3]).requiresGrad_();
    const v = gl.randn([4, 2]);
    let gin: (gl.Tensor | null)[] = [];
    let gout: (gl.Tensor | null)[] = [];
    fc.registerFullBackwardHook((m, gi, go) => {
      expect(m).toBe(fc);
      gin = gi;
      gout = go;
    });
    fc.forward(x).mul(v).sum().backward();
    expect(gout.length).toBe(1);
    close(gout[0]!, v);
    expect(gin.length).toBe(1);
    // d/dx sum((x W^T + b) * v) = v W
    close(gin[0]!, gl.matmul(v, fc.weight));
    close(x.grad!, gl.matmul(v, fc.weight));
  });
  it('may replace the input gradient; parameter gradients are unchanged', () => {
    const fc = new nn.Linear(3, 2);
    const x = gl.randn([2, 3]).requiresGrad_();
    fc.registerFullBackwardHook((_m, gi) => [gi[0]!.mul(3)]);
    fc.forward(x).sum().backward();
    close(x.grad!, gl.matmul(gl.ones([2, 2]), fc.weight).mul(3));
    close(fc.bias!.grad!, gl.tensor([2, 2]));
  });
  it('backward pre-hooks may replace the output gradient (which then reaches the parameters)', () => {
    const fc = new nn.Linear(3, 2);
    const x = gl.randn([2, 3]);
    const order: string[] = [];
    fc.registerFullBackwardPreHook((_m, go) => {
      order.push('pre');
      return [go[0]!.mul(-1)];
    });
    fc.registerFullBackwardHook((_m, gi, go) => {
      order.push('hook');
      expect(gi).toEqual([null]); // the input does not require grad
      close(go[0]!, gl.full([2, 2], -1));
    });
    fc.forward(x).sum().backward();
    expect(order).toEqual(['pre', 'hook']);
    close(fc.bias!.grad!, gl.tensor([-2, -2]));
  });
  it('handle several tensor arguments and tuple outputs (LSTMCell)', () => {
    const cell = new nn.LSTMCell(2, 3);
    const x = gl.randn([1, 2]).requiresGrad_();
    const h = gl.randn([1, 3]);
    const c = gl.randn([1, 3]).requiresGrad_();
    let shapes: string[] = [];
    let gin: (gl.Tensor | null)[] = [];
    cell.registerFullBackwardHook((_m, gi, go) => {
      gin = gi;
      shapes = [...gi.map((g) => (g ? `[${g.shape}]` : 'null')), ...go.map((g) => `[${g!.shape}]`)];
    });
    const [h2, c2] = cell.forward(x, [h, c]);
    h2.sum().add(c2.sum()).backward();
    expect(shapes).toEqual(['[1,2]', 'null', '[1,3]', '[1,3]', '[1,3]']);
    // the same cell without hooks, differentiated by gl.grad
    const plain = new nn.LSTMCell(2, 3);
    plain.loadStateDict(cell.stateDict());
    const [a, b] = plain.forward(x, [h, c]);
    const [gx, gc] = gl.grad([a.sum().add(b.sum())], [x, c]);
    close(gin[0]!, gx!);
    close(gin[2]!, gc!);
  });
  it('are not called once removed, and do not run under noGrad', () => {
    const fc = new nn.Linear(2, 2);
    let calls = 0;
    const handle = fc.registerFullBackwardHook(() => void calls++);
    gl.noGrad(() => fc.forward(gl.ones([1, 2])));
    fc.forward(gl.ones([1, 2]))
      .sum()
      .backward();
    expect(calls).toBe(1);
    handle.remove();
    fc.forward(gl.ones([1, 2]))
      .sum()
      .backward();
    expect(calls).toBe(1);
  });
  it('support higher-order gradients through the hooked module', () => {
    const m = new nn.Tanh();
    m.registerFullBackwardHook(() => undefined);
    const x = gl.tensor([0.3, -0.7], { dtype: 'float64' }).requiresGrad_();
    const [g] = gl.grad([m.forward(x).sum()], [x], { createGraph: true });
    const [g2] = gl.grad([g!.sum()], [x]);
    // d2/dx2 tanh = -2 tanh (1 - tanh^2)
    const t = Math.tanh(0.3);
    expect(g2!.dataSync()[0]).toBeCloseTo(-2 * t * (1 - t * t), 10);
  });
});
