// conv2d's two gradients through the addon (the fused entries conv2dInputGrad/WeightGrad): dense float views.
import type { TensorView } from '../backend.js';
import { BackendError } from '../../core/errors.js';
import type { Conv2dGradParams, FusedKernelTypes } from '../../core/fused-kernels.js';
import type { JsStorage } from '../js/index.js';
import { isDense } from '../js/strided.js';
import type { TypedArray } from '../../core/dtype.js';
import type { Conv2dParams } from '../../core/primitives.js';
import type { NativeAddon } from './addon.js';
import { dtypeCode } from './codes.js';
import { fitsMeta, meta } from './meta.js';

const data = (v: TensorView): TypedArray => (v.storage as JsStorage).data;

/** True when the views are dense float32/float64 of one dtype that the addon's meta block can describe. */
function usable(views: readonly TensorView[]): boolean {
  const dtype = views[0].dtype;
  for (const v of views)
    if (
      v.dtype !== dtype ||
      !isDense(v) ||
      v.storage.disposed ||
      (dtype !== 'float32' && dtype !== 'float64')
    )
      return false;
  return fitsMeta(views);
}

/**
 * Writes [N, O, G, window of the input (C per group, H, W, kh, kw, stride, padding, dilation, Ho, Wo),
 * offsets of the two inputs and the output] as native/src/convgrad.cc reads it.
 */
function writeCall(
  x: readonly number[],
  w: readonly number[],
  g: readonly number[],
  p: Conv2dParams,
  views: readonly TensorView[],
): void {
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
}

const refused = (what: string) => new BackendError(`native ${what}: the addon refused views it accepted`);

/** The addon's conv2d gradient kernels (native/src/convgrad.cc). */
export function nativeConvGrad(
  A: NativeAddon,
): Pick<FusedKernelTypes, 'conv2dInputGrad' | 'conv2dWeightGrad'> {
  return {
    conv2dInputGrad: {
      accepts: (views: readonly TensorView[]) => usable(views),
      run([g, w], out, p: Conv2dGradParams) {
        writeCall(out.shape, w.shape, g.shape, p, [g, w, out]);
        if (!A.conv2dInputGrad(dtypeCode[g.dtype], data(out), data(g), data(w)))
          throw refused('conv2dInputGrad');
      },
    },
    conv2dWeightGrad: {
      accepts: (views: readonly TensorView[]) => usable(views),
      run([x, g], out, p: Conv2dGradParams) {
        writeCall(x.shape, out.shape, g.shape, p, [x, g, out]);
        if (!A.conv2dWeightGrad(dtypeCode[g.dtype], data(out), data(x), data(g)))
          throw refused('conv2dWeightGrad');
      },
    },
  };
}
