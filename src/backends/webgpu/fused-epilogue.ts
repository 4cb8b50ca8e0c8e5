// webgpu's matmulEpilogue and conv2dEpilogue kernels: bias and activation applied by the matmul shader as it stores (one dispatch, no extra pass).
import type { TensorView } from '../backend.js';
import type { FusedKernelTypes } from '../../core/fused-kernels.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { conv2dInto, matmulInto } from './linalg.js';

const allFloat32 = (views: readonly TensorView[]): boolean => views.every((v) => v.dtype === 'float32');

/**
 * The two epilogue kernels of the webgpu backend (float32): `matmulEpilogue` (a [..., m, k] times a
 * shared b [k, n], bias over the columns) and `conv2dEpilogue` (unfold, then the grouped matmul with
 * the bias over each group's output channels).
 */
export function webgpuEpilogues(
  be: WebGPUBackend,
): Pick<FusedKernelTypes, 'matmulEpilogue' | 'conv2dEpilogue'> {
  return {
    matmulEpilogue: {
      accepts: (inputs) => allFloat32(inputs),
      run([a, b, bias], out, { activation }) {
        const r = out.shape.length;
        const batch = out.shape.slice(0, r - 2);
        // b is shared by every product of the batch: batch strides 0
        const bb: TensorView = {
          ...b,
          shape: [...batch, b.shape[0], b.shape[1]],
          strides: [...batch.map(() => 0), b.strides[0], b.strides[1]],
        };
        matmulInto(be, a, bb, out, { bias, along: 'col', groups: 1, activation });
      },
    },
    conv2dEpilogue: {
      accepts: (inputs) => allFloat32(inputs),
      run([x, w, bias], out, p) {
        conv2dInto(be, x, w, out, p, { bias, along: 'row', groups: p.groups, activation: p.activation });
      },
    },
  };
}
