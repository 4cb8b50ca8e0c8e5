// A planted spurious cue: a small bright square ("hospital tag") in the top-left corner of chosen images.
import { Generator, sampleHost } from '../../core/random/generator.js';
import { tensor } from '../../ops/tensor-like.js';
import type { Split } from './train.js';

/** Where the tag goes and which images carry it. */
export interface TagPlan {
  /** Side of the square tag in pixels (top-left corner, rows and columns 0..size−1). */
  size: number;
  /** Pixel value of the tag (the data's maximum: white). */
  value: number;
  /** Per image: whether it carries the tag. */
  tagged: boolean[];
}

/**
 * The tag side for an image of height h: round(h / 7), at least 2 (4 px on 28×28, 2 px on 8×8).
 * @example tagSize(28); // 4
 */
export function tagSize(h: number): number {
  return Math.max(2, Math.round(h / 7));
}

/**
 * Chooses the tagged images: each image of `biasedClass` with probability pBiased, every other one with
 * probability pOther, drawn from a generator seeded with `seed`.
 * @example const plan = planTags(labels, { biasedClass: 3, pBiased: 0.95, pOther: 0.05, size: 4, value: 1, seed: 0 });
 */
export function planTags(
  labels: ArrayLike<number>,
  opts: { biasedClass: number; pBiased: number; pOther: number; size: number; value: number; seed: number },
): TagPlan {
  const gen = new Generator(opts.seed);
  const u = sampleHost(gen, labels.length, 'uniform');
  const tagged = Array.from(labels, (y, i) => u[i] < (y === opts.biasedClass ? opts.pBiased : opts.pOther));
  return { size: opts.size, value: opts.value, tagged };
}

/**
 * A copy of the images [n, c, h, w] (host values) with the tag written into the tagged ones.
 * @example const a = applyTags(pixels, [n, 1, 28, 28], plan); // a Float32Array
 */
export function applyTags(pixels: Float32Array, shape: readonly number[], plan: TagPlan): Float32Array {
  const [n, c, h, w] = shape;
  const out = Float32Array.from(pixels);
  for (let i = 0; i < n; i++) {
    if (!plan.tagged[i]) continue;
    for (let ch = 0; ch < c; ch++)
      for (let r = 0; r < plan.size; r++)
        for (let col = 0; col < plan.size; col++) out[((i * c + ch) * h + r) * w + col] = plan.value;
  }
  return out;
}

/**
 * Whether pixel index p of one image [c, h, w] lies in the tag square.
 * @example onTag(0, [1, 28, 28], 4); // true
 */
export function onTag(p: number, shape: readonly number[], size: number): boolean {
  const [, h, w] = shape;
  const within = p % (h * w);
  return Math.floor(within / w) < size && within % w < size;
}

/** A split whose inputs are `pixels` (host values, shape [n, c, h, w]) and labels `y`. */
export function splitOf(pixels: Float32Array, shape: readonly number[], y: Int32Array): Split {
  return { x: tensor(pixels).reshape([...shape]), y: tensor(y) };
}
