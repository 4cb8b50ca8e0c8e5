// Images as PNG: tensors to RGB images, colour maps for attribution maps, overlays, grids, and fast-png's encoder.
import { encode } from 'fast-png';
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  /** Pixels per row. */
  width: number;
  /** Rows. */
  height: number;
  /** width × height × 3 bytes (r, g, b), row-major. */
  data: Uint8Array;
}

/** Colour maps for scalar maps: 'gray', 'viridis', 'hot' (sequential), 'bwr' (diverging, blue < 0 < red). */
export type ColorMap = 'gray' | 'viridis' | 'hot' | 'bwr';

/** Anchors (position in [0, 1], r, g, b) of each colour map, linearly interpolated. */
const ANCHORS: { readonly [M in ColorMap]: readonly (readonly [number, number, number, number])[] } = {
  gray: [
    [0, 0, 0, 0],
    [1, 255, 255, 255],
  ],
  // matplotlib's viridis at nine evenly spaced points
  viridis: [
    [0, 68, 1, 84],
    [0.125, 71, 44, 122],
    [0.25, 59, 81, 139],
    [0.375, 44, 113, 142],
    [0.5, 33, 144, 141],
    [0.625, 39, 173, 129],
    [0.75, 92, 200, 99],
    [0.875, 170, 220, 50],
    [1, 253, 231, 37],
  ],
  hot: [
    [0, 0, 0, 0],
    [0.375, 255, 0, 0],
    [0.75, 255, 255, 0],
    [1, 255, 255, 255],
  ],
  bwr: [
    [0, 0, 0, 255],
    [0.5, 255, 255, 255],
    [1, 255, 0, 0],
  ],
};

/**
 * The RGB colour of `t` in [0, 1] (clamped) under a colour map.
 * @example colorAt('viridis', 1) // [253, 231, 37]
 */
export function colorAt(map: ColorMap, t: number): [number, number, number] {
  const a = ANCHORS[map];
  if (!a)
    throw new ArgumentError(`unknown colour map ${JSON.stringify(map)} (expected gray|viridis|hot|bwr)`);
  const v = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  let k = 1;
  while (k < a.length - 1 && a[k][0] < v) k++;
  const [p0, r0, g0, b0] = a[k - 1];
  const [p1, r1, g1, b1] = a[k];
  const w = p1 === p0 ? 0 : (v - p0) / (p1 - p0);
  return [Math.round(r0 + w * (r1 - r0)), Math.round(g0 + w * (g1 - g0)), Math.round(b0 + w * (b1 - b0))];
}

/** [H, W] values of a [H, W] or [1, H, W] tensor, or the three planes of [3, H, W]. */
function planes(t: Tensor, who: string): { h: number; w: number; planes: Float64Array[] } {
  const s = t.shape;
  let c: number;
  let h: number;
  let w: number;
  if (s.length === 2) [c, h, w] = [1, s[0], s[1]];
  else if (s.length === 3 && (s[0] === 1 || s[0] === 3)) [c, h, w] = [s[0], s[1], s[2]];
  else throw new ShapeError(`${who}: expected an [H, W], [1, H, W] or [3, H, W] tensor, got ${fmtShape(s)}`);
  if (h < 1 || w < 1) throw new ShapeError(`${who}: empty image ${fmtShape(s)}`);
  const data = Float64Array.from(t.contiguous().dataSync() as ArrayLike<number>, Number);
  return { h, w, planes: Array.from({ length: c }, (_, k) => data.subarray(k * h * w, (k + 1) * h * w)) };
}

function minMax(vs: Float64Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of vs)
    for (const v of p)
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/**
 * An image tensor ([H, W] or [1, H, W] grey, [3, H, W] colour) as RGB bytes. Values map linearly from
 * `range` (default: the tensor's min and max) to 0..255.
 * @example const img = gl.png.imageFromTensor(x.select(0, 0), { range: [0, 1] });
 */
export function imageFromTensor(t: Tensor, opts: { range?: [number, number] } = {}): RgbImage {
  const { h, w, planes: ps } = planes(t, 'imageFromTensor');
  const [lo, hi] = opts.range ?? minMax(ps);
  const span = hi > lo ? hi - lo : 1;
  const data = new Uint8Array(h * w * 3);
  for (let i = 0; i < h * w; i++)
    for (let c = 0; c < 3; c++) {
      const v = (ps[ps.length === 3 ? c : 0][i] - lo) / span;
      data[i * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
    }
  return { width: w, height: h, data };
}

/** Options of heatmap. */
export interface HeatmapOptions {
  /** Default 'bwr' for sign 'all', 'viridis' otherwise. */
  colormap?: ColorMap;
  /**
   * Which part of the map to show (Captum's visualisation signs): 'all' (symmetric range around 0,
   * default), 'absolute' (|v|), 'positive' or 'negative' (the part of that sign, as a magnitude).
   */
  sign?: 'all' | 'absolute' | 'positive' | 'negative';
  /** Values are divided by this percentile of |v| and clipped (Captum's outlier_perc; default 2 = the 98th). */
  outlierPercent?: number;
}

/**
 * A scalar map ([H, W], [1, H, W], or [3, H, W] summed over channels) as a colour image, with
 * Captum's sign handling and outlier clipping.
 * @example const heat = gl.png.heatmap(attr.select(0, 0), { sign: 'absolute', colormap: 'hot' });
 */
export function heatmap(map: Tensor, opts: HeatmapOptions = {}): RgbImage {
  const { h, w, planes: ps } = planes(map, 'heatmap');
  const sign = opts.sign ?? 'all';
  if (!['all', 'absolute', 'positive', 'negative'].includes(sign))
    throw new ArgumentError(
      `heatmap: sign must be all|absolute|positive|negative, got ${JSON.stringify(sign)}`,
    );
  const cmap = opts.colormap ?? (sign === 'all' ? 'bwr' : 'viridis');
  const vals = new Float64Array(h * w);
  for (const p of ps) for (let i = 0; i < h * w; i++) vals[i] += Number.isFinite(p[i]) ? p[i] : 0;
  const shown = vals.map((v) =>
    sign === 'absolute'
      ? Math.abs(v)
      : sign === 'positive'
        ? Math.max(v, 0)
        : sign === 'negative'
          ? Math.max(-v, 0)
          : v,
  );
  const pct = opts.outlierPercent ?? 2;
  if (!(pct >= 0 && pct < 100))
    throw new ArgumentError(`heatmap: outlierPercent must be in [0, 100), got ${opts.outlierPercent}`);
  const sorted = Array.from(shown, Math.abs).sort((a, b) => a - b);
  const scale = sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * (1 - pct / 100)))] || 1;
  const data = new Uint8Array(h * w * 3);
  for (let i = 0; i < h * w; i++) {
    const v = shown[i] / scale;
    const [r, g, b] = colorAt(cmap, sign === 'all' ? (v + 1) / 2 : v);
    data.set([r, g, b], i * 3);
  }
  return { width: w, height: h, data };
}

/**
 * `heat` blended over `base` (same size): (1 − alpha)·base + alpha·heat per channel.
 * @example gl.png.overlay(gl.png.imageFromTensor(x0), gl.png.heatmap(a0), 0.5)
 */
export function overlay(base: RgbImage, heat: RgbImage, alpha = 0.5): RgbImage {
  if (base.width !== heat.width || base.height !== heat.height)
    throw new ShapeError(
      `overlay: images differ in size: ${base.width}x${base.height} and ${heat.width}x${heat.height}`,
    );
  if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentError(`overlay: alpha must be in [0, 1], got ${alpha}`);
  const data = new Uint8Array(base.data.length);
  for (let i = 0; i < data.length; i++)
    data[i] = Math.round((1 - alpha) * base.data[i] + alpha * heat.data[i]);
  return { width: base.width, height: base.height, data };
}

/**
 * Enlarges an image by an integer factor (nearest neighbour), so that small maps stay sharp.
 * @example gl.png.upscale(img, 8)
 */
export function upscale(img: RgbImage, factor: number): RgbImage {
  if (!Number.isInteger(factor) || factor < 1)
    throw new ArgumentError(`upscale: factor must be a positive integer, got ${factor}`);
  const w = img.width * factor;
  const h = img.height * factor;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const s = (Math.floor(y / factor) * img.width + Math.floor(x / factor)) * 3;
      data.set(img.data.subarray(s, s + 3), (y * w + x) * 3);
    }
  return { width: w, height: h, data };
}

/**
 * Images of one size laid out in rows of `cols` (default: all in one row), `pad` pixels apart.
 * @example gl.png.imageGrid([a, b, c, d], { cols: 2, pad: 2 })
 */
export function imageGrid(
  images: readonly RgbImage[],
  opts: { cols?: number; pad?: number; background?: number } = {},
): RgbImage {
  if (!images.length) throw new ArgumentError('imageGrid: expected at least one image');
  const { width: iw, height: ih } = images[0];
  for (const im of images)
    if (im.width !== iw || im.height !== ih)
      throw new ShapeError(`imageGrid: images differ in size: ${iw}x${ih} and ${im.width}x${im.height}`);
  const cols = Math.min(images.length, opts.cols ?? images.length);
  if (!Number.isInteger(cols) || cols < 1)
    throw new ArgumentError(`imageGrid: cols must be a positive integer, got ${opts.cols}`);
  const pad = opts.pad ?? 2;
  const rows = Math.ceil(images.length / cols);
  const w = cols * iw + (cols + 1) * pad;
  const h = rows * ih + (rows + 1) * pad;
  const data = new Uint8Array(w * h * 3).fill(opts.background ?? 255);
  images.forEach((im, k) => {
    const x0 = pad + (k % cols) * (iw + pad);
    const y0 = pad + Math.floor(k / cols) * (ih + pad);
    for (let y = 0; y < ih; y++)
      data.set(im.data.subarray(y * iw * 3, (y + 1) * iw * 3), ((y0 + y) * w + x0) * 3);
  });
  return { width: w, height: h, data };
}

/**
 * PNG bytes of an RGB image (8-bit, 3 channels), encoded by fast-png.
 * @example const bytes = gl.png.encodeImagePng(img);
 */
export function encodeImagePng(img: RgbImage): Uint8Array {
  if (img.data.length !== img.width * img.height * 3)
    throw new ShapeError(
      `encodeImagePng: ${img.data.length} bytes for a ${img.width}x${img.height} RGB image`,
    );
  return encode({ width: img.width, height: img.height, data: img.data, channels: 3, depth: 8 });
}

/**
 * A batch [N, C, H, W] (C 1 or 3) as one grid image, or a single [C, H, W] / [H, W] image.
 * @example gl.png.imagesFromTensor(xAdv, { range: [0, 1], cols: 8 })
 */
export function imagesFromTensor(
  t: Tensor,
  opts: { range?: [number, number]; cols?: number; pad?: number } = {},
): RgbImage {
  if (t.ndim !== 4) return imageFromTensor(t, opts);
  if (t.shape[0] < 1) throw new ShapeError(`imagesFromTensor: empty batch ${fmtShape(t.shape)}`);
  const range =
    opts.range ?? minMax([Float64Array.from(t.contiguous().dataSync() as ArrayLike<number>, Number)]);
  const images = Array.from({ length: t.shape[0] }, (_, i) => imageFromTensor(t.select(0, i), { range }));
  return imageGrid(images, { cols: opts.cols ?? Math.min(8, images.length), pad: opts.pad });
}
