// Fused max pooling in WGSL: one thread per output for the maximum; one thread per input element for the gradient.
import type { TensorView } from '../backend.js';
import type { MaxPoolParams } from '../../core/primitives.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { bindings, grid, helpersFor, MAIN_ARGS, numelOf, THREAD_INDEX } from './wgsl.js';

/**
 * The shader parameters both kernels share: [threads, C, H, W, kh, kw, strides, paddings, dilations,
 * Ho, Wo, x offset, x strides (4), out offset], then the gradient's offset and strides (4).
 */
function poolMeta(
  total: number,
  x: TensorView,
  out: TensorView,
  Ho: number,
  Wo: number,
  p: MaxPoolParams,
  g?: TensorView,
): number[] {
  const [, C, H, W] = x.shape;
  const meta = [total, C, H, W, ...p.kernel, ...p.stride, ...p.padding, ...p.dilation, Ho, Wo];
  meta.push(x.offset, ...x.strides, out.offset);
  if (g) meta.push(g.offset, ...g.strides);
  return meta;
}

/**
 * WGSL of windowMax(plane, oi, oj): the maximum of one window of x (read from binding `src`, any
 * strides) and where it sits as h * W + w, or -1 in the padding (which counts as -infinity). The
 * first maximum in row-major window order wins and the first NaN wins outright, as in argmax.
 */
function windowMaxFn(src: string): string {
  return `struct Best { v: f32, at: i32 }
fn windowMax(plane: i32, oi: i32, oj: i32) -> Best {
  let H = prm[2]; let W = prm[3];
  var best = ninf_();
  var at = -1;
  var first = true;
  for (var ki = 0; ki < prm[4]; ki = ki + 1) {
    let h = oi * prm[6] - prm[8] + ki * prm[10];
    for (var kj = 0; kj < prm[5]; kj = kj + 1) {
      let w = oj * prm[7] - prm[9] + kj * prm[11];
      let inside = h >= 0 && h < H && w >= 0 && w < W;
      var v = ninf_();
      if (inside) { v = ${src}[plane + h * prm[17] + w * prm[18]]; }
      if (first || v > best || v != v) {
        best = v;
        at = select(-1, h * W + w, inside);
        first = false;
        if (v != v) { return Best(best, at); }
      }
    }
  }
  return Best(best, at);
}`;
}

/** out[n, c, oi, oj] = the maximum of window (oi, oj) of x[n, c]. */
export function maxPool2dKernel(
  be: WebGPUBackend,
  [x]: readonly TensorView[],
  out: TensorView,
  p: MaxPoolParams,
): void {
  const total = numelOf(out.shape);
  if (total === 0) return;
  const meta = poolMeta(total, x, out, out.shape[2], out.shape[3], p);
  const source = () => `${bindings('f32', ['f32'])}
${helpersFor('ninf_(')}
${windowMaxFn('src0')}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let C = prm[1]; let Ho = prm[12]; let Wo = prm[13];
  let o = i % (Ho * Wo);
  let nc = i / (Ho * Wo);
  let plane = prm[14] + (nc / C) * prm[15] + (nc % C) * prm[16];
  dst[prm[19] + i] = windowMax(plane, o / Wo, o % Wo).v;
}`;
  be.dispatch('maxPool2d:f32', source, meta, [be.bufferOf(out), be.bufferOf(x)], grid(total));
}

/**
 * dx[n, c, h, w] = the sum of g over the windows whose argmax is (h, w): each thread visits the
 * windows that contain its element and recomputes their argmax, so no two threads write one place.
 */
export function maxPool2dGradKernel(
  be: WebGPUBackend,
  [g, x]: readonly TensorView[],
  out: TensorView,
  p: MaxPoolParams,
): void {
  const total = numelOf(out.shape);
  if (total === 0) return;
  const meta = poolMeta(total, x, out, g.shape[2], g.shape[3], p, g);
  const source = () => `${bindings('f32', ['f32', 'f32'])}
${helpersFor('ninf_(')}
${windowMaxFn('src1')}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let C = prm[1]; let H = prm[2]; let W = prm[3]; let Ho = prm[12]; let Wo = prm[13];
  let w = i % W;
  let h = (i / W) % H;
  let c = (i / (W * H)) % C;
  let n = i / (W * H * C);
  let plane = prm[14] + n * prm[15] + c * prm[16];
  let gplane = prm[20] + n * prm[21] + c * prm[22];
  var acc = 0.0;
  for (var ki = 0; ki < prm[4]; ki = ki + 1) {
    let hh = h + prm[8] - ki * prm[10];
    if (hh < 0 || hh % prm[6] != 0) { continue; }
    let oi = hh / prm[6];
    if (oi >= Ho) { continue; }
    for (var kj = 0; kj < prm[5]; kj = kj + 1) {
      let ww = w + prm[9] - kj * prm[11];
      if (ww < 0 || ww % prm[7] != 0) { continue; }
      let oj = ww / prm[7];
      if (oj >= Wo) { continue; }
      if (windowMax(plane, oi, oj).at == h * W + w) { acc = acc + src0[gplane + oi * prm[23] + oj * prm[24]]; }
    }
  }
  dst[prm[19] + i] = acc;
}`;
  be.dispatch(
    'maxPool2dGrad:f32',
    source,
    meta,
    [be.bufferOf(out), be.bufferOf(g), be.bufferOf(x)],
    grid(total),
  );
}
