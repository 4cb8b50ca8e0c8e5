// The js eigh kernel: batches of symmetric matrices through core's Jacobi solver (reads the lower triangle).
import type { Kernel } from '../../backend.js';
import { jacobiEigh } from '../../../core/jacobi-eigh.js';
import { assertFinite, batchSize, readMatrix, writeMatrix } from './dense.js';

/** Output packed as [V (n rows); eigenvalues (1 row)]. */
export const eighKernel: Kernel<'eigh'> = ([a], out) => {
  assertFinite('linalg.eigh', a, 'lower');
  const n = a.shape[a.shape.length - 1];
  const B = batchSize(a);
  for (let b = 0; b < B; b++) {
    const { w, V } = jacobiEigh(readMatrix(a, b), n);
    const packed = new Float64Array((n + 1) * n);
    packed.set(V, 0);
    packed.set(w, n * n);
    writeMatrix(out, b, packed);
  }
};
