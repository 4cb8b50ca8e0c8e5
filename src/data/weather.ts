// Weather-corrupted image pairs for paper 04's small analogue (ViWS-Net): rain, haze or snow added to clean grey images.
import { ArgumentError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { generatorFrom, normals, uniforms, type SeedOptions } from './random.js';

/** The weather types, in label order (0 = rain, 1 = haze, 2 = snow). */
export const WEATHERS = ['rain', 'haze', 'snow'] as const;

/** Corrupted inputs, clean targets and the weather label of each image. */
export interface WeatherPairs {
  /** The corrupted images, float32 [N, 1, H, W] in [0, 1]. */
  corrupted: Tensor;
  /** The clean images (the restoration target), float32 [N, 1, H, W]. */
  clean: Tensor;
  /** The weather of each image, int32 [N]: an index into WEATHERS. */
  weather: Tensor;
}

/**
 * Paper 04's weather-corruption task (notes 04): image i gets weather i mod 3 — rain: 15–25 bright segments
 * 1 px wide and 6–12 px long at one angle per image (N(−20°, 10°) from vertical), added at 0.5–0.7 and clipped;
 * haze: x·t + A(1 − t), t ∈ U[0.4, 0.7], A ∈ U[0.7, 0.9]; snow: 25–40 Gaussian blobs (σ 0.6–1.2 px) at
 * 0.6–0.9, added and clipped. Input: float [N, 1, H, W] in [0, 1] on a backend with synchronous reads.
 * @example const { corrupted, clean, weather } = gl.data.weatherPairs(gl.rand([6, 1, 28, 28]), { seed: 0 });
 */
export function weatherPairs(images: Tensor, opts: SeedOptions = {}): WeatherPairs {
  if (
    !(images instanceof Tensor) ||
    images.shape.length !== 4 ||
    images.shape[1] !== 1 ||
    images.dtype === 'int32' ||
    images.dtype === 'bool'
  )
    throw new ArgumentError(
      `weatherPairs: expected float grey images [N, 1, H, W], got ${images instanceof Tensor ? `${images.dtype} ${fmtShape(images.shape)}` : typeof images}`,
    );
  const [n, , h, w] = images.shape;
  const gen = generatorFrom(opts, 'weatherPairs');
  const src = images.dataSync();
  const out = new Float32Array(n * h * w);
  const label = new Int32Array(n);
  const U = (lo: number, hi: number) => lo + (hi - lo) * uniforms(gen, 1)[0];
  for (let k = 0; k < n; k++) {
    const kind = k % 3;
    label[k] = kind;
    const img = out.subarray(k * h * w, (k + 1) * h * w);
    for (let i = 0; i < h * w; i++) img[i] = src[k * h * w + i];
    if (kind === 1) {
      const t = U(0.4, 0.7);
      const A = U(0.7, 0.9);
      for (let i = 0; i < h * w; i++) img[i] = img[i] * t + A * (1 - t);
      continue;
    }
    const layer = new Float64Array(h * w);
    if (kind === 0) {
      const angle = ((-20 + 10 * normals(gen, 1)[0]) * Math.PI) / 180;
      const [dx, dy] = [Math.sin(angle), Math.cos(angle)];
      const count = Math.floor(U(15, 26));
      for (let s = 0; s < count; s++) {
        const [x0, y0, len, v] = [U(0, w), U(0, h), U(6, 12), U(0.5, 0.7)];
        for (let q = 0; q <= Math.ceil(len); q++) {
          const x = Math.round(x0 + dx * Math.min(q, len));
          const y = Math.round(y0 + dy * Math.min(q, len));
          if (x >= 0 && x < w && y >= 0 && y < h) layer[y * w + x] = Math.max(layer[y * w + x], v);
        }
      }
    } else {
      const count = Math.floor(U(25, 41));
      for (let s = 0; s < count; s++) {
        const [cx, cy, sigma, v] = [U(0, w), U(0, h), U(0.6, 1.2), U(0.6, 0.9)];
        const r = Math.ceil(3 * sigma);
        for (let y = Math.max(0, Math.floor(cy) - r); y <= Math.min(h - 1, Math.floor(cy) + r); y++)
          for (let x = Math.max(0, Math.floor(cx) - r); x <= Math.min(w - 1, Math.floor(cx) + r); x++)
            layer[y * w + x] += v * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));
      }
    }
    for (let i = 0; i < h * w; i++) img[i] = Math.min(1, img[i] + layer[i]);
  }
  return {
    corrupted: fromTypedArray(out, [n, 1, h, w], 'float32'),
    clean: images.float().contiguous(),
    weather: fromTypedArray(label, [n], 'int32'),
  };
}
