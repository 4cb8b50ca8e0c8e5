// QR, symmetric eigendecomposition and SVD: gl.linalg's decompositions (torch.linalg names and outputs).
import { apply } from '../../core/engine.js';
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { matmul } from '../matmul.js';
import { cat, narrow, squeeze } from '../shape.js';
import { checkMatrix, mT, reportAs, triangle } from './common.js';

/** The modes of {@link qr}, as torch.linalg.qr's. */
export type QrMode = 'reduced' | 'complete' | 'r';

/** What {@link qr} returns. */
export interface QrResult {
  /** Orthonormal columns: [..., m, min(m, n)], or [..., m, m] in 'complete' mode (empty in mode 'r'). */
  Q: Tensor;
  /** Upper triangular: [..., min(m, n), n], or [..., m, n] in 'complete' mode. */
  R: Tensor;
}

/**
 * QR decomposition A = Q R with Householder reflections (LAPACK's signs): for A [..., m, n] and
 * k = min(m, n), 'reduced' gives Q [..., m, k] and R [..., k, n], 'complete' Q [..., m, m] and R [..., m, n],
 * 'r' only R (Q is then an empty tensor). Differentiable except in 'complete' mode with m > n (as in PyTorch).
 * @example const { Q, R } = gl.linalg.qr(A);
 */
export function qr(A: Tensor, mode: QrMode = 'reduced'): QrResult {
  checkMatrix('linalg.qr', A, false);
  if (mode !== 'reduced' && mode !== 'complete' && mode !== 'r')
    throw new ArgumentError(`linalg.qr: mode must be 'reduced', 'complete' or 'r', got '${String(mode)}'`);
  const Q = apply('qr', [A], { complete: mode === 'complete' });
  // R = Q^T A exactly upper triangular in exact arithmetic: keep the triangle so rounding leaves no residue below it
  const R = triangle(matmul(mT(Q), A), true);
  if (mode === 'r')
    return { Q: apply('full', [], { shape: [0], dtype: A.dtype, value: 0 }, A.storage.backend), R };
  return { Q, R };
}

/** Which triangle of a symmetric matrix {@link eigh} reads: 'L' (lower, default) or 'U'. */
export type Uplo = 'L' | 'U';

function eighPacked(op: string, A: Tensor, uplo: Uplo): Tensor {
  checkMatrix(op, A);
  if (uplo !== 'L' && uplo !== 'U')
    throw new ArgumentError(`${op}: UPLO must be 'L' or 'U', got '${String(uplo)}'`);
  // the primitive reads the lower triangle; A's upper triangle is the lower one of A^T
  return reportAs(op, () => apply('eigh', [uplo === 'L' ? A : mT(A)], null));
}

/** What {@link eigh} returns. */
export interface EighResult {
  /** [..., n], ascending. */
  eigenvalues: Tensor;
  /** [..., n, n], column j the unit eigenvector of eigenvalue j. */
  eigenvectors: Tensor;
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric matrices, reading only the
 * `UPLO` triangle: A = V diag(w) V^T. Each eigenvector's sign is arbitrary (as in every library);
 * gradients are defined for distinct eigenvalues (repeated ones give non-finite gradients, as in PyTorch).
 * @example const { eigenvalues, eigenvectors } = gl.linalg.eigh(gl.tensor([[2, 1], [1, 2]]));
 */
export function eigh(A: Tensor, UPLO: Uplo = 'L'): EighResult {
  const out = eighPacked('linalg.eigh', A, UPLO);
  const n = A.shape[A.ndim - 1];
  return { eigenvalues: squeeze(narrow(out, -2, n, 1), -2), eigenvectors: narrow(out, -2, 0, n) };
}

/**
 * The eigenvalues (ascending) of symmetric matrices, reading only the `UPLO` triangle.
 * @example gl.linalg.eigvalsh(gl.tensor([[2, 1], [1, 2]])) // [1, 3]
 */
export function eigvalsh(A: Tensor, UPLO: Uplo = 'L'): Tensor {
  return squeeze(narrow(eighPacked('linalg.eigvalsh', A, UPLO), -2, A.shape[A.ndim - 1], 1), -2);
}

/** Options of {@link svd}. */
export interface SvdOptions {
  /** Full U [..., m, m] and Vh [..., n, n] (default true, as PyTorch) or the thin ones (k = min(m, n) columns / rows). */
  fullMatrices?: boolean;
}

/** What {@link svd} returns (k = min(m, n)). */
export interface SvdResult {
  /** Left singular vectors as columns: [..., m, m], or [..., m, k] without fullMatrices. */
  U: Tensor;
  /** Singular values, descending: [..., k]. */
  S: Tensor;
  /** Right singular vectors as rows: [..., n, n], or [..., k, n] without fullMatrices. */
  Vh: Tensor;
}

/** Thin SVD of any A: the primitive takes tall matrices, a wide A is decomposed as its transpose. */
function thinSvd(op: string, A: Tensor): SvdResult {
  checkMatrix(op, A, false);
  const [m, n] = A.shape.slice(-2);
  const tall = m >= n;
  const [r, c] = tall ? [m, n] : [n, m];
  const out = reportAs(op, () => apply('svd', [tall ? A : mT(A)], null));
  const U = narrow(out, -2, 0, r);
  const Vh = narrow(out, -2, r, c);
  const S = squeeze(narrow(out, -2, r + c, 1), -2);
  return tall ? { U, S, Vh } : { U: mT(Vh), S, Vh: mT(U) };
}

/** Columns completing the orthonormal columns of U [..., m, k] to a basis of R^m (no gradient flows through them). */
function complement(U: Tensor): Tensor {
  const [m, k] = U.shape.slice(-2);
  return noGrad(() => narrow(apply('qr', [U.detach()], { complete: true }), -1, k, m - k));
}

/**
 * Singular value decomposition A = U diag(S) Vh with S descending. With `fullMatrices` (the default, as
 * PyTorch) U and Vh are completed to square orthogonal matrices; the completing vectors are not unique and
 * carry no gradient (PyTorch ignores their gradient too). Each singular vector pair's sign is arbitrary;
 * gradients are defined for distinct non-zero singular values.
 * @example const { U, S, Vh } = gl.linalg.svd(A, { fullMatrices: false });
 */
export function svd(A: Tensor, opts: SvdOptions = {}): SvdResult {
  const thin = thinSvd('linalg.svd', A);
  const [m, n] = A.shape.slice(-2);
  if (!(opts.fullMatrices ?? true) || m === n) return thin;
  if (m > n) return { ...thin, U: cat([thin.U, complement(thin.U)], -1) };
  return { ...thin, Vh: cat([thin.Vh, mT(complement(mT(thin.Vh)))], -2) };
}

/**
 * The singular values of A, descending (differentiable: the gradient is U diag(g) Vh).
 * @example gl.linalg.svdvals(gl.tensor([[3, 0], [0, 4]])) // [4, 3]
 */
export function svdvals(A: Tensor): Tensor {
  return thinSvd('linalg.svdvals', A).S;
}
