// gl.vmap's API: inDims/outDims trees, nesting, composition with grad/vjp/jvp/hvp, modules, chunkSize and named errors.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

type Tensor = gl.Tensor;
const t64 = (shape: number[], seed: number) => {
  gl.manualSeed(seed);
  return gl.randn(shape, { dtype: 'float64' });
};
const maxDiff = (a: Tensor, b: Tensor) => {
  expect(a.shape).toEqual(b.shape);
  return a.sub(b).abs().max().item();
};

describe('vmap', () => {
  it('maps over inDims 0 and null, with the loop as reference', () => {
    const x = t64([4, 3], 1);
    const w = t64([3, 2], 2);
    const y = gl.vmap((a: Tensor, b: Tensor) => a.matmul(b).tanh(), [0, null])(x, w);
    expect(maxDiff(y, x.matmul(w).tanh())).toBeLessThan(1e-14);
  });

  it('takes any inDim and outDim, negative ones included', () => {
    const x = t64([3, 5, 2], 3);
    const y = gl.vmap((a: Tensor) => a.sum(0), 1, -1)(x); // per column of dim 1: sum over dim 0 -> [2], out batch last
    expect(maxDiff(y, x.sum(0).transpose(0, 1))).toBeLessThan(1e-14);
  });

  it('accepts arrays and plain objects of tensors as arguments and outputs', () => {
    const a = t64([4, 3], 4);
    const b = t64([3], 5);
    const f = (p: { a: Tensor; b: Tensor }, pair: [Tensor, Tensor]) => ({
      s: p.a.add(p.b),
      list: [pair[0].mul(pair[1]), p.b.exp()],
    });
    const out = gl.vmap(f, [{ a: 0, b: null }, 0], { s: 0, list: [1, null] })({ a, b }, [a, a]);
    expect(maxDiff(out.s, a.add(b))).toBeLessThan(1e-14);
    expect(maxDiff(out.list[0], a.mul(a).transpose(0, 1))).toBeLessThan(1e-14);
    expect(maxDiff(out.list[1], b.exp())).toBe(0); // unbatched output with outDim null: returned as is
  });

  it('expands an output that does not depend on the batch', () => {
    const x = t64([4, 3], 6);
    const [c, z] = gl.vmap((_a: Tensor) => [
      gl.ones([2], { dtype: 'float64' }),
      gl.zeros([], { dtype: 'float64' }),
    ])(x);
    expect(c.shape).toEqual([4, 2]);
    expect(z.shape).toEqual([4]);
    expect(c.sum().item()).toBe(8);
  });

  it('nests: vmap of vmap gives all pairs', () => {
    const x = t64([3, 4], 7);
    const y = t64([5, 4], 8);
    const dot = (a: Tensor, b: Tensor) => a.mul(b).sum();
    const pairs = gl.vmap((a: Tensor) => gl.vmap((b: Tensor) => dot(a, b))(y))(x);
    expect(maxDiff(pairs, x.matmul(y.transpose(0, 1)))).toBeLessThan(1e-13);
    // inner over dim 1 of a doubly batched input
    const z = t64([2, 3, 4], 9);
    const nested = gl.vmap(
      gl.vmap((v: Tensor) => v.softmax(0), 1),
      0,
    )(z);
    expect(maxDiff(nested, z.softmax(1).transpose(1, 2))).toBeLessThan(1e-14);
  });

  it('runs modules (fused linear kernels fall back to the batching rules)', () => {
    gl.manualSeed(10);
    const lin = new gl.nn.Linear(3, 2, { dtype: 'float64' });
    const x = t64([5, 3], 11);
    const y = gl.vmap((xi: Tensor) => lin.forward(xi.unsqueeze(0)).relu().squeeze(0))(x);
    expect(maxDiff(y, lin.forward(x).relu())).toBeLessThan(1e-14);
  });

  it('gives the same values in chunks', () => {
    const x = t64([7, 3], 12);
    const f = (a: Tensor) => [a.exp().sum(), a.flip([0])];
    const whole = gl.vmap(f)(x);
    const chunked = gl.vmap(f, 0, 0, { chunkSize: 3 })(x);
    expect(maxDiff(chunked[0], whole[0])).toBe(0);
    expect(maxDiff(chunked[1], whole[1])).toBe(0);
  });
});

describe('vmap composed with autodiff', () => {
  const f = (w: Tensor, x: Tensor) => x.matmul(w).sin().pow(2).sum();
  const w = t64([3, 2], 20);
  const X = t64([4, 3], 21);
  const row = (i: number) => gl.select(X, 0, i);

  it('grad of vmap: the gradient flows through the batching rules', () => {
    const xl = X.detach().requiresGrad_();
    const [g] = gl.grad(
      [
        gl
          .vmap((x: Tensor) => f(w, x))(xl)
          .sum(),
      ],
      [xl],
    );
    const xr = X.detach().requiresGrad_();
    const [want] = gl.grad([xr.matmul(w).sin().pow(2).sum()], [xr]);
    expect(maxDiff(g!, want!)).toBeLessThan(1e-13);
  });

  it('vmap of valueAndGrad: per-example gradients of a shared weight', () => {
    const [vals, grads] = gl.vmap(gl.valueAndGrad(f), [null, 0])(w, X) as unknown as [Tensor, Tensor];
    for (let i = 0; i < 4; i++) {
      const [v, g] = gl.valueAndGrad(f)(w, row(i)) as [Tensor, Tensor];
      expect(Math.abs(gl.select(vals, 0, i).item() - v.item())).toBeLessThan(1e-14);
      expect(maxDiff(gl.select(grads, 0, i), g)).toBeLessThan(1e-14);
    }
  });

  it('vmap of jvp and of hvp equal the loop', () => {
    const V = t64([4, 3], 22);
    const h = (x: Tensor) => x.mul(x).sin().sum();
    const jv = gl.vmap((x: Tensor, v: Tensor) => gl.jvp(h, [x], [v])[1])(X, V);
    const hv = gl.vmap((x: Tensor, v: Tensor) => gl.hvp(h, [x], [v])[1][0])(X, V);
    for (let i = 0; i < 4; i++) {
      const vi = gl.select(V, 0, i);
      expect(Math.abs(gl.select(jv, 0, i).item() - gl.jvp(h, [row(i)], [vi])[1].item())).toBeLessThan(1e-13);
      expect(maxDiff(gl.select(hv, 0, i), gl.hvp(h, [row(i)], [vi])[1][0])).toBeLessThan(1e-13);
    }
  });

  it('vmap of vmap of grad: per-example, per-weight-set gradients', () => {
    const Ws = t64([2, 3, 2], 23);
    const g = gl.vmap(gl.vmap(gl.valueAndGrad(f), [null, 0]), [0, null])(Ws, X) as unknown as [
      Tensor,
      Tensor,
    ];
    const [, g01] = gl.valueAndGrad(f)(gl.select(Ws, 0, 1), row(2)) as [Tensor, Tensor];
    expect(g[1].shape).toEqual([2, 4, 3, 2]);
    expect(maxDiff(gl.select(gl.select(g[1], 0, 1), 0, 2), g01)).toBeLessThan(1e-14);
  });
});

describe('vmap errors', () => {
  const x = t64([4, 3], 30);
  const id = (a: Tensor) => a.mul(2);
  it('names bad inDims and mismatched batch sizes', () => {
    expect(() => gl.vmap(id, [0, 0])(x)).toThrow(gl.VmapError);
    expect(() => gl.vmap(id, 2)(x)).toThrow(/out of range/);
    expect(() => gl.vmap((a: Tensor, _n: number) => a, [0, 0])(x, 3)).toThrow(/only tensors can be batched/);
    expect(() => gl.vmap((a: Tensor, b: Tensor) => a.add(b))(x, t64([5, 3], 1))).toThrow(
      /different batch sizes.*4.*5/,
    );
    expect(() => gl.vmap(id, null)(x)).toThrow(/no input is batched/);
    expect(() => gl.vmap(id, { a: 0 })(x)).toThrow(gl.VmapError);
  });
  it('refuses reads of per-example values, batched outputs with outDim null and escaped tensors', () => {
    expect(() => gl.vmap((a: Tensor) => gl.tensor(a.sum().item()))(x)).toThrow(/cannot read the values/);
    expect(() => gl.vmap(id, 0, null)(x)).toThrow(/outDims is null/);
    let leaked: Tensor | null = null;
    gl.vmap((a: Tensor) => (leaked = a.mul(1)))(x);
    expect(() => leaked!.add(1)).toThrow(/finished vmap/);
    expect(() => gl.vmap(id, 0, 0, { chunkSize: 0 })(x)).toThrow(/chunkSize/);
  });
  it("refuses in-place ops on batched tensors, and checks every example's indices", () => {
    expect(() => gl.vmap((a: Tensor) => a.mul(1).copy_(a))(x)).toThrow(/in-place/);
    const idx = gl.tensor(
      [
        [0, 1],
        [2, 0],
        [1, 3],
        [0, 0],
      ],
      { dtype: 'int32' },
    ); // example 2 holds 3, out of range for 3
    const pick = (a: Tensor, i: Tensor) => gl.gather(a, 0, i);
    expect(() => gl.vmap(pick)(x, idx)).toThrow(gl.IndexOutOfRangeError);
    const ok = gl.vmap(pick)(
      x,
      gl.tensor(
        [
          [0, 1],
          [2, 0],
          [1, 2],
          [0, 0],
        ],
        { dtype: 'int32' },
      ),
    );
    expect(ok.shape).toEqual([4, 2]);
  });
});
