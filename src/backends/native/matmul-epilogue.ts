// The fused entry matmulEpilogue through the addon: BLAS GEMM, then bias and activation over the rows in the same call.
import type { TensorView } from '../backend.js';
import type { JsStorage } from '../js/index.js';
import { isFloat, type TypedArray } from '../../core/dtype.js';
import { BackendError } from '../../core/errors.js';
import type { MapKernel, MatmulEpilogueParams } from '../../core/fused-kernels.js';
import type { NativeAddon } from './addon.js';
import { dtypeCode, unaryCode } from './codes.js';
import { fitsMeta, meta, writeStrided } from './meta.js';

const data = (v: TensorView): TypedArray => (v.storage as JsStorage).data;

/** The addon's matmul with a bias-and-activation epilogue (float32/float64; any strides BLAS can read or copies). */
export function nativeMatmulEpilogue(A: NativeAddon): MapKernel<MatmulEpilogueParams> {
  return {
    accepts: ([a, b, bias]) =>
      isFloat(a.dtype) &&
      a.dtype === b.dtype &&
      a.dtype === bias.dtype &&
      a.shape.length >= 2 &&
      b.shape.length === 2 &&
      bias.shape.length === 1 &&
      [a, b, bias].every((v) => !v.storage.disposed) &&
      fitsMeta([a, b, bias]),
    run([a, b, bias], out, { activation }) {
      const batch = a.shape.length - 2;
      // b is shared by every batch: stride 0 over the batch dims (the matmul kernel's layout)
      const bView = { offset: b.offset, strides: [...new Array<number>(batch).fill(0), ...b.strides] };
      const at = writeStrided(out.shape, [a, bView]);
      meta[at] = a.shape[a.shape.length - 1]; // k
      const act = activation === 'none' ? -1 : unaryCode[activation];
      const ok = A.matmulEpilogue(
        dtypeCode[a.dtype],
        data(out),
        data(a),
        data(b),
        out.offset,
        data(bias),
        bias.offset,
        bias.strides[0],
        act,
      );
      if (!ok) throw new BackendError('native matmulEpilogue: the addon refused views it accepted');
    },
  };
}
