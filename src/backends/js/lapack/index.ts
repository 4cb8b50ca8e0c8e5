// The JS backend's factorization kernels, one per linalg primitive (the reference every backend is tested against).
import type { Kernel } from '../../backend.js';
import type { LinalgPrimitive } from '../../../core/primitives.js';
import { choleskyKernel, triangularSolveKernel } from './cholesky.js';
import { eighKernel } from './eigh.js';
import { slogdetKernel, solveKernel } from './lu.js';
import { qrKernel } from './qr.js';
import { svdKernel } from './svd.js';

export const lapackKernels: { [P in LinalgPrimitive]: Kernel<P> } = {
  cholesky: choleskyKernel,
  triangularSolve: triangularSolveKernel,
  solve: solveKernel,
  slogdet: slogdetKernel,
  qr: qrKernel,
  eigh: eighKernel,
  svd: svdKernel,
};
