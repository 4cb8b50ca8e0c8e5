// Function-level autodiff: jvp against vjp (and finite differences), hvp against finite differences of
// the gradient, and valueAndGrad with argnums given as a number or an array.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { checkGrad, checkJvpVjp, fromData, type TensorFn } from '../helpers/check-grad.js';

type Tensor = gl.Tensor;
const F64 = { dtype: 'float64' } as const;
const rn = (shape: number[]) => gl.randn(shape, F64);
const arr = (t: Tensor) => Array.from(t.dataSync() as ArrayLike<number>);

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-6, what = 'value'): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= tol + tol * Math.abs(want[i]);
    if (!ok) throw new Error(`${what}: element ${i}: got ${got[i]}, expected ${want[i]}`);
  }
}

describe('jvp and vjp', () => {
  const fns: [string, TensorFn, () => Tensor[]][] = [
    ['sin(x) * y with broadcasting', (x, y) => gl.mul(gl.sin(x), y), () => [rn([2, 3]), rn([3])]],
    [
      'tanh MLP layer',
      (x, w, b) => gl.tanh(gl.add(gl.matmul(x, w), b)),
      () => [rn([4, 3]), rn([3, 2]), rn([2])],
    ],
    ['softmax of a product', (a, b) => gl.softmax(gl.matmul(a, b), -1), () => [rn([2, 3]), rn([3, 4])]],
    ['logsumexp + layerNorm', (x) => gl.logsumexp(gl.layerNorm(x, [4]), 1), () => [rn([3, 4])]],
    ['scalar output (mseLoss)', (x, t) => gl.mseLoss(gl.exp(x), t), () => [rn([5]), rn([5])]],
    ['function ignoring its second input', (x, _y) => gl.mul(x, x), () => [rn([3]), rn([2])]],
    [
      'conv2d + maxPool2d',
      (x, w) => gl.maxPool2d(gl.conv2d(x, w, null, { padding: 1 }), 2),
      () => [rn([1, 1, 4, 4]), rn([2, 1, 3, 3])],
    ],
  ];
  for (const [name, fn, inputs] of fns)
    it(`<J t, u> = <t, J^T u>: ${name}`, () => {
      gl.manualSeed(11);
      checkJvpVjp(fn, inputs());
    });

  it('jvp returns the output and is linear in the tangent', () => {
    gl.manualSeed(2);
    const x = rn([3]);
    const t = rn([3]);
    const fn = (a: Tensor) => gl.mul(gl.exp(a), a);
    const [y, j1] = gl.jvp(fn, [x], [t]);
    const [, j2] = gl.jvp(fn, [x], [gl.mul(t, 3)]);
    expectClose(arr(y), arr(fn(x)), 1e-12, 'output');
    expect(y.requiresGrad).toBe(false);
    expectClose(arr(j2), arr(gl.mul(j1, 3)), 1e-12, 'linearity');
    // d/dx (x e^x) = (1 + x) e^x
    expectClose(arr(j1), arr(gl.mul(gl.mul(gl.add(x, 1), gl.exp(x)), t)), 1e-12, 'tangent');
  });

  it('jvp of a function that ignores its inputs gives zeros', () => {
    const [y, jv] = gl.jvp(() => gl.ones([2], F64), [rn([3])], [rn([3])]);
    expect([...jv.shape]).toEqual([2]);
    expect(arr(jv)).toEqual([0, 0]);
    expect(arr(y)).toEqual([1, 1]);
  });

  it('vjp of a function that ignores its inputs gives zeros', () => {
    const [, gs] = gl.vjp((_a) => gl.ones([2], F64), [rn([3])], [gl.ones([2], F64)]);
    expect(arr(gs[0])).toEqual([0, 0, 0]);
  });

  it('vjp with several outputs sums their pullbacks', () => {
    gl.manualSeed(4);
    const x = rn([3]);
    const [u1, u2] = [rn([3]), rn([3])];
    const [outs, [g]] = gl.vjp((a) => [gl.sin(a), gl.mul(a, a)], [x], [u1, u2]);
    expect(Array.isArray(outs)).toBe(true);
    const want = gl.add(gl.mul(u1, gl.cos(x)), gl.mul(u2, gl.mul(x, 2)));
    expectClose(arr(g), arr(want), 1e-12, 'vjp');
  });

  it('vjp gives zeros for an unused input', () => {
    const [, gs] = gl.vjp((a, _b) => gl.exp(a), [rn([2]), rn([4])], [gl.ones([2], F64)]);
    expect([...gs[1].shape]).toEqual([4]);
    expect(arr(gs[1])).toEqual([0, 0, 0, 0]);
  });
});

describe('hvp', () => {
  /** H v by central differences of the analytic gradient along v (all inputs moved together). */
  function numericHvp(fn: TensorFn, xs: Tensor[], vs: Tensor[], eps = 1e-5): number[][] {
    const gradAt = (sgn: number) => {
      const moved = xs.map((x, i) =>
        fromData(Float64Array.from(arr(gl.add(x, gl.mul(vs[i], sgn * eps)))), x.shape).requiresGrad_(),
      );
      return gl
        .grad([fn(...moved)], moved, { allowUnused: true })
        .map((g, i) => (g ? arr(g) : new Array(xs[i].numel).fill(0)));
    };
    const [plus, minus] = [gradAt(1), gradAt(-1)];
    return plus.map((p, i) => p.map((v, j) => (v - minus[i][j]) / (2 * eps)));
  }

  const fns: [string, TensorFn, () => Tensor[]][] = [
    ['sum(x^3)', (x) => gl.sum(gl.pow(x, 3)), () => [rn([4])]],
    ['logsumexp', (x) => gl.logsumexp(x, 0), () => [rn([5])]],
    [
      'two inputs: sum(tanh(x W))',
      (x, w) => gl.sum(gl.tanh(gl.matmul(x, w))),
      () => [rn([3, 2]), rn([2, 4])],
    ],
    [
      'crossEntropy of a linear model',
      (x, w) => gl.crossEntropy(gl.matmul(x, w), gl.tensor([0, 2, 1], { dtype: 'int32' })),
      () => [rn([3, 4]), rn([4, 3])],
    ],
    [
      'layerNorm then squared norm',
      (x) => gl.sum(gl.pow(gl.layerNorm(x, [4]), 2)),
      () => [gl.add(rn([2, 4]), gl.tensor([0, 1, 2, 3], F64))],
    ],
    [
      'softmax entropy',
      (x) => gl.neg(gl.sum(gl.mul(gl.softmax(x, -1), gl.logSoftmax(x, -1)))),
      () => [rn([2, 3])],
    ],
  ];
  for (const [name, fn, inputs] of fns)
    it(`matches finite differences of the gradient: ${name}`, () => {
      gl.manualSeed(5);
      const xs = inputs();
      const vs = xs.map((x) => rn([...x.shape]));
      const [value, hv] = gl.hvp(fn, xs, vs);
      expectClose(arr(value), arr(gl.noGrad(() => fn(...xs))), 1e-12, 'value');
      const num = numericHvp(fn, xs, vs);
      hv.forEach((h, i) => {
        expect([...h.shape]).toEqual([...xs[i].shape]);
        expectClose(arr(h), num[i], 1e-5, `H v, input ${i}`);
      });
    });

  it('is zero for a linear function and for an unused input', () => {
    gl.manualSeed(6);
    const [, hv] = gl.hvp((x, _y) => gl.sum(gl.mul(x, 2)), [rn([3]), rn([2])], [rn([3]), rn([2])]);
    expect(arr(hv[0])).toEqual([0, 0, 0]);
    expect(arr(hv[1])).toEqual([0, 0]);
  });

  it('is zero for a function that ignores its inputs', () => {
    const [value, hv] = gl.hvp((_x) => gl.sum(gl.ones([2], F64)), [rn([3])], [rn([3])]);
    expect(value.item()).toBe(2);
    expect(arr(hv[0])).toEqual([0, 0, 0]);
  });

  it('agrees with checkGrad order 2 on the same function', () => {
    gl.manualSeed(8);
    checkGrad((x) => gl.sum(gl.mul(gl.sin(x), gl.exp(x))), [rn([4])], { order: 2 });
  });
});

describe('valueAndGrad', () => {
  const f = (x: Tensor, y: Tensor, s: number) => gl.mul(gl.sum(gl.mul(gl.sin(x), y)), s);

  it('argnums as a number returns one gradient', () => {
    gl.manualSeed(9);
    const [x, y] = [rn([3]), rn([3])];
    const [value, g] = gl.valueAndGrad(f, 0)(x, y, 2);
    expect(Array.isArray(g)).toBe(false);
    expectClose(arr(value), arr(f(x, y, 2)), 1e-12, 'value');
    expect(value.requiresGrad).toBe(false);
    expectClose(arr(g as Tensor), arr(gl.mul(gl.mul(gl.cos(x), y), 2)), 1e-12, 'd/dx');
    expect(x.grad).toBeNull();
    expect(x.requiresGrad).toBe(false);
  });

  it('argnums defaults to 0', () => {
    gl.manualSeed(9);
    const [x, y] = [rn([3]), rn([3])];
    const [, g] = gl.valueAndGrad(f)(x, y, 1);
    expectClose(arr(g as Tensor), arr(gl.mul(gl.cos(x), y)), 1e-12, 'd/dx');
  });

  it('argnums as an array returns gradients in that order', () => {
    gl.manualSeed(10);
    const [x, y] = [rn([2, 2]), rn([2])];
    const [value, gs] = gl.valueAndGrad(f, [1, 0])(x, y, 3);
    expect(Array.isArray(gs)).toBe(true);
    const [gy, gx] = gs as Tensor[];
    expectClose(arr(value), arr(f(x, y, 3)), 1e-12, 'value');
    expect([...gy.shape]).toEqual([2]);
    expectClose(arr(gy), arr(gl.mul(gl.sum(gl.sin(x), 0), 3)), 1e-12, 'd/dy (broadcast)');
    expectClose(arr(gx), arr(gl.mul(gl.mul(gl.cos(x), y), 3)), 1e-12, 'd/dx');
  });

  it('argnums as a one-element array still returns an array', () => {
    gl.manualSeed(10);
    const [x, y] = [rn([3]), rn([3])];
    const [, gs] = gl.valueAndGrad(f, [1])(x, y, 1);
    expect(Array.isArray(gs)).toBe(true);
    expectClose(arr((gs as Tensor[])[0]), arr(gl.sin(x)), 1e-12, 'd/dy');
  });

  it('gives zeros for an argument the value does not depend on', () => {
    gl.manualSeed(12);
    const [, gs] = gl.valueAndGrad((a: Tensor, _b: Tensor) => gl.sum(gl.exp(a)), [0, 1])(rn([2]), rn([3]));
    expect(arr((gs as Tensor[])[1])).toEqual([0, 0, 0]);
  });

  it('matches finite differences', () => {
    gl.manualSeed(13);
    const [x, y] = [rn([4]), rn([4])];
    const [, gs] = gl.valueAndGrad((a: Tensor, b: Tensor) => gl.logsumexp(gl.mul(a, b), 0), [0, 1])(x, y);
    const eps = 1e-6;
    const at = (which: number, j: number, d: number) => {
      const xs = [x, y].map((t) => Float64Array.from(arr(t)));
      xs[which][j] += d;
      return gl.logsumexp(gl.mul(fromData(xs[0], [4]), fromData(xs[1], [4])), 0).item();
    };
    (gs as Tensor[]).forEach((g, which) =>
      expectClose(
        arr(g),
        [0, 1, 2, 3].map((j) => (at(which, j, eps) - at(which, j, -eps)) / (2 * eps)),
        1e-6,
        `input ${which}`,
      ),
    );
  });

  it('gives zero gradients when the value depends on no argument', () => {
    const [value, g] = gl.valueAndGrad((_a: Tensor) => gl.sum(gl.ones([3], F64)))(rn([2]));
    expect(value.item()).toBe(3);
    expect(arr(g as Tensor)).toEqual([0, 0]);
  });

  it('rejects a non-scalar value', () => {
    expect(() => gl.valueAndGrad((a: Tensor) => gl.exp(a))(rn([3]))).toThrow(/one-element/);
  });
});
