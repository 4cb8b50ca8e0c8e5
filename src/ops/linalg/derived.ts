// Least squares, pseudo-inverse and matrix exponential: gl.linalg functions composed of the factorizations.
import { customGrad } from '../../core/custom.js';
import { apply } from '../../core/engine.js';
import { ArgumentError, ShapeError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { abs, add, div, gt, maximum, mul, sub, where } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { amax, prod, sum } from '../reduce.js';
import { expand, select, unsqueeze } from '../shape.js';
import { broadcastBatch, checkMatrix, constMatrix, eyeLike, mT, reportAs, sameDType } from './common.js';
import { eigh, qr, svd } from './decompose.js';
import { solve, solveTriangular } from './solve.js';

/** What {@link lstsq} returns (torch.linalg.lstsq's fields). */
export interface LstsqResult {
  /** X minimizing ||A X - B||_F (the minimum-norm one when A is wide). */
  solution: Tensor;
  /** Squared residuals ||A X - B||^2 per column of B, [..., k], when m > n; else an empty tensor. */
  residuals: Tensor;
  /** Not computed by this QR driver (an empty int32 tensor, as PyTorch's 'gels'). */
  rank: Tensor;
  /** Not computed by this QR driver (an empty tensor, as PyTorch's 'gels'). */
  singularValues: Tensor;
}

const empty = (like: Tensor, dtype = like.dtype) =>
  apply('full', [], { shape: [0], dtype, value: 0 }, like.storage.backend);

/**
 * Least-squares solution of A X = B for full-rank A [..., m, n] and B [..., m, k] through a QR
 * factorization (PyTorch's 'gels' driver): for m >= n the X minimizing ||A X - B||, for m < n the
 * minimum-norm solution. A rank-deficient A whose triangular factor has a zero diagonal raises LinAlgError.
 * @example const { solution } = gl.linalg.lstsq(A, B);
 */
export function lstsq(A: Tensor, B: Tensor): LstsqResult {
  const op = 'linalg.lstsq';
  checkMatrix(op, A, false);
  checkMatrix(op, B, false);
  sameDType(op, A, B);
  const [m, n] = A.shape.slice(-2);
  if (B.shape[B.ndim - 2] !== m)
    throw new ShapeError(
      `${op}: A ${fmtShape(A.shape)} and B ${fmtShape(B.shape)} do not fit (B needs ${m} rows)`,
    );
  const [a, b] = broadcastBatch(op, A, B);
  const solution = reportAs(op, () => {
    if (m >= n) {
      const { Q, R } = qr(a);
      return solveTriangular(R, matmul(mT(Q), b), { upper: true });
    }
    // A^T = Q R: A = R^T Q^T, the minimum-norm X = Q R^-T B
    const { Q, R } = qr(mT(a));
    return matmul(Q, solveTriangular(mT(R), b, { upper: false }));
  });
  const r = sub(matmul(a, solution), b);
  return {
    solution,
    residuals: m > n ? sum(mul(r, r), -2) : empty(A),
    rank: empty(A, 'int32'),
    singularValues: empty(A),
  };
}

/** Options of {@link pinv}. */
export interface PinvOptions {
  /** Singular values below this are treated as zero (default 0). */
  atol?: number;
  /** ... or below rtol times the largest one (default max(m, n) * eps of the dtype when atol is not given, else 0). */
  rtol?: number;
  /** A is symmetric: use its eigendecomposition (reading the lower triangle) instead of an SVD. */
  hermitian?: boolean;
}

/**
 * Moore-Penrose pseudo-inverse from an SVD (or an eigendecomposition when `hermitian`), with singular
 * values below max(atol, rtol * largest) treated as zero, as torch.linalg.pinv.
 * @example const P = gl.linalg.pinv(A); // A [4, 3] -> P [3, 4]
 */
export function pinv(A: Tensor, opts: PinvOptions = {}): Tensor {
  checkMatrix('linalg.pinv', A, !!opts.hermitian);
  const [m, n] = A.shape.slice(-2);
  const eps = A.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  const atol = opts.atol ?? 0;
  const rtol = opts.rtol ?? (opts.atol === undefined || opts.atol === 0 ? Math.max(m, n) * eps : 0);
  if (atol < 0 || rtol < 0)
    throw new ArgumentError(`linalg.pinv: atol and rtol must be >= 0, got ${atol} and ${rtol}`);
  return reportAs('linalg.pinv', () => {
    if (opts.hermitian) return hermitianPinv(A, rtol, atol);
    const { U, S, Vh } = svd(A, { fullMatrices: false });
    const tol = maximum(mul(amax(S, -1, true), rtol), atol);
    const keep = gt(S, tol);
    const inv = where(keep, div(1, where(keep, S, 1)), 0);
    return matmul(mul(mT(Vh), unsqueeze(inv, -2)), mT(U));
  });
}

/**
 * pinv of a symmetric A from its eigendecomposition. Its gradient is PyTorch's pinv_backward (the derivative
 * of the pseudo-inverse of a general matrix, evaluated at A), not the derivative through eigh, so that it
 * matches torch.linalg.pinv(A, hermitian=True).
 */
const hermitianPinv = customGrad({
  name: 'linalg.pinv',
  forward(ctx, A: Tensor, rtol: number, atol: number): Tensor {
    const { eigenvalues: w, eigenvectors: V } = eigh(A);
    const absw = abs(w);
    const keep = gt(absw, maximum(mul(amax(absw, -1, true), rtol), atol));
    const inv = where(keep, div(1, where(keep, w, 1)), 0);
    const P = matmul(mul(V, unsqueeze(inv, -2)), mT(V));
    ctx.save(A, P);
    return P;
  },
  backward(ctx, g) {
    // square A (m = n): K = g^T P, gA = -(P K)^T + K P^T - A P K P^T + P^T P (g^T - K A)
    const [A, P] = ctx.saved as Tensor[];
    const gT = mT(g);
    const K = matmul(gT, P);
    const KPt = matmul(K, mT(P));
    const gA = add(
      sub(sub(KPt, mT(matmul(P, K))), matmul(matmul(A, P), KPt)),
      matmul(matmul(mT(P), P), sub(gT, matmul(K, A))),
    );
    return [gA, null, null];
  },
});

/** Coefficients of the [13/13] Padé approximant of exp (Higham 2005). */
const PADE13 = [
  64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
  670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
];
/** The largest 1-norm for which the [13/13] approximant is accurate to double precision (Higham 2005). */
const THETA13 = 5.371920351148152;

/** The squarings the device-side scaling allows: enough for any finite float32 1-norm (THETA13 * 2^126 > 3.5e38). */
const DEVICE_SQUARINGS = 126;

/** A constant vector [n] on `like`'s backend and dtype, entry i = f(i). */
const constVector = (like: Tensor, n: number, f: (i: number) => number): Tensor =>
  select(
    constMatrix(like, 1, n, (_, i) => f(i)),
    0,
    0,
  );

/**
 * The scaling 2^-s of {@link matrixExp} from the batch's largest 1-norm: chosen on the host where the
 * backend reads synchronously, else on the device, where squaring i then runs only when the norm exceeds
 * THETA13 * 2^i (the same s, so the same result, at the cost of DEVICE_SQUARINGS masked squarings).
 */
function expScaling(A: Tensor): { X: Tensor; square: (R: Tensor) => Tensor } {
  // the largest 1-norm (max column sum of |A|) of the batch decides the scaling 2^-s
  const norms = amax(sum(abs(A.detach()), -2), -1);
  if (A.storage.backend.capabilities.syncRead) {
    let norm1 = 0;
    for (const v of norms.dataSync()) norm1 = Math.max(norm1, Number(v));
    const s = norm1 > THETA13 ? Math.ceil(Math.log2(norm1 / THETA13)) : 0;
    const square = (R: Tensor) => {
      for (let i = 0; i < s; i++) R = matmul(R, R);
      return R;
    };
    return { X: s > 0 ? mul(A, 2 ** -s) : A, square };
  }
  const levels = constVector(A, DEVICE_SQUARINGS, (i) => THETA13 * 2 ** i);
  const over = gt(amax(norms), levels); // over[i]: squaring i runs (s > i)
  const X = mul(A, prod(where(over, 0.5, 1)));
  const square = (R: Tensor) => {
    for (let i = 0; i < DEVICE_SQUARINGS; i++) R = where(select(over, 0, i), matmul(R, R), R);
    return R;
  };
  return { X, square };
}

/**
 * The matrix exponential exp(A) = sum_k A^k / k! by scaling and squaring with the [13/13] Padé approximant
 * (Higham 2005), differentiable (the gradient is that of the same computation). One scaling is chosen for
 * the whole batch from its largest 1-norm (read from the data; on a backend without synchronous reads, such
 * as webgpu, chosen on the device with the same result, every possible squaring masked by it).
 * @example gl.linalg.matrixExp(gl.tensor([[0, 1], [-1, 0]])) // a rotation by 1 radian
 */
export function matrixExp(A: Tensor): Tensor {
  checkMatrix('linalg.matrix_exp', A);
  const n = A.shape[A.ndim - 1];
  if (n === 0) return A;
  const { X, square } = expScaling(A);
  const I = expand(eyeLike(A, n), A.shape);
  const b = PADE13;
  const X2 = matmul(X, X);
  const X4 = matmul(X2, X2);
  const X6 = matmul(X4, X2);
  const lin = (terms: [Tensor, number][]) =>
    terms.reduce<Tensor | null>((acc, [t, c]) => (acc ? add(acc, mul(t, c)) : mul(t, c)), null)!;
  const U = matmul(
    X,
    add(
      matmul(
        X6,
        lin([
          [X6, b[13]],
          [X4, b[11]],
          [X2, b[9]],
        ]),
      ),
      lin([
        [X6, b[7]],
        [X4, b[5]],
        [X2, b[3]],
        [I, b[1]],
      ]),
    ),
  );
  const V = add(
    matmul(
      X6,
      lin([
        [X6, b[12]],
        [X4, b[10]],
        [X2, b[8]],
      ]),
    ),
    lin([
      [X6, b[6]],
      [X4, b[4]],
      [X2, b[2]],
      [I, b[0]],
    ]),
  );
  return square(reportAs('linalg.matrix_exp', () => solve(sub(V, U), add(V, U))));
}
