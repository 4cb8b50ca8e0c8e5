// The fast path's per-layer rules: per-example gradients (and their squared norms) of Linear, Conv2d, LayerNorm and
// Embedding parameters from the layer's input and the gradient of its output, each with the batch in dim 0.
import { ppad, pscatterAdd, punfold } from '../../core/primitive-calls.js';
import type { Tensor } from '../../core/tensor.js';
import { zeros } from '../../ops/creation.js';
import { Conv2d } from '../conv.js';
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import type { Module } from '../module.js';
import { LayerNorm } from '../normalization.js';

/** A layer the fast path handles. */
export type FastLayer = Linear | Conv2d | LayerNorm | Embedding;

export function isFastLayer(m: Module): m is FastLayer {
  return m instanceof Linear || m instanceof Conv2d || m instanceof LayerNorm || m instanceof Embedding;
}

/** Per-example gradients of one call of `m` (input `a`, output gradient `g`), keyed 'weight' / 'bias'. */
export function layerGrads(m: FastLayer, a: Tensor, g: Tensor): Record<string, Tensor> {
  const N = g.shape[0];
  if (m instanceof Linear) {
    const a2 = a.reshape([N, -1, m.inFeatures]);
    const g2 = g.reshape([N, -1, m.outFeatures]);
    return { weight: g2.transpose(1, 2).matmul(a2), bias: g2.sum(1) };
  }
  if (m instanceof Conv2d) {
    const pads = m['pads'];
    const sym = pads.every(([lo, hi]) => lo === hi);
    const x = sym
      ? a
      : ppad(a, [
          { lo: 0, hi: 0, interior: 0 },
          { lo: 0, hi: 0, interior: 0 },
          { lo: pads[0][0], hi: pads[0][1], interior: 0 },
          { lo: pads[1][0], hi: pads[1][1], interior: 0 },
        ]);
    const u = punfold(x, {
      kernel: m.kernelSize,
      stride: m.stride,
      padding: sym ? [pads[0][0], pads[1][0]] : [0, 0],
      dilation: m.dilation,
      padValue: 0,
    }); // [N, C*kh*kw, L]
    const G = m.groups;
    const L = u.shape[2];
    const O = m.outChannels;
    const uw = u.reshape([N, G, u.shape[1] / G, L]);
    const gw = g.reshape([N, G, O / G, L]);
    const w = gw.matmul(uw.transpose(2, 3)).reshape([N, ...m.weight.shape]);
    return { weight: w, bias: g.reshape([N, O, L]).sum(2) };
  }
  if (m instanceof LayerNorm) {
    const k = m.normalizedShape.length;
    const nd = a.shape.length;
    const normDims = Array.from({ length: k }, (_, i) => nd - k + i);
    const mean = a.mean(normDims, true);
    const c = a.sub(mean);
    const xhat = c.div(c.mul(c).mean(normDims, true).add(m.eps).sqrt());
    const inner = Array.from({ length: nd - k - 1 }, (_, i) => i + 1);
    const red = (t: Tensor) => (inner.length ? t.sum(inner) : t);
    return { weight: red(g.mul(xhat)), bias: red(g) };
  }
  const [V, D] = m.weight.shape;
  const idx = a.reshape([N, -1]);
  let g2 = g.reshape([N, -1, D]);
  if (m.paddingIdx !== undefined) g2 = g2.mul(idx.ne(m.paddingIdx).unsqueeze(2).to(g2.dtype));
  const at = idx.unsqueeze(2).expand([N, idx.shape[1], D]).contiguous();
  return { weight: pscatterAdd(zeros([N, V, D], { dtype: g.dtype }), 1, at, g2.contiguous()) };
}

/**
 * Squared norms per example of one call's parameter gradients without forming them, where a Gram
 * identity allows it (Linear, Embedding): ||sum_t g_t a_t^T||^2 = sum_{t,s} (g_t.g_s)(a_t.a_s).
 * Returns null for the layers that form one layer's per-example gradients instead.
 */
export function layerSquaredNorms(m: FastLayer, a: Tensor, g: Tensor): Record<string, Tensor> | null {
  const N = g.shape[0];
  if (m instanceof Linear) {
    const a2 = a.reshape([N, -1, m.inFeatures]);
    const g2 = g.reshape([N, -1, m.outFeatures]);
    const weight =
      a2.shape[1] === 1
        ? g2
            .mul(g2)
            .sum([1, 2])
            .mul(a2.mul(a2).sum([1, 2]))
        : g2
            .matmul(g2.transpose(1, 2))
            .mul(a2.matmul(a2.transpose(1, 2)))
            .sum([1, 2]);
    const b = g2.sum(1);
    return { weight, bias: b.mul(b).sum(1) };
  }
  if (m instanceof Embedding) {
    const D = m.weight.shape[1];
    const idx = a.reshape([N, -1]);
    let g2 = g.reshape([N, -1, D]);
    if (m.paddingIdx !== undefined) g2 = g2.mul(idx.ne(m.paddingIdx).unsqueeze(2).to(g2.dtype));
    const same = idx.unsqueeze(2).eq(idx.unsqueeze(1)).to(g2.dtype);
    return { weight: g2.matmul(g2.transpose(1, 2)).mul(same).sum([1, 2]) };
  }
  return null;
}
