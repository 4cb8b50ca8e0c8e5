// Fused max pooling kernels of the JS backend: the window maximum, and its gradient routed to each window's argmax.
import type { Kernel, TensorView } from '../backend.js';
import type { TypedArray } from '../../core/dtype.js';
import type { MaxPoolParams } from '../../core/primitives.js';
import { dataOf } from './strided.js';

/** Geometry of one call, flattened for the per-window loop. */
interface Geometry {
  X: TypedArray;
  H: number;
  W: number;
  sH: number;
  sW: number;
  kh: number;
  kw: number;
  strH: number;
  strW: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
}

function geometry(x: TensorView, p: MaxPoolParams): Geometry {
  return {
    X: dataOf(x),
    H: x.shape[2],
    W: x.shape[3],
    sH: x.strides[2],
    sW: x.strides[3],
    kh: p.kernel[0],
    kw: p.kernel[1],
    strH: p.stride[0],
    strW: p.stride[1],
    ph: p.padding[0],
    pw: p.padding[1],
    dh: p.dilation[0],
    dw: p.dilation[1],
  };
}

/** The maximum found by the last windowMax call. */
let windowValue = 0;

/**
 * Window (oi, oj) of the plane of x starting at storage offset `plane`: leaves its maximum in
 * windowValue and returns where it sits as h * W + w, or -1 when that is a padded position (padding
 * counts as -Infinity). The first maximum in row-major window order wins and the first NaN wins
 * outright: the rule of the argmax kernel, so gradients go where the unfold/argmax/gather composite
 * sent them.
 */
function windowMax(g: Geometry, plane: number, oi: number, oj: number): number {
  const h0 = oi * g.strH - g.ph;
  const w0 = oj * g.strW - g.pw;
  let best = -Infinity;
  let at = -1;
  for (let ki = 0; ki < g.kh; ki++) {
    const h = h0 + ki * g.dh;
    const rowIn = h >= 0 && h < g.H;
    for (let kj = 0; kj < g.kw; kj++) {
      const w = w0 + kj * g.dw;
      const inside = rowIn && w >= 0 && w < g.W;
      const v = inside ? g.X[plane + h * g.sH + w * g.sW] : -Infinity;
      // the window's first position starts the search whatever it holds (-Infinity in the padding)
      if ((ki === 0 && kj === 0) || v > best || v !== v) {
        best = v;
        at = inside ? h * g.W + w : -1;
        if (v !== v) {
          windowValue = v;
          return at;
        }
      }
    }
  }
  windowValue = best;
  return at;
}

export const maxPool2dKernel: Kernel<'maxPool2d'> = ([x], out, p) => {
  const g = geometry(x, p);
  const Y = dataOf(out);
  const [N, C, Ho, Wo] = out.shape;
  let o = out.offset;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * x.strides[0] + c * x.strides[1];
      for (let oi = 0; oi < Ho; oi++)
        for (let oj = 0; oj < Wo; oj++) {
          windowMax(g, plane, oi, oj);
          Y[o++] = windowValue;
        }
    }
};

export const maxPool2dGradKernel: Kernel<'maxPool2dGrad'> = ([dy, x], out, p) => {
  const g = geometry(x, p);
  const G = dataOf(dy);
  const D = dataOf(out);
  const [N, C, Ho, Wo] = dy.shape;
  const HW = g.H * g.W;
  D.fill(0, out.offset, out.offset + N * C * HW);
  const [gN, gC, gH, gW] = dy.strides;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * x.strides[0] + c * x.strides[1];
      const gPlane = dy.offset + n * gN + c * gC;
      const dPlane = out.offset + (n * C + c) * HW;
      for (let oi = 0; oi < Ho; oi++)
        for (let oj = 0; oj < Wo; oj++) {
          const at = windowMax(g, plane, oi, oj);
          if (at >= 0) D[dPlane + at] += G[gPlane + oi * gH + oj * gW];
        }
    }
};
