// gl.linalg: matrix factorizations, solves and norms with torch.linalg's names and semantics.
export { cholesky, choleskyEx, solve, solveTriangular, inv, det, slogdet } from './solve.js';
export type { CholeskyOptions, CholeskyExOptions, SolveOptions, SolveTriangularOptions } from './solve.js';
export { LinAlgError } from '../../core/errors.js';
