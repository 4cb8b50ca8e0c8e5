// Fused max pooling kernels of the JS backend: the window maximum, and its gradient routed to each window's argmax.
import type { Kernel, TensorView } from '../backend.js';
import type { MaxPoolParams } from '../../core/primitives.js';
import { dataOf } from './strided.js';

/**
 * Visits every window of x [N,C,H,W] (any strides) in row-major output order and calls
 * visit(n, c, o, value, h, w): o the window's index within its [Ho, Wo] plane, value its maximum, and
 * (h, w) where that maximum sits in x (h = -1 when it lies in the padding). Padded positions count as
 * -Infinity; the first maximum in row-major window order wins, and the first NaN wins outright: the
 * rule of the argmax kernel, so gradients go where the unfold/argmax/gather composite sent them.
 */
function forEachWindow(
  x: TensorView,
  p: MaxPoolParams,
  Ho: number,
  Wo: number,
  visit: (n: number, c: number, o: number, value: number, h: number, w: number) => void,
): void {
  const X = dataOf(x);
  const [N, C, H, W] = x.shape;
  const [sN, sC, sH, sW] = x.strides;
  const [kh, kw] = p.kernel;
  const [strH, strW] = p.stride;
  const [ph, pw] = p.padding;
  const [dh, dw] = p.dilation;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const plane = x.offset + n * sN + c * sC;
      for (let oi = 0, o = 0; oi < Ho; oi++)
        for (let oj = 0; oj < Wo; oj++, o++) {
          let best = -Infinity;
          let bh = -1;
          let bw = -1;
          scan: for (let ki = 0; ki < kh; ki++) {
            const h = oi * strH - ph + ki * dh;
            const rowIn = h >= 0 && h < H;
            for (let kj = 0; kj < kw; kj++) {
              const w = oj * strW - pw + kj * dw;
              const inside = rowIn && w >= 0 && w < W;
              const v = inside ? X[plane + h * sH + w * sW] : -Infinity;
              // the window's first position starts the search whatever it holds (-Infinity in padding)
              if ((ki === 0 && kj === 0) || v > best || v !== v) {
                best = v;
                bh = inside ? h : -1;
                bw = w;
                if (v !== v) break scan;
              }
            }
          }
          visit(n, c, o, best, bh, bw);
        }
    }
}

export const maxPool2dKernel: Kernel<'maxPool2d'> = ([x], out, p) => {
  const Y = dataOf(out);
  const [, C, Ho, Wo] = out.shape;
  const plane = Ho * Wo;
  forEachWindow(x, p, Ho, Wo, (n, c, o, value) => {
    Y[out.offset + (n * C + c) * plane + o] = value;
  });
};

export const maxPool2dGradKernel: Kernel<'maxPool2dGrad'> = ([g, x], out, p) => {
  const [N, C, H, W] = x.shape;
  const [, , Ho, Wo] = g.shape;
  const G = dataOf(g);
  const D = dataOf(out);
  D.fill(0, out.offset, out.offset + N * C * H * W);
  const [gN, gC, gH, gW] = g.strides;
  forEachWindow(x, p, Ho, Wo, (n, c, o, _value, h, w) => {
    if (h < 0) return;
    const gv = G[g.offset + n * gN + c * gC + Math.floor(o / Wo) * gH + (o % Wo) * gW];
    D[out.offset + ((n * C + c) * H + h) * W + w] += gv;
  });
};
