// Fused SGD and Adam/AdamW updates through the addon, for dense float parameters with dense state.
import type { FusedOptimizerKernels, TensorView } from '../backend.js';
import type { JsStorage } from '../js/index.js';
import { isDense } from '../js/strided.js';
import type { TypedArray } from '../../core/dtype.js';
import type { NativeAddon } from './addon.js';
import { dtypeCode } from './codes.js';
import { scalars } from './meta.js';

function numel(v: TensorView): number {
  let n = 1;
  for (const d of v.shape) n *= d;
  return n;
}

/** The elements of a dense view as their own typed array (no copy), or null when not usable. */
function flat(v: TensorView, dtype: string, n: number): TypedArray | null {
  if (v.dtype !== dtype || !isDense(v) || numel(v) !== n || v.storage.disposed) return null;
  return (v.storage as JsStorage).data.subarray(v.offset, v.offset + n) as TypedArray;
}

/** The addon's fused optimizer steps; scalars are rounded here exactly as the unfused ops round them. */
export function nativeFusedOptimizer(A: NativeAddon): FusedOptimizerKernels {
  return {
    sgd(p, g, buf, h) {
      if (p.dtype !== 'float32' && p.dtype !== 'float64') return false;
      const n = numel(p);
      const pd = flat(p, p.dtype, n);
      const gd = flat(g, p.dtype, n);
      const bd = buf ? flat(buf, p.dtype, n) : null;
      if (!pd || !gd || (buf && !bd)) return false;
      scalars[0] = h.weightDecay;
      scalars[1] = h.momentum;
      scalars[2] = 1 - h.dampening;
      scalars[3] = -h.lr;
      return A.sgdStep(dtypeCode[p.dtype], n, pd, gd, bd, h.maximize ? 1 : 0, h.nesterov ? 1 : 0);
    },
    adam(p, g, m, v, h) {
      if (p.dtype !== 'float32' && p.dtype !== 'float64') return false;
      const n = numel(p);
      const pd = flat(p, p.dtype, n);
      const gd = flat(g, p.dtype, n);
      const md = flat(m, p.dtype, n);
      const vd = flat(v, p.dtype, n);
      if (!pd || !gd || !md || !vd) return false;
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
      return A.adamStep(dtypeCode[p.dtype], n, pd, gd, md, vd, h.maximize ? 1 : 0);
    },
  };
}
