// gl.perExampleGrads against a loop of single-example backward calls (float64, 1e-10) for an MLP, a CNN, a LayerNorm
// model and an Embedding model; the fast path equals the vmap path; streamed statistics; BatchNorm refused.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

type Tensor = gl.Tensor;
const N = 5;
const f64 = { dtype: 'float64' as const };

/** Per-example gradients by the definition: one backward per example, each a batch of one. */
function loopGrads(model: gl.nn.Module, lossFn: gl.PerExampleLoss, x: Tensor, y: Tensor | null) {
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad);
  const per: Record<string, Tensor[]> = Object.fromEntries(params.map(([n]) => [n, []]));
  const losses: number[] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    model.zeroGrad();
    const loss = lossFn(model.forward(x.narrow(0, i, 1)), y ? y.narrow(0, i, 1) : null);
    loss.backward();
    losses.push(loss.item());
    for (const [n, p] of params) per[n].push(p.grad ? p.grad.clone() : gl.zerosLike(p));
  }
  model.zeroGrad();
  return { losses, grads: Object.fromEntries(params.map(([n]) => [n, gl.stack(per[n])])) };
}

const maxDiff = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  return a.sub(b).abs().max().item();
};

function expectAllMethods(model: gl.nn.Module, lossFn: gl.PerExampleLoss, x: Tensor, y: Tensor | null) {
  const want = loopGrads(model, lossFn, x, y);
  for (const method of ['fast', 'vmap'] as const) {
    const r = gl.perExampleGrads(model, lossFn, x, y, { method });
    expect(r.method).toBe(method);
    expect(Object.keys(r.grads)).toEqual(Object.keys(want.grads));
    want.losses.forEach((l, i) => expect(Math.abs(r.losses.narrow(0, i, 1).item() - l)).toBeLessThan(1e-10));
    for (const [n, g] of Object.entries(want.grads))
      expect(maxDiff(r.grads[n], g), `${method} ${n}`).toBeLessThan(1e-10);
  }
  // streamed statistics equal the ones of the materialised per-example gradients
  for (const method of ['fast', 'vmap'] as const) {
    const s = gl.perExampleGrads(model, lossFn, x, y, { method, stats: true, chunkSize: 2 });
    let total = gl.zeros([x.shape[0]], f64);
    for (const [n, g] of Object.entries(want.grads)) {
      const sq = g.mul(g).reshape([x.shape[0], -1]).sum(1);
      total = total.add(sq);
      expect(maxDiff(s.sum[n], g.sum(0)), `${method} sum ${n}`).toBeLessThan(1e-10);
      expect(Math.abs(s.sumSquaredNorms[n].item() - sq.sum().item()), `${method} sq ${n}`).toBeLessThan(1e-9);
    }
    expect(maxDiff(s.norms, total.sqrt()), `${method} norms`).toBeLessThan(1e-10);
  }
}

describe('perExampleGrads equals a loop of single-example backward calls', () => {
  it('MLP with cross-entropy', () => {
    gl.manualSeed(1);
    const net = new gl.nn.Sequential(
      new gl.nn.Linear(4, 6, f64),
      new gl.nn.Tanh(),
      new gl.nn.Linear(6, 3, f64),
    );
    const x = gl.randn([N, 4], f64);
    const y = gl.tensor([0, 2, 1, 1, 0], { dtype: 'int32' });
    expectAllMethods(net, (o, t) => gl.crossEntropy(o, t!), x, y);
  });

  it('CNN (grouped, strided conv, max-pool) with cross-entropy', () => {
    gl.manualSeed(2);
    const net = new gl.nn.Sequential(
      new gl.nn.Conv2d(2, 4, 3, { padding: 1, groups: 2, dtype: 'float64' }),
      new gl.nn.ReLU(),
      new gl.nn.MaxPool2d(2),
      new gl.nn.Conv2d(4, 3, 2, { stride: 2, dtype: 'float64' }),
      new gl.nn.Flatten(),
      new gl.nn.Linear(3, 2, f64),
    );
    const x = gl.randn([N, 2, 6, 6], f64); // conv -> [6,6], pool -> [3,3], conv k2 s2 -> [1,1]
    const y = gl.tensor([0, 1, 1, 0, 1], { dtype: 'int32' });
    expectAllMethods(net, (o, t) => gl.crossEntropy(o, t!), x, y);
  });

  it('sequence model with LayerNorm and a reused Linear, MSE', () => {
    gl.manualSeed(3);
    const lin = new gl.nn.Linear(3, 3, f64);
    const net = new gl.nn.Sequential(lin, new gl.nn.LayerNorm(3, f64), new gl.nn.Tanh(), lin);
    const x = gl.randn([N, 4, 3], f64); // [N, T, D]: Linear over a sequence
    const y = gl.randn([N, 4, 3], f64);
    expectAllMethods(net, (o, t) => gl.mseLoss(o, t!), x, y);
  });

  it('Embedding (with a padding index and repeated tokens)', () => {
    gl.manualSeed(4);
    const net = new gl.nn.Sequential(
      new gl.nn.Embedding(7, 3, { paddingIdx: 0, dtype: 'float64' }),
      new gl.nn.Flatten(),
      new gl.nn.Linear(12, 2, f64),
    );
    const x = gl.tensor(
      [
        [1, 2, 2, 0],
        [3, 3, 3, 3],
        [0, 6, 5, 1],
        [4, 1, 4, 1],
        [2, 0, 0, 6],
      ],
      { dtype: 'int32' },
    );
    const y = gl.tensor([1, 0, 1, 1, 0], { dtype: 'int32' });
    expectAllMethods(net, (o, t) => gl.crossEntropy(o, t!), x, y);
  });
});

describe('perExampleGrads methods and refusals', () => {
  it("refuses BatchNorm in training mode; 'auto' falls back to vmap for layers the fast path lacks", () => {
    const bn = new gl.nn.Sequential(new gl.nn.Linear(3, 4, f64), new gl.nn.BatchNorm1d(4, f64));
    const x = gl.randn([N, 3], f64);
    const loss = (o: Tensor) => o.sum();
    expect(() => gl.perExampleGrads(bn, loss, x, null)).toThrow(gl.PerExampleError);
    bn.eval();
    expect(() => gl.perExampleGrads(bn, loss, x, null, { method: 'fast' })).toThrow(/method: 'vmap'/);
    const r = gl.perExampleGrads(bn, loss, x, null);
    expect(r.method).toBe('vmap');
    const want = loopGrads(bn, loss, x, null);
    for (const [n, g] of Object.entries(want.grads)) expect(maxDiff(r.grads[n], g)).toBeLessThan(1e-10);
  });

  it('leaves .grad alone and names mismatched batches', () => {
    const lin = new gl.nn.Linear(3, 2, f64);
    gl.perExampleGrads(lin, (o) => o.sum(), gl.randn([N, 3], f64), null);
    expect(lin.weight.grad).toBeNull();
    expect(() => gl.perExampleGrads(lin, (o) => o.sum(), gl.randn([N, 3], f64), gl.randn([N + 1]))).toThrow(
      /5 examples but y has 6/,
    );
  });
});
