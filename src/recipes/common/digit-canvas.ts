// "Digits on a canvas": two different digits at random non-overlapping places plus a faint clutter stroke (multi-label).
import { Generator, sampleHost } from '../../core/random/generator.js';

/** Canvases [n, 1, side, side] on the host, their multi-hot labels [n, 10] and each digit's box. */
export interface DigitCanvas {
  side: number;
  /** Side of one placed digit. */
  digit: number;
  pixels: Float32Array;
  multiHot: Float32Array;
  /** Per canvas: two boxes (class, top row, left column); each digit covers digit × digit pixels. */
  boxes: { cls: number; row: number; col: number }[][];
}

/** 2×2 average pooling of square images [n, s, s] when s is 28 (MNIST → 14); other sizes are kept. */
function shrink(px: Float32Array, s: number, i: number): { img: Float32Array; d: number } {
  const src = px.subarray(i * s * s, (i + 1) * s * s);
  if (s !== 28) return { img: Float32Array.from(src), d: s };
  const d = 14;
  const img = new Float32Array(d * d);
  for (let r = 0; r < d; r++)
    for (let c = 0; c < d; c++)
      img[r * d + c] =
        (src[2 * r * s + 2 * c] +
          src[2 * r * s + 2 * c + 1] +
          src[(2 * r + 1) * s + 2 * c] +
          src[(2 * r + 1) * s + 2 * c + 1]) /
        4;
  return { img, d };
}

/**
 * n canvases from single-channel square digits `px` [m, s, s] with labels `y`: canvas i holds digit i mod m
 * and the next digit of another class, placed without overlap (side = round(40·d/14), d = 14 for 28×28
 * digits, else s), plus a horizontal or vertical stroke of half the side at 0.3 × the maximum pixel.
 * @example const c = digitCanvas(px, 28, labels, 100, 0); // c.side === 40
 */
export function digitCanvas(
  px: Float32Array,
  s: number,
  y: ArrayLike<number>,
  n: number,
  seed: number,
): DigitCanvas {
  const m = y.length;
  const d = s === 28 ? 14 : s;
  const side = Math.round((40 * d) / 14);
  const u = sampleHost(new Generator(seed), n * 64, 'uniform');
  let k = 0;
  const next = () => u[k++ % u.length];
  const pos = () => Math.floor(next() * (side - d + 1));
  let max = 0;
  for (const v of px) max = Math.max(max, v);
  const pixels = new Float32Array(n * side * side);
  const multiHot = new Float32Array(n * 10);
  const boxes: DigitCanvas['boxes'] = [];
  for (let i = 0; i < n; i++) {
    const a = i % m;
    let b = (a + 1) % m;
    while (y[b] === y[a]) b = (b + 1) % m;
    const placed: { cls: number; row: number; col: number }[] = [];
    for (const idx of [a, b]) {
      let row = pos();
      let col = pos();
      for (
        let t = 0;
        t < 50 && placed.some((p) => Math.abs(p.row - row) < d && Math.abs(p.col - col) < d);
        t++
      ) {
        row = pos();
        col = pos();
      }
      if (placed.some((p) => Math.abs(p.row - row) < d && Math.abs(p.col - col) < d)) {
        row = 0; // corners: always disjoint since side ≥ 2d
        col = placed[0].col < side / 2 ? side - d : 0;
        if (Math.abs(placed[0].row - row) < d && Math.abs(placed[0].col - col) < d) row = side - d;
      }
      placed.push({ cls: y[idx], row, col });
      const { img } = shrink(px, s, idx);
      for (let r = 0; r < d; r++)
        for (let c = 0; c < d; c++) {
          const o = i * side * side + (row + r) * side + col + c;
          pixels[o] = Math.max(pixels[o], img[r * d + c]);
        }
      multiHot[i * 10 + y[idx]] = 1;
    }
    const vertical = next() < 0.5;
    const at = Math.floor(next() * side);
    const from = Math.floor(next() * (side / 2));
    for (let t = from; t < from + Math.floor(side / 2); t++) {
      const o = i * side * side + (vertical ? t * side + at : at * side + t);
      pixels[o] = Math.max(pixels[o], 0.3 * max);
    }
    boxes.push(placed);
  }
  return { side, digit: d, pixels, multiHot, boxes };
}

/**
 * Whether location p of a side × side map lies in the box (dilated by `dilate` pixels).
 * @example inBox(0, 40, { cls: 1, row: 0, col: 0 }, 14, 2); // true
 */
export function inBox(
  p: number,
  side: number,
  box: { row: number; col: number },
  d: number,
  dilate: number,
): boolean {
  const r = Math.floor(p / side);
  const c = p % side;
  return (
    r >= box.row - dilate && r < box.row + d + dilate && c >= box.col - dilate && c < box.col + d + dilate
  );
}
