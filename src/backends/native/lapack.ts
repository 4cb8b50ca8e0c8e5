// The factorization primitives on the native backend: LAPACK (the one OpenBLAS ships) on dense row-major copies,
// with LAPACK's `info` turned into the same LinAlgError the JS kernels raise.
import type { Kernel, TensorView } from '../backend.js';
import type { JsStorage } from '../js/index.js';
import { lapackKernels } from '../js/lapack/index.js';
import { notPositiveDefinite, zeroDiagonal } from '../js/lapack/cholesky.js';
import { batchSize, isBatched } from '../js/lapack/dense.js';
import { gatherDense } from '../js/strided.js';
import type { TypedArray } from '../../core/dtype.js';
import { LinAlgError } from '../../core/errors.js';
import type { LinalgPrimitive } from '../../core/primitives.js';
import { numel } from '../../core/shape.js';
import type { NativeAddon } from './addon.js';
import { dtypeCode } from './codes.js';

/** Operation numbers of native/src/lapack.cc. */
const OP = { cholesky: 0, triangularSolve: 1, solve: 2, slogdet: 3, qr: 4, eigh: 5, svd: 6 } as const;

const notConverged = (info: number) =>
  `The algorithm failed to converge because the input matrix is ill-conditioned or has too many repeated singular values or eigenvalues (error code: ${info}).`;

/** The native kernels of the factorization primitives (the JS ones for empty inputs). */
export function nativeLapackKernels(A: NativeAddon): { [P in LinalgPrimitive]: Kernel<P> } {
  const status = new Int32Array(2);
  const EMPTY = new Float64Array(1);
  /** Runs one LAPACK batch; returns false when the addon declined (then the JS kernel runs). */
  const call = (
    op: LinalgPrimitive,
    a: TensorView,
    b: TensorView | null,
    out: TensorView,
    m: number,
    n: number,
    k: number,
    flags: number,
  ): boolean => {
    // an addon built before lapack.cc existed has no entry: the JS kernels run
    if (typeof A.lapack !== 'function') return false;
    const dst = (out.storage as JsStorage).data.subarray(
      out.offset,
      out.offset + numel(out.shape),
    ) as TypedArray;
    const bData = b ? gatherDense(b) : a.dtype === 'float32' ? new Float32Array(1) : EMPTY;
    return A.lapack(
      OP[op],
      dtypeCode[a.dtype],
      batchSize(a),
      m,
      n,
      k,
      flags,
      gatherDense(a),
      bData,
      dst,
      status,
    );
  };
  const dims = (v: TensorView) => [v.shape[v.shape.length - 2], v.shape[v.shape.length - 1]];
  const empty = (out: TensorView) => numel(out.shape) === 0;
  return {
    cholesky: (inputs, out, p) => {
      const [a] = inputs;
      const [n] = dims(a);
      if (empty(out) || !call('cholesky', a, null, out, n, n, 0, p.check ? 1 : 0))
        return lapackKernels.cholesky(inputs, out, p);
      if (status[0] >= 0 && p.check)
        throw new LinAlgError('linalg.cholesky', status[0], isBatched(a), notPositiveDefinite(status[1]));
    },
    triangularSolve: (inputs, out, p) => {
      const [a, b] = inputs;
      const [n] = dims(a);
      const flags = (p.upper ? 1 : 0) | (p.unitriangular ? 2 : 0);
      if (empty(out) || !call('triangularSolve', a, b, out, n, n, dims(b)[1], flags))
        return lapackKernels.triangularSolve(inputs, out, p);
      if (status[0] >= 0)
        throw new LinAlgError(
          'linalg.solve_triangular',
          status[0],
          isBatched(a),
          zeroDiagonal(status[1], 'solve'),
        );
    },
    solve: (inputs, out, p) => {
      const [a, b] = inputs;
      const [n] = dims(a);
      if (empty(out) || !call('solve', a, b, out, n, n, dims(b)[1], 0))
        return lapackKernels.solve(inputs, out, p);
      if (status[0] >= 0)
        throw new LinAlgError('linalg.solve', status[0], isBatched(a), zeroDiagonal(status[1], 'solve'));
    },
    slogdet: (inputs, out, p) => {
      const [a] = inputs;
      const [n] = dims(a);
      if (empty(out) || n === 0 || !call('slogdet', a, null, out, n, n, 0, 0))
        lapackKernels.slogdet(inputs, out, p);
    },
    qr: (inputs, out, p) => {
      const [a] = inputs;
      const [m, n] = dims(a);
      if (empty(out) || numel(a.shape) === 0 || !call('qr', a, null, out, m, n, 0, p.complete ? 1 : 0))
        lapackKernels.qr(inputs, out, p);
    },
    eigh: (inputs, out, p) => {
      const [a] = inputs;
      const [n] = dims(a);
      if (empty(out) || n === 0 || !call('eigh', a, null, out, n, n, 0, 0))
        return lapackKernels.eigh(inputs, out, p);
      if (status[0] >= 0)
        throw new LinAlgError('linalg.eigh', status[0], isBatched(a), notConverged(status[1]));
    },
    svd: (inputs, out, p) => {
      const [a] = inputs;
      const [m, n] = dims(a);
      if (empty(out) || n === 0 || !call('svd', a, null, out, m, n, 0, 0))
        return lapackKernels.svd(inputs, out, p);
      if (status[0] >= 0)
        throw new LinAlgError('linalg.svd', status[0], isBatched(a), notConverged(status[1]));
    },
  };
}
