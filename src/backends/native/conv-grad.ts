// Fused conv2d gradients through the addon: one kernel each, for dense float views.
import type { FusedConvGradKernels, TensorView } from '../backend.js';
import type { JsStorage } from '../js/index.js';
import { isDense } from '../js/strided.js';
import type { TypedArray } from '../../core/dtype.js';
import type { Conv2dParams } from '../../core/primitives.js';
import type { NativeAddon } from './addon.js';
import { dtypeCode } from './codes.js';
import { fitsMeta, meta } from './meta.js';

const data = (v: TensorView): TypedArray => (v.storage as JsStorage).data;

/**
 * Writes [N, O, G, window of the input (C per group, H, W, kh, kw, stride, padding, dilation, Ho, Wo),
 * offsets of the two inputs and the output] as native/src/convgrad.cc reads it; false when a view is unusable.
 */
function writeCall(
  x: readonly number[],
  w: readonly number[],
  g: readonly number[],
  p: Conv2dParams,
  views: readonly TensorView[],
): boolean {
  const dtype = views[0].dtype;
  for (const v of views)
    if (
      v.dtype !== dtype ||
      !isDense(v) ||
      v.storage.disposed ||
      (dtype !== 'float32' && dtype !== 'float64')
    )
      return false;
  if (!fitsMeta(views)) return false;
  const G = p.groups;
  const fields = [
    x[0],
    w[0],
    G,
    x[1] / G,
    x[2],
    x[3],
    w[2],
    w[3],
    ...p.stride,
    ...p.padding,
    ...p.dilation,
    g[2],
    g[3],
  ];
  let at = 0;
  for (const f of fields) meta[at++] = f;
  for (const v of views) meta[at++] = v.offset;
  return true;
}

/** The addon's conv2d gradient kernels (native/src/convgrad.cc). */
export function nativeFusedConvGrad(A: NativeAddon): FusedConvGradKernels {
  return {
    inputGrad(g, w, out, p) {
      if (!writeCall(out.shape, w.shape, g.shape, p, [g, w, out])) return false;
      return A.conv2dInputGrad(dtypeCode[g.dtype], data(out), data(g), data(w));
    },
    weightGrad(x, g, out, p) {
      if (!writeCall(x.shape, out.shape, g.shape, p, [x, g, out])) return false;
      return A.conv2dWeightGrad(dtypeCode[g.dtype], data(out), data(x), data(g));
    },
  };
}
