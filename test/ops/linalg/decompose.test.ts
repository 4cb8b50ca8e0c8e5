// gl.linalg's decompositions and composites: gradients against finite differences (gauge-invariant functions
// of eigen- and singular vectors), the defining identities (A = QR, A V = V diag(w), A = U S Vh with
// orthonormal factors, full_matrices completion), the mode errors, and norms' zero gradient at zero.
import { beforeAll, describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { testBackends, useBackend } from '../../helpers/backends.js';
import { checkGrad } from '../../helpers/check-grad.js';

const randn = (shape: number[], seed: number) =>
  gl.randn(shape, { dtype: 'float64', generator: new gl.Generator(seed) });
const mT = (x: gl.Tensor) => gl.transpose(x, -2, -1);
const sym = (x: gl.Tensor) => gl.add(x, mT(x));
/** Each vector (column) times the sign of its first entry: a gauge-invariant function of eigen/singular vectors. */
const fixCols = (v: gl.Tensor) => gl.mul(v, gl.sign(gl.narrow(v, -2, 0, 1)).detach());

function expectNear(got: gl.Tensor, want: gl.Tensor, tol = 1e-10): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.dataSync();
  const w = want.dataSync();
  for (let i = 0; i < w.length; i++) expect(Math.abs(Number(g[i]) - Number(w[i]))).toBeLessThan(tol);
}
const eye = (n: number) => gl.eye(n, n, { dtype: 'float64' });

describe.each(testBackends())('gl.linalg decompositions on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('qr: A = QR with orthonormal Q and upper R; gradients (tall, wide); complete mode with m > n refuses a gradient', () => {
    for (const shape of [
      [5, 3],
      [3, 5],
      [2, 4, 4],
    ]) {
      const A = randn(shape, shape[0]);
      const { Q, R } = gl.linalg.qr(A);
      expectNear(gl.matmul(Q, R), A);
      expectNear(
        gl.matmul(mT(Q), Q),
        gl.expand(eye(Q.shape[Q.ndim - 1]), [
          ...Q.shape.slice(0, -2),
          Q.shape[Q.ndim - 1],
          Q.shape[Q.ndim - 1],
        ]),
      );
      expectNear(gl.tril(R, -1), gl.zerosLike(R));
    }
    checkGrad((a) => gl.linalg.qr(a).Q, [randn([4, 3], 1)]);
    checkGrad((a) => gl.linalg.qr(a).R, [randn([3, 4], 2)]);
    const full = gl.linalg.qr(randn([4, 2], 3), 'complete');
    expect([full.Q.shape, full.R.shape]).toEqual([
      [4, 4],
      [4, 2],
    ]);
    const x = gl.tensor(
      [
        [1, 2],
        [3, 4],
        [5, 7],
      ],
      { dtype: 'float64', requiresGrad: true },
    );
    expect(() => gl.sum(gl.linalg.qr(x, 'complete').Q).backward()).toThrow(gl.GradError);
    expect(() => gl.linalg.qr(x, 'bad' as gl.linalg.QrMode)).toThrow(gl.ArgumentError);
  });

  it('eigh: A V = V diag(w), ascending w; gradients of eigenvalues and sign-fixed eigenvectors', () => {
    const A = sym(randn([2, 4, 4], 4));
    const { eigenvalues: w, eigenvectors: V } = gl.linalg.eigh(A);
    expectNear(gl.matmul(A, V), gl.mul(V, gl.unsqueeze(w, -2)), 1e-9);
    const wd = w.dataSync();
    for (let i = 1; i < 4; i++) expect(wd[i]).toBeGreaterThan(wd[i - 1]);
    expectNear(gl.linalg.eigvalsh(A), w);
    checkGrad((x) => gl.linalg.eigvalsh(sym(x)), [randn([3, 3], 5)], { order: 2 });
    checkGrad((x) => fixCols(gl.linalg.eigh(sym(x)).eigenvectors), [randn([3, 3], 6)]);
  });

  it('svd: A = U diag(S) Vh, orthonormal factors, full matrices completed to square ones; gradients', () => {
    for (const shape of [
      [5, 3],
      [3, 5],
    ]) {
      const A = randn(shape, 7 + shape[0]);
      const { U, S, Vh } = gl.linalg.svd(A);
      const [m, n] = shape;
      expect([U.shape, S.shape, Vh.shape]).toEqual([[m, m], [Math.min(m, n)], [n, n]]);
      expectNear(gl.matmul(mT(U), U), eye(m));
      expectNear(gl.matmul(Vh, mT(Vh)), eye(n));
      const thin = gl.linalg.svd(A, { fullMatrices: false });
      expectNear(gl.matmul(gl.mul(thin.U, gl.unsqueeze(thin.S, -2)), thin.Vh), A);
    }
    checkGrad((x) => gl.linalg.svdvals(x), [randn([2, 4, 3], 9)], { order: 2 });
    checkGrad((x) => fixCols(gl.linalg.svd(x, { fullMatrices: false }).U), [randn([4, 3], 10)]);
    checkGrad((x) => fixCols(mT(gl.linalg.svd(x, { fullMatrices: false }).Vh)), [randn([3, 4], 11)]);
  });

  it('lstsq, pinv and matrixExp: identities and gradients', () => {
    const A = randn([6, 3], 12);
    const B = randn([6, 2], 13);
    const { solution, residuals } = gl.linalg.lstsq(A, B);
    // normal equations: A^T (A X - B) = 0, residuals = column sums of (A X - B)^2
    const r = gl.sub(gl.matmul(A, solution), B);
    expectNear(gl.matmul(mT(A), r), gl.zeros([3, 2], { dtype: 'float64' }), 1e-9);
    expectNear(residuals, gl.sum(gl.mul(r, r), 0));
    checkGrad((a, b) => gl.linalg.lstsq(a, b).solution, [randn([5, 3], 14), randn([5, 2], 15)]);
    checkGrad((a, b) => gl.linalg.lstsq(a, b).solution, [randn([2, 4], 16), randn([2, 1], 17)]);
    const P = gl.linalg.pinv(A);
    expectNear(gl.matmul(gl.matmul(A, P), A), A, 1e-9);
    checkGrad((a) => gl.linalg.pinv(a), [randn([4, 3], 18)]);
    // hermitian: the gradient is PyTorch's (that of the general pseudo-inverse), so check it along symmetric inputs
    checkGrad((x) => gl.linalg.pinv(sym(x), { hermitian: true }), [randn([3, 3], 19)]);
    // exp of a skew-symmetric [[0, t], [-t, 0]] is the rotation [[cos t, sin t], [-sin t, cos t]]
    const t = 7.5; // above the [13/13] Padé threshold, so scaling and squaring runs
    const rot = gl.linalg.matrixExp(
      gl.tensor(
        [
          [0, t],
          [-t, 0],
        ],
        { dtype: 'float64' },
      ),
    );
    expectNear(
      rot,
      gl.tensor(
        [
          [Math.cos(t), Math.sin(t)],
          [-Math.sin(t), Math.cos(t)],
        ],
        { dtype: 'float64' },
      ),
      1e-12,
    );
    checkGrad((a) => gl.linalg.matrixExp(a), [gl.mul(randn([2, 3, 3], 20), 2)]);
  });

  it('norms: values, and a zero gradient at the zero vector (not NaN); bad orders are named errors', () => {
    expect(gl.linalg.vectorNorm(gl.tensor([3, 4], { dtype: 'float64' })).item()).toBe(5);
    const z = gl.zeros([3], { dtype: 'float64', requiresGrad: true });
    gl.linalg.vectorNorm(z).backward();
    expect(Array.from(z.grad!.dataSync())).toEqual([0, 0, 0]);
    checkGrad((x) => gl.linalg.vectorNorm(x, 3, 1), [randn([2, 4], 21)]);
    checkGrad((x) => gl.linalg.matrixNorm(x, 'nuc'), [randn([2, 3, 4], 22)]);
    checkGrad((x) => gl.linalg.matrixNorm(x, 'fro', [0, 2], true), [randn([3, 2, 4], 23)]);
    expect(() => gl.linalg.matrixNorm(randn([3, 3], 1), 3)).toThrow(gl.ArgumentError);
  });
});
