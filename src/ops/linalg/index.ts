// gl.linalg: matrix factorizations, solves and norms with torch.linalg's names and semantics.
export { cholesky, choleskyEx, solve, solveTriangular, inv, det, slogdet } from './solve.js';
export type {
  CholeskyOptions,
  CholeskyExOptions,
  CholeskyExResult,
  SlogdetResult,
  SolveOptions,
  SolveTriangularOptions,
} from './solve.js';
export { qr, eigh, eigvalsh, svd, svdvals } from './decompose.js';
export type { QrMode, QrResult, Uplo, EighResult, SvdOptions, SvdResult } from './decompose.js';
export { lstsq, pinv, matrixExp } from './derived.js';
export type { LstsqResult, PinvOptions } from './derived.js';
export { vectorNorm, matrixNorm } from './norms.js';
export type { MatrixNormOrd } from './norms.js';
export { LinAlgError } from '../../core/errors.js';
