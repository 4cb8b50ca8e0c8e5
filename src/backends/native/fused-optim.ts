// Fused SGD and Adam/AdamW updates through the addon (the fused entries sgdStep/adamStep): dense float views.
import type { TensorView } from '../backend.js';
import { BackendError } from '../../core/errors.js';
import type { FusedKernelTypes } from '../../core/fused-kernels.js';
import type { JsStorage } from '../js/index.js';
import { isDense } from '../js/strided.js';
import type { TypedArray } from '../../core/dtype.js';
import { numel } from '../../core/shape.js';
import type { NativeAddon } from './addon.js';
import { dtypeCode } from './codes.js';
import { scalars } from './meta.js';

/** The elements of a dense view as their own typed array (no copy), or null when not usable. */
function flat(v: TensorView, dtype: string, n: number): TypedArray | null {
  if (v.dtype !== dtype || !isDense(v) || numel(v.shape) !== n || v.storage.disposed) return null;
  return (v.storage as JsStorage).data.subarray(v.offset, v.offset + n) as TypedArray;
}

/** True when every view is a live dense float32/float64 view of p's dtype and element count. */
function usable(views: readonly TensorView[]): boolean {
  const dtype = views[0].dtype;
  if (dtype !== 'float32' && dtype !== 'float64') return false;
  const n = numel(views[0].shape);
  return views.every((v) => flat(v, dtype, n) !== null);
}

const refused = (what: string) => new BackendError(`native ${what}: the addon refused views it accepted`);

/** The addon's fused optimizer steps; scalars are rounded here exactly as the unfused ops round them. */
export function nativeOptimizerSteps(A: NativeAddon): Pick<FusedKernelTypes, 'sgdStep' | 'adamStep'> {
  return {
    sgdStep: {
      accepts: usable,
      run([p, g, buf], h) {
        const n = numel(p.shape);
        const [pd, gd] = [flat(p, p.dtype, n)!, flat(g, p.dtype, n)!];
        const bd = buf ? flat(buf, p.dtype, n)! : null;
        scalars[0] = h.weightDecay;
        scalars[1] = h.momentum;
        scalars[2] = 1 - h.dampening;
        scalars[3] = -h.lr;
        if (!A.sgdStep(dtypeCode[p.dtype], n, pd, gd, bd, h.maximize ? 1 : 0, h.nesterov ? 1 : 0))
          throw refused('sgdStep');
      },
    },
    adamStep: {
      accepts: usable,
      run(views, h) {
        const n = numel(views[0].shape);
        const [pd, gd, md, vd] = views.map((v) => flat(v, views[0].dtype, n)!);
        const [b1, b2] = h.betas;
        scalars[0] = h.decoupled ? 1 - h.lr * h.weightDecay : 1;
        scalars[1] = h.decoupled ? 0 : h.weightDecay;
        scalars[2] = b1;
        scalars[3] = 1 - b1;
        scalars[4] = b2;
        scalars[5] = 1 - b2;
        scalars[6] = Math.sqrt(1 - b2 ** h.step);
        scalars[7] = h.eps;
        scalars[8] = -(h.lr / (1 - b1 ** h.step));
        if (!A.adamStep(dtypeCode[views[0].dtype], n, pd, gd, md, vd, h.maximize ? 1 : 0))
          throw refused('adamStep');
      },
    },
  };
}
