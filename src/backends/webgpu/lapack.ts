// The factorization primitives on WebGPU: no WGSL kernels, and no synchronous read to run the CPU ones, so a named error.
import type { TensorView } from '../backend.js';
import { BackendError } from '../../core/errors.js';
import type { LinalgPrimitive } from '../../core/primitives.js';

/**
 * The kernel of a factorization primitive on WebGPU: gl.linalg's factorizations need their input on the
 * CPU (they branch on the data: pivots, convergence, failures reported as LinAlgError), and a WebGPU
 * tensor can only be read asynchronously, so the op says how to move the data instead of computing.
 */
export function lapackUnsupported(op: LinalgPrimitive) {
  return (_be: unknown, inputs: readonly TensorView[]): void => {
    throw new BackendError(
      `linalg ${op}: the webgpu backend has no matrix factorization kernels; run it on a CPU backend (js, native): ` +
        `const a = gl.tensor(await x.data(), { shape: [${inputs[0]?.shape.join(', ') ?? ''}] }) on gl.setBackend('native') or 'js', then move the result back`,
    );
  };
}
