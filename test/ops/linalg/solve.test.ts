// gl.linalg's Cholesky, solves, inverse and determinants: gradients against finite differences (first and
// second order), LinAlgError on singular / not positive-definite input (never NaN), choleskyEx's info,
// and the native backend running LAPACK.
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { testBackends, useBackend } from '../../helpers/backends.js';
import { checkGrad } from '../../helpers/check-grad.js';

const f64 = (data: number[][] | number[][][]) => gl.tensor(data, { dtype: 'float64' });
/** Deterministic float64 matrices from a seeded generator. */
const randn = (shape: number[], seed: number) =>
  gl.randn(shape, { dtype: 'float64', generator: new gl.Generator(seed) });
/** X -> X X^T + n I: a symmetric positive-definite matrix from any square X (batched). */
const spdOf = (x: gl.Tensor) => {
  const n = x.shape[x.ndim - 1];
  return gl.add(gl.matmul(x, gl.transpose(x, -2, -1)), gl.mul(gl.eye(n, n, { dtype: 'float64' }), n));
};
/** X + 3 I: well conditioned for the small random X used here. */
const wellOf = (x: gl.Tensor) =>
  gl.add(x, gl.mul(gl.eye(x.shape[x.ndim - 1], undefined, { dtype: 'float64' }), 3));

function linAlgError(f: () => unknown): gl.LinAlgError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(gl.LinAlgError);
    return e as gl.LinAlgError;
  }
  throw new Error('expected a LinAlgError');
}

describe.each(testBackends())('gl.linalg factorizations on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('cholesky: gradient (first and second order) through a symmetric positive-definite parametrization', () => {
    checkGrad((x) => gl.linalg.cholesky(spdOf(x)), [randn([2, 3, 3], 1)], { order: 2 });
    checkGrad((x) => gl.linalg.cholesky(spdOf(x), { upper: true }), [randn([3, 3], 2)]);
  });

  it('solve and solveTriangular: gradients in A and B, left and right, broadcast batches', () => {
    checkGrad((a, b) => gl.linalg.solve(wellOf(a), b), [randn([2, 3, 3], 3), randn([3, 2], 4)], { order: 2 });
    checkGrad((a, b) => gl.linalg.solve(wellOf(a), b, { left: false }), [randn([3, 3], 5), randn([2, 3], 6)]);
    checkGrad((a, b) => gl.linalg.solve(wellOf(a), b), [randn([4, 4], 7), randn([4], 8)]);
    const lower = (a: gl.Tensor) => gl.tril(wellOf(a));
    checkGrad(
      (a, b) => gl.linalg.solveTriangular(lower(a), b, { upper: false }),
      [randn([2, 3, 3], 9), randn([3, 2], 10)],
      {
        order: 2,
      },
    );
    checkGrad(
      (a, b) => gl.linalg.solveTriangular(a, b, { upper: true, left: false, unitriangular: true }),
      [randn([3, 3], 11), randn([2, 3], 12)],
    );
  });

  it('inv, det and slogdet: gradients', () => {
    checkGrad((a) => gl.linalg.inv(wellOf(a)), [randn([2, 3, 3], 13)], { order: 2 });
    checkGrad((a) => gl.linalg.det(a), [randn([2, 3, 3], 14)], { order: 2 });
    checkGrad((a) => gl.linalg.slogdet(a).logabsdet, [randn([3, 3], 15)]);
  });

  it('triangular solves read only their triangle and the unit diagonal is not read', () => {
    const A = f64([
      [2, 99],
      [1, 4],
    ]);
    const b = f64([[2], [9]]);
    // lower triangle [[2, 0], [1, 4]]: x0 = 1, x1 = (9 - 1) / 4 = 2
    expect(Array.from(gl.linalg.solveTriangular(A, b, { upper: false }).dataSync())).toEqual([1, 2]);
    // unit lower [[1, 0], [1, 1]]: x0 = 2, x1 = 9 - 2 = 7
    expect(
      Array.from(gl.linalg.solveTriangular(A, b, { upper: false, unitriangular: true }).dataSync()),
    ).toEqual([2, 7]);
  });

  it('LinAlgError names the op and the failing matrix of a batch; nothing comes back as NaN', () => {
    const notPd = f64([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 2],
        [2, 1],
      ],
    ]);
    const e = linAlgError(() => gl.linalg.cholesky(notPd));
    expect([e.op, e.batchIndex, e.batched]).toEqual(['linalg.cholesky', 3, true]);
    expect(e.message).toMatch(/^linalg\.cholesky: \(Batch element 3\): .*leading minor of order 2/);
    const singular = f64([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 2],
        [2, 4],
      ],
    ]);
    expect(linAlgError(() => gl.linalg.solve(singular, f64([[1], [1]]))).batchIndex).toBe(1);
    expect(linAlgError(() => gl.linalg.inv(singular)).op).toBe('linalg.inv');
    const zeroDiag = f64([
      [1, 0],
      [3, 0],
    ]);
    const t = linAlgError(() => gl.linalg.solveTriangular(zeroDiag, f64([[1], [1]]), { upper: false }));
    expect(t.message).toBe(
      'linalg.solve_triangular: The diagonal element 2 is zero, the solve could not be completed because the input matrix is singular.',
    );
    // det of a singular matrix is 0 (not an error); its gradient needs A^-1 and raises
    const s = gl.tensor(
      [
        [1, 2],
        [2, 4],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    const d = gl.linalg.det(s);
    expect(d.item()).toBe(0);
    const { sign, logabsdet } = gl.linalg.slogdet(s);
    expect([sign.item(), logabsdet.item()]).toEqual([0, -Infinity]);
    expect(linAlgError(() => d.backward()).op).toBe('linalg.slogdet (backward)');
  });

  it('a matrix holding NaN or infinity is a LinAlgError (only the part the op reads counts)', () => {
    const nanAt = (i: number, j: number) => {
      const m = [
        [
          [2, 1],
          [1, 2],
        ],
        [
          [2, 1],
          [1, 2],
        ],
      ];
      m[1][i][j] = NaN;
      return f64(m);
    };
    for (const f of [
      (a: gl.Tensor) => gl.linalg.solve(a, f64([[1], [1]])),
      (a: gl.Tensor) => gl.linalg.det(a),
      (a: gl.Tensor) => gl.linalg.qr(a),
      (a: gl.Tensor) => gl.linalg.eigh(a),
      (a: gl.Tensor) => gl.linalg.svdvals(a),
      (a: gl.Tensor) => gl.linalg.cholesky(a),
    ]) {
      const e = linAlgError(() => f(nanAt(1, 0)));
      expect([e.batchIndex, e.batched]).toEqual([1, true]);
    }
    expect(linAlgError(() => gl.linalg.solve(nanAt(0, 1), f64([[1], [1]]))).message).toBe(
      'linalg.solve: (Batch element 1): The input matrix holds NaN or infinity.',
    );
    // eigh reads the lower triangle: a NaN above the diagonal is never read
    const w = gl.linalg.eigvalsh(nanAt(0, 1)).dataSync();
    [1, 3, 1, 3].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 12));
    // choleskyEx reports instead of raising
    expect(Array.from(gl.linalg.choleskyEx(nanAt(1, 1)).info.dataSync())).toEqual([0, 2]);
  });

  it('choleskyEx reports the failing minor per matrix instead of raising', () => {
    // [[1,2],[2,1]]: the leading minor of order 2 has determinant -3, so it fails at order 2;
    // [[-1,0],[0,1]] fails at order 1; the identity succeeds (info 0), as PyTorch's cholesky_ex reports
    const A = f64([
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 2],
        [2, 1],
      ],
      [
        [-1, 0],
        [0, 1],
      ],
    ]);
    const { L, info } = gl.linalg.choleskyEx(A);
    expect(info.dtype).toBe('int32');
    expect(Array.from(info.dataSync())).toEqual([0, 2, 1]);
    expect(Array.from(L.dataSync()).slice(0, 4)).toEqual([1, 0, 0, 1]);
    expect(() => gl.linalg.choleskyEx(A, { checkErrors: true })).toThrow(gl.LinAlgError);
  });

  it('float32 works and keeps its dtype; int input is a DTypeError', () => {
    const A = gl.tensor([
      [4, 2],
      [2, 3],
    ]);
    expect(gl.linalg.cholesky(A).dtype).toBe('float32');
    expect(gl.linalg.inv(A).dtype).toBe('float32');
    expect(() => gl.linalg.cholesky(gl.tensor(new Int32Array([1, 0, 0, 1]), { shape: [2, 2] }))).toThrow(
      gl.DTypeError,
    );
    expect(() => gl.linalg.solve(A, gl.tensor([1, 2, 3]))).toThrow(gl.ShapeError);
  });
});

describe('native backend', () => {
  it('runs every factorization primitive through its LAPACK entry (native/src/lapack.cc)', async () => {
    if (!testBackends().includes('native')) return expect(gl.availableBackends()).not.toContain('native');
    await useBackend('native');
    const { loadAddon } = await import('../../../src/backends/native/addon.js');
    const addon = loadAddon(); // the process's one (cached) addon object, which the kernels call
    const real = addon.lapack;
    const ops: number[] = [];
    addon.lapack = (op, ...rest) => {
      ops.push(op);
      return real(op, ...rest);
    };
    try {
      const A = gl.tensor(
        [
          [4, 2],
          [2, 3],
        ],
        { dtype: 'float64' },
      );
      gl.linalg.cholesky(A);
      gl.linalg.solveTriangular(A, A, { upper: true });
      gl.linalg.solve(A, A);
      gl.linalg.slogdet(A);
    } finally {
      addon.lapack = real;
    }
    expect(ops).toEqual([0, 1, 2, 3]);
  });
});
