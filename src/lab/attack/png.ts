// Adversarial examples as one RGB image grid (clean | adversarial | perturbation per row), encoded by gl.png.
import { ArgumentError, fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import type { RgbImage } from '../../io/png.js';

/** Options of `adversarialGrid`. */
export interface GridOptions {
  /** Pixels per input pixel (default: enough for a 64-pixel-wide tile, at least 1). */
  scale?: number;
  /** Rows (examples) drawn (default all, at most 16). */
  rows?: number;
}

/**
 * Draws clean inputs, adversarial inputs and their perturbations (mid-grey = 0, scaled so that the largest
 * |δ| of each example is black or white) side by side, one example per row, as an RGB image (`gl.png.encodeImagePng` makes PNG bytes of it). Inputs are
 * [N, C, H, W] with C = 1 or 3 (or [N, H, W]), values in [0, 1].
 * @example fs.writeFileSync('adv.png', gl.png.encodeImagePng(gl.attacks.adversarialGrid(x, xAdv)));
 */
export function adversarialGrid(clean: Tensor, adv: Tensor, opts: GridOptions = {}): RgbImage {
  if (clean.shape.join() !== adv.shape.join())
    throw new ArgumentError(
      `adversarialGrid: clean ${fmtShape(clean.shape)} and adversarial ${fmtShape(adv.shape)} differ in shape`,
    );
  const s4 = clean.ndim === 3 ? [clean.shape[0], 1, clean.shape[1], clean.shape[2]] : clean.shape;
  if (s4.length !== 4 || (s4[1] !== 1 && s4[1] !== 3))
    throw new ArgumentError(
      `adversarialGrid: expected images [N, 1 or 3, H, W] or [N, H, W], got ${fmtShape(clean.shape)}`,
    );
  const [n0, C, H, W] = s4;
  const n = Math.min(n0, opts.rows ?? 16);
  const k = opts.scale ?? Math.max(1, Math.floor(64 / W));
  const gap = 2;
  const tileW = W * k;
  const tileH = H * k;
  const width = 3 * tileW + 2 * gap;
  const height = n * tileH + (n - 1) * gap;
  const out = new Uint8Array(width * height * 3).fill(255);
  const a = clean.dataSync();
  const b = adv.dataSync();
  const per = C * H * W;
  const put = (tile: number, row: number, value: (c: number, i: number, j: number) => number) => {
    for (let i = 0; i < tileH; i++)
      for (let j = 0; j < tileW; j++) {
        const o = ((row * (tileH + gap) + i) * width + tile * (tileW + gap) + j) * 3;
        for (let ch = 0; ch < 3; ch++) {
          const v = value(C === 1 ? 0 : ch, Math.floor(i / k), Math.floor(j / k));
          out[o + ch] = Math.round(255 * Math.min(1, Math.max(0, v)));
        }
      }
  };
  for (let r = 0; r < n; r++) {
    const at = (arr: ArrayLike<number>, c: number, i: number, j: number) =>
      arr[r * per + c * H * W + i * W + j];
    let m = 0;
    for (let q = 0; q < per; q++) m = Math.max(m, Math.abs(b[r * per + q] - a[r * per + q]));
    put(0, r, (c, i, j) => at(a, c, i, j));
    put(1, r, (c, i, j) => at(b, c, i, j));
    put(2, r, (c, i, j) => (m > 0 ? 0.5 + (0.5 * (at(b, c, i, j) - at(a, c, i, j))) / m : 0.5));
  }
  return { width, height, data: out };
}
