// Tensor basics: creation functions, dtypes and promotion, scalars and zero-size dims, views sharing
// memory (and gradients through them), and reading data back (dataSync, data, toArray, item).
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const arr = (t: gl.Tensor) => Array.from(t.dataSync());

describe('creation', () => {
  it('tensor takes a shape option for typed and nested arrays, and refuses a bare shape array', () => {
    const m = gl.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3], requiresGrad: true });
    expect(m.shape).toEqual([2, 3]);
    expect(m.requiresGrad).toBe(true);
    expect(arr(m.narrow(0, 1, 1))).toEqual([4, 5, 6]);
    expect(
      gl.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { shape: [4] },
      ).shape,
    ).toEqual([4]);
    expect(() => gl.tensor(new Float32Array(6), { shape: [4, 2] })).toThrow(gl.ShapeError);
    expect(() => gl.tensor(new Float32Array(6), { shape: [4, 2] })).toThrow(
      /holds 8 elements, the data has 6/,
    );
    expect(() => gl.tensor(new Float32Array(6), { shape: [2, -3] })).toThrow(/non-negative integers/);
    // TF.js's tensor(values, shape) in plain JavaScript: an error that shows the options form
    const untyped = gl.tensor as (d: Float32Array, o: unknown) => gl.Tensor;
    expect(() => untyped(new Float32Array(6), [2, 3])).toThrow(
      /got the array \[2,3\]; for a shape write tensor\(data, \{ shape: \[2,3\] \}\)/,
    );
  });

  it('tensor from nested arrays infers shape and defaults to float32', () => {
    const t = gl.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.dataSync()).toBeInstanceOf(Float32Array);
    expect(arr(t)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.isLeaf).toBe(true);
    expect(t.requiresGrad).toBe(false);
  });

  it('tensor from typed arrays keeps their dtype and copies the data', () => {
    const src = new Int32Array([1, 2, 3]);
    const ti = gl.tensor(src);
    expect(ti.dtype).toBe('int32');
    expect(ti.shape).toEqual([3]);
    src[0] = 99;
    expect(arr(ti)).toEqual([1, 2, 3]);
    expect(gl.tensor(new Float64Array([0.1, 0.2])).dtype).toBe('float64');
    expect(gl.tensor(new Float32Array([0.5])).dtype).toBe('float32');
    const cast = gl.tensor(new Float64Array([1.5, 2.5]), { dtype: 'float32' });
    expect(cast.dtype).toBe('float32');
    expect(arr(cast)).toEqual([1.5, 2.5]);
  });

  it('tensor from scalars and booleans', () => {
    const s = gl.tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.ndim).toBe(0);
    expect(s.numel).toBe(1);
    expect(s.item()).toBe(3.5);
    const b = gl.tensor([true, false, true]);
    expect(b.dtype).toBe('bool');
    expect(b.toArray()).toEqual([true, false, true]);
    expect(gl.tensor(true).toArray()).toBe(true);
    expect(gl.tensor([1, 2], { dtype: 'int32' }).dtype).toBe('int32');
    expect(gl.tensor([1.5, 2], { dtype: 'float64' }).dataSync()).toBeInstanceOf(Float64Array);
  });

  it('zeros, ones, full, zerosLike, onesLike', () => {
    expect(arr(gl.zeros([2, 2]))).toEqual([0, 0, 0, 0]);
    expect(gl.ones([3]).toArray()).toEqual([1, 1, 1]);
    const f = gl.full([2, 1], 7);
    expect(f.shape).toEqual([2, 1]);
    expect(f.toArray()).toEqual([[7], [7]]);
    expect(gl.full([2], true).dtype).toBe('bool');
    expect(gl.zeros([2], { dtype: 'int32' }).dtype).toBe('int32');
    const x = gl.tensor([[1, 2, 3]], { dtype: 'float64' });
    const z = gl.zerosLike(x);
    expect(z.shape).toEqual([1, 3]);
    expect(z.dtype).toBe('float64');
    expect(gl.onesLike(x).toArray()).toEqual([[1, 1, 1]]);
    expect(gl.onesLike(x, { dtype: 'int32' }).dtype).toBe('int32');
    expect(gl.ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('arange: integer arguments give int32, fractional ones float32', () => {
    const a = gl.arange(5);
    expect(a.dtype).toBe('int32');
    expect(arr(a)).toEqual([0, 1, 2, 3, 4]);
    expect(arr(gl.arange(2, 8, 3))).toEqual([2, 5]);
    expect(arr(gl.arange(5, 0, -2))).toEqual([5, 3, 1]);
    const f = gl.arange(0, 1, 0.25);
    expect(f.dtype).toBe('float32');
    expect(arr(f)).toEqual([0, 0.25, 0.5, 0.75]);
    expect(gl.arange(0).shape).toEqual([0]);
    expect(() => gl.arange(0, 1, 0)).toThrow(gl.ArgumentError);
  });

  it('linspace includes both ends', () => {
    const l = gl.linspace(0, 1, 5);
    expect(l.dtype).toBe('float32');
    expect(arr(l)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(arr(gl.linspace(-1, 1, 1))).toEqual([-1]);
    expect(gl.linspace(0, 1, 0).shape).toEqual([0]);
  });

  it('eye', () => {
    expect(gl.eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(gl.eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it('rand, randn and randint have the right shape, dtype and range', () => {
    gl.manualSeed(123);
    const u = gl.rand([4, 5]);
    expect(u.shape).toEqual([4, 5]);
    expect(u.dtype).toBe('float32');
    for (const v of u.dataSync()) expect(v >= 0 && v < 1).toBe(true);
    const n = gl.randn([3], { dtype: 'float64' });
    expect(n.dtype).toBe('float64');
    expect(n.shape).toEqual([3]);
    const r = gl.randint(-2, 3, [200]);
    expect(r.dtype).toBe('int32');
    const vals = new Set(Array.from(r.dataSync()));
    for (const v of vals) expect(v >= -2 && v < 3 && Number.isInteger(v)).toBe(true);
    expect(vals.size).toBe(5);
    expect(() => gl.randint(3, 3, [2])).toThrow(gl.ArgumentError);
    expect(() => gl.rand([2], { dtype: 'int32' })).toThrow(gl.DTypeError);
  });
});

describe('dtypes and promotion', () => {
  it('int32 + float32 -> float32, float32 + float64 -> float64, bool + int32 -> int32', () => {
    const i = gl.tensor([1, 2], { dtype: 'int32' });
    const f = gl.tensor([0.5, 0.5]);
    const d = gl.tensor([0.25, 0.25], { dtype: 'float64' });
    const b = gl.tensor([true, false]);
    const if32 = i.add(f);
    expect(if32.dtype).toBe('float32');
    expect(arr(if32)).toEqual([1.5, 2.5]);
    expect(f.add(d).dtype).toBe('float64');
    expect(i.mul(d).dtype).toBe('float64');
    expect(b.add(i).dtype).toBe('int32');
    expect(i.add(i).dtype).toBe('int32');
  });

  it('number scalars are weak: they never widen a tensor dtype except int -> float', () => {
    const i = gl.tensor([1, 2], { dtype: 'int32' });
    const f = gl.tensor([1, 2]);
    const d = gl.tensor([1, 2], { dtype: 'float64' });
    expect(i.add(2).dtype).toBe('int32');
    expect(arr(i.add(2))).toEqual([3, 4]);
    expect(i.add(0.5).dtype).toBe('float32');
    expect(arr(i.add(0.5))).toEqual([1.5, 2.5]);
    expect(f.mul(2.5).dtype).toBe('float32');
    expect(d.mul(2.5).dtype).toBe('float64');
    expect(gl.mul(3, f).dtype).toBe('float32');
  });

  it('division of integers is true division (float32); comparisons give bool', () => {
    const i = gl.tensor([1, 3], { dtype: 'int32' });
    const q = i.div(2);
    expect(q.dtype).toBe('float32');
    expect(arr(q)).toEqual([0.5, 1.5]);
    const c = i.gt(2);
    expect(c.dtype).toBe('bool');
    expect(c.toArray()).toEqual([false, true]);
  });

  it('casts', () => {
    const f = gl.tensor([1.7, -1.7, 0]);
    expect(f.int().dtype).toBe('int32');
    expect(arr(f.int())).toEqual([1, -1, 0]);
    expect(f.bool().toArray()).toEqual([true, true, false]);
    expect(f.double().dtype).toBe('float64');
    expect(gl.tensor([1], { dtype: 'int32' }).float().dtype).toBe('float32');
  });
});

describe('scalars and zero-size dims', () => {
  it('0-d tensors broadcast and reduce', () => {
    const s = gl.tensor(2);
    const v = gl.tensor([1, 2, 3]);
    expect(v.mul(s).toArray()).toEqual([2, 4, 6]);
    const total = v.sum();
    expect(total.shape).toEqual([]);
    expect(total.item()).toBe(6);
    expect(total.toArray()).toBe(6);
  });

  it('zero-size dims: creation, elementwise, sum, reshape, toArray', () => {
    const z = gl.zeros([0, 3]);
    expect(z.numel).toBe(0);
    expect(z.shape).toEqual([0, 3]);
    expect(z.dataSync().length).toBe(0);
    expect(z.toArray()).toEqual([]);
    expect(z.add(1).shape).toEqual([0, 3]);
    const s = z.sum();
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(0);
    expect(z.sum(1).shape).toEqual([0]);
    expect(z.reshape([3, 0]).shape).toEqual([3, 0]);
    expect(gl.tensor([]).shape).toEqual([0]);
  });

  it('gradient of an empty reduction is an empty gradient', () => {
    const z = gl.zeros([0, 2], { requiresGrad: true });
    z.mul(3).sum().backward();
    expect(z.grad!.shape).toEqual([0, 2]);
  });
});

describe('views', () => {
  it('reshape of a contiguous tensor shares memory', () => {
    const x = gl.arange(6).float();
    const y = x.reshape([2, 3]);
    expect(y.storage).toBe(x.storage);
    expect(y.strides).toEqual([3, 1]);
    x.add_(10);
    expect(y.toArray()).toEqual([
      [10, 11, 12],
      [13, 14, 15],
    ]);
    expect(x.view([3, 2]).storage).toBe(x.storage);
  });

  it('transpose and permute swap strides without copying', () => {
    const x = gl.arange(24).float().reshape([2, 3, 4]);
    expect(x.strides).toEqual([12, 4, 1]);
    const t = x.transpose(0, 2);
    expect(t.shape).toEqual([4, 3, 2]);
    expect(t.strides).toEqual([1, 4, 12]);
    expect(t.storage).toBe(x.storage);
    expect(t.isContiguous).toBe(false);
    const p = x.permute([2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.strides).toEqual([1, 12, 4]);
    expect(p.storage).toBe(x.storage);
    const m = gl.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    // reading a non-contiguous view gives row-major order of the view
    expect(arr(m.t())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(m.t().toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    // reshape of a non-contiguous tensor copies
    const r = m.t().reshape([6]);
    expect(r.storage).not.toBe(m.storage);
    expect(arr(r)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('slice is a strided view: offset and strides', () => {
    const x = gl.arange(12).float().reshape([3, 4]);
    const s = x.slice(1, 1, 4, 2);
    expect(s.shape).toEqual([3, 2]);
    expect(s.offset).toBe(1);
    expect(s.strides).toEqual([4, 2]);
    expect(s.storage).toBe(x.storage);
    expect(s.toArray()).toEqual([
      [1, 3],
      [5, 7],
      [9, 11],
    ]);
    const row = x.select(0, 2);
    expect(row.shape).toEqual([4]);
    expect(row.offset).toBe(8);
    expect(arr(row)).toEqual([8, 9, 10, 11]);
    // writes through the base are visible in the view
    x.mul_(2);
    expect(arr(row)).toEqual([16, 18, 20, 22]);
  });

  it('gradients flow through transpose, reshape and slice views', () => {
    const x = gl.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const w = gl.tensor([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    x.t().mul(w).sum().backward();
    expect(x.grad!.toArray()).toEqual([
      [1, 2, 3],
      [10, 20, 30],
    ]);

    const y = gl.tensor([1, 2, 3, 4, 5, 6], { requiresGrad: true });
    y.reshape([2, 3])
      .slice(1, 0, 3, 2)
      .mul(
        gl.tensor([
          [1, 2],
          [3, 4],
        ]),
      )
      .sum()
      .backward();
    expect(arr(y.grad!)).toEqual([1, 0, 2, 3, 0, 4]);

    const z = gl.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    z.permute([1, 0])
      .reshape([4])
      .mul(gl.tensor([1, 2, 3, 4]))
      .sum()
      .backward();
    // permuted order is z00, z10, z01, z11
    expect(z.grad!.toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });
});

describe('reading data', () => {
  it('dataSync returns a fresh typed array of the right type', () => {
    const x = gl.tensor([1, 2, 3], { dtype: 'int32' });
    const d = x.dataSync();
    expect(d).toBeInstanceOf(Int32Array);
    d[0] = 42;
    expect(arr(x)).toEqual([1, 2, 3]);
    expect(gl.tensor([true]).dataSync()).toBeInstanceOf(Uint8Array);
  });

  it('await data() resolves to the same values', async () => {
    const x = gl.tensor([[1.5, 2.5]]).t();
    const d = await x.data();
    expect(Array.from(d)).toEqual([1.5, 2.5]);
  });

  it('toArray builds nested arrays; item reads one-element tensors', () => {
    const x = gl.arange(8).reshape([2, 2, 2]);
    expect(x.toArray()).toEqual([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
    ]);
    expect(gl.tensor([[5]]).item()).toBe(5);
    expect(() => gl.tensor([1, 2]).item()).toThrow(/item.*\[2\]/);
  });
});
