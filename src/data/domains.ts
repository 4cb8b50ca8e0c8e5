// Two-domain tasks for domain adaptation (DANN, paper 07): rotated target moons and a colour-texture-shifted image domain.
import { ArgumentError, fmtShape } from '../core/errors.js';
import { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { generatorFrom, uniforms, type SeedOptions } from './random.js';
import { moons, type XY } from './synthetic.js';

/** A labelled source domain and a target domain (its labels are for evaluation only). */
export interface TwoDomains {
  /** The source domain: features and labels. */
  source: XY;
  /** The target domain: features and the labels an adaptation method must not train on. */
  target: XY;
}

/** Options of `transMoons`. */
export interface TransMoonsOptions extends SeedOptions {
  /** Rotation of the target domain, degrees (default 35, the DANN moons experiment). */
  angle?: number;
  /** Standard deviation of the noise on every coordinate (default 0.05). */
  noise?: number;
}

/**
 * DANN's inter-twinning moons (Ganin et al. 2016, §5.1; GRAAL-Research `make_trans_moons`): `n` source moons and
 * `n` target moons drawn independently, both centred on the source mean and scaled by 2, the target then rotated
 * by `angle` degrees (anticlockwise) about the origin. Source and target come from two streams of `seed`.
 * @example const { source, target } = gl.data.transMoons(150, { angle: 35, seed: 0 });
 */
export function transMoons(n: number, opts: TransMoonsOptions = {}): TwoDomains {
  const angle = opts.angle ?? 35;
  if (typeof angle !== 'number' || !Number.isFinite(angle))
    throw new ArgumentError(`transMoons: angle must be a finite number of degrees, got ${angle}`);
  const gen = generatorFrom(opts, 'transMoons');
  const noise = opts.noise ?? 0.05;
  const src = moons(n, { noise, generator: gen });
  const tgt = moons(n, { noise, generator: gen });
  const s = src.x.dataSync();
  const t = tgt.x.dataSync();
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += s[2 * i] / n;
    my += s[2 * i + 1] / n;
  }
  const th = (angle * Math.PI) / 180;
  const [c, si] = [Math.cos(th), Math.sin(th)];
  const xs = new Float32Array(2 * n);
  const xt = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    xs[2 * i] = 2 * (s[2 * i] - mx);
    xs[2 * i + 1] = 2 * (s[2 * i + 1] - my);
    const u = 2 * (t[2 * i] - mx);
    const v = 2 * (t[2 * i + 1] - my);
    xt[2 * i] = c * u - si * v;
    xt[2 * i + 1] = si * u + c * v;
  }
  return {
    source: { x: fromTypedArray(xs, [n, 2], 'float32'), y: src.y },
    target: { x: fromTypedArray(xt, [n, 2], 'float32'), y: tgt.y },
  };
}

/** Options of `texturedDomain`. */
export interface TexturedDomainOptions extends SeedOptions {
  /** The texture's largest value (default 0.6); 1 makes strokes and background equally bright on average. */
  amplitude?: number;
}

/** Bilinear sample of a g×g grid (values per channel, row-major [g, g, 3]) at fractional position (r, c) ∈ [0, g−1]². */
function bilinear(grid: Float64Array, g: number, r: number, c: number, ch: number): number {
  const r0 = Math.min(g - 2, Math.floor(r));
  const c0 = Math.min(g - 2, Math.floor(c));
  const fr = r - r0;
  const fc = c - c0;
  const at = (i: number, j: number) => grid[(i * g + j) * 3 + ch];
  return (
    (1 - fr) * ((1 - fc) * at(r0, c0) + fc * at(r0, c0 + 1)) +
    fr * ((1 - fc) * at(r0 + 1, c0) + fc * at(r0 + 1, c0 + 1))
  );
}

/**
 * A colour-texture-shifted copy of grey images, the offline stand-in for MNIST-M (the notes of paper 07): each
 * image gets its own random colour texture P (a 7×7 RGB grid bilinearly upsampled to H×W, plus a second octave
 * from a 14×14 grid at half amplitude, scaled to [0, amplitude], default 0.6, so strokes stay brighter than
 * the background on average as in MNIST-M) and becomes |P − x| per channel, so the digit's
 * strokes invert the texture. Input: float [N, 1, H, W] in [0, 1] on a backend with synchronous reads; output:
 * float32 [N, 3, H, W]. `greyToRgb` gives the matching 3-channel source domain.
 * @example
 * const digits = gl.rand([2, 1, 28, 28]);
 * const target = gl.data.texturedDomain(digits, { seed: 1 }); // [2, 3, 28, 28]
 */
export function texturedDomain(images: Tensor, opts: TexturedDomainOptions = {}): Tensor {
  const [n, h, w] = checkGrey('texturedDomain', images);
  const amp = opts.amplitude ?? 0.6;
  if (!(amp > 0 && amp <= 1))
    throw new ArgumentError(`texturedDomain: amplitude must be in (0, 1], got ${amp}`);
  const gen = generatorFrom(opts, 'texturedDomain');
  const px = images.dataSync();
  const out = new Float32Array(n * 3 * h * w);
  for (let k = 0; k < n; k++) {
    const coarse = uniforms(gen, 7 * 7 * 3);
    const fine = uniforms(gen, 14 * 14 * 3);
    for (let ch = 0; ch < 3; ch++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          const r = h > 1 ? i / (h - 1) : 0;
          const c = w > 1 ? j / (w - 1) : 0;
          const p =
            (bilinear(coarse, 7, r * 6, c * 6, ch) + 0.5 * bilinear(fine, 14, r * 13, c * 13, ch)) *
            (amp / 1.5);
          out[(k * 3 + ch) * h * w + i * w + j] = Math.abs(p - px[k * h * w + i * w + j]);
        }
  }
  return fromTypedArray(out, [n, 3, h, w], 'float32');
}

/**
 * Grey images [N, 1, H, W] repeated over 3 channels (the source domain beside `texturedDomain`).
 * @example
 * const digits = gl.rand([2, 1, 28, 28]);
 * const source = gl.data.greyToRgb(digits); // [2, 3, 28, 28]
 */
export function greyToRgb(images: Tensor): Tensor {
  const [n, h, w] = checkGrey('greyToRgb', images);
  return images.float().expand([n, 3, h, w]).contiguous();
}

function checkGrey(op: string, images: Tensor): [number, number, number] {
  if (!(images instanceof Tensor))
    throw new ArgumentError(`${op}: expected a float Tensor [N, 1, H, W], got ${typeof images}`);
  if (
    images.shape.length !== 4 ||
    images.shape[1] !== 1 ||
    images.dtype === 'int32' ||
    images.dtype === 'bool'
  )
    throw new ArgumentError(
      `${op}: expected float grey images [N, 1, H, W], got ${images.dtype} ${fmtShape(images.shape)}`,
    );
  return [images.shape[0], images.shape[2], images.shape[3]];
}
