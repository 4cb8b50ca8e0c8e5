// Recipe `condensation` (paper 36) data: digits downsampled to 14×14, plain (P) and background-dominated (B: 0.35·digit + 0.65·one of 20 smooth textures), standardised.
import { Generator, sampleHost } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { add, div, mul, sub } from '../ops/elementwise.js';
import { avgPool2d } from '../ops/nn.js';
import { mean, std } from '../ops/reduce.js';
import { tensor } from '../ops/tensor-like.js';
import type { Split } from './common/train.js';

/** Number of fixed background textures of variant B. */
export const TEXTURES = 20;
/** Weight of the digit in variant B (the texture gets 1 − it). */
export const DIGIT_WEIGHT = 0.35;

/** 28×28 (or larger) images averaged down by 2; smaller ones (the embedded 8×8 digits) are kept. */
export function downsample(x: Tensor): Tensor {
  return noGrad(() => (x.shape[2] >= 28 ? avgPool2d(x, 2) : x.contiguous()));
}

/** One smooth texture in [0, 1]: 4×4 uniform noise, bilinearly upsampled to h×w. */
function texture(h: number, w: number, gen: Generator): Float32Array {
  const g = sampleHost(gen, 16, 'uniform');
  const out = new Float32Array(h * w);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const u = (i / Math.max(h - 1, 1)) * 3;
      const v = (j / Math.max(w - 1, 1)) * 3;
      const i0 = Math.min(Math.floor(u), 2);
      const j0 = Math.min(Math.floor(v), 2);
      const a = u - i0;
      const b = v - j0;
      out[i * w + j] =
        (1 - a) * (1 - b) * g[i0 * 4 + j0] +
        (1 - a) * b * g[i0 * 4 + j0 + 1] +
        a * (1 - b) * g[(i0 + 1) * 4 + j0] +
        a * b * g[(i0 + 1) * 4 + j0 + 1];
    }
  return out;
}

/**
 * Variant B of a split: every image becomes 0.35·digit + 0.65·texture_k, with k drawn uniformly from 20 fixed
 * textures independently of the class (fixed generator, so every seed and arm sees the same data).
 */
export function backgroundDominated(s: Split, salt: number): Split {
  const [n, c, h, w] = s.x.shape;
  const tg = new Generator(3600);
  const tex = Array.from({ length: TEXTURES }, () => texture(h, w, tg));
  const pick = sampleHost(new Generator(3700 + salt), n, 'uniform');
  const bg = new Float32Array(n * c * h * w);
  for (let i = 0; i < n; i++) {
    const t = tex[Math.min(TEXTURES - 1, Math.floor(pick[i] * TEXTURES))];
    for (let ch = 0; ch < c; ch++) bg.set(t, (i * c + ch) * h * w);
  }
  const b = tensor(bg, { dtype: s.x.dtype }).reshape([n, c, h, w]);
  return noGrad(() => ({ x: add(mul(s.x, DIGIT_WEIGHT), mul(b, 1 - DIGIT_WEIGHT)), y: s.y }));
}

/** Both splits standardised with the training split's pixel mean and standard deviation. */
export function standardise(train: Split, test: Split): { train: Split; test: Split } {
  return noGrad(() => {
    const m = mean(train.x).item();
    const sd = std(train.x).item();
    const f = (x: Tensor) => div(sub(x, m), sd);
    return { train: { x: f(train.x), y: train.y }, test: { x: f(test.x), y: test.y } };
  });
}
