// gl.interpolate: nearest and bilinear resizing of [N, C, H, W] tensors with torch.nn.functional.interpolate's index rules.
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { isFloat } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { matmul } from './matmul.js';
import { tensor } from './tensor-like.js';
import { transpose } from './shape.js';

/** How `interpolate` resizes: PyTorch's `mode` names. */
export type InterpolateMode = 'nearest' | 'bilinear';

/** Options of `interpolate`: exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** The output's spatial size [H, W] (a number for both). */
  size?: number | [number, number];
  /** Multiplier of the input's spatial size [sH, sW] (a number for both); the output size is floor(in * s). */
  scaleFactor?: number | [number, number];
  /** 'nearest' (default, PyTorch's default) or 'bilinear'. */
  mode?: InterpolateMode;
  /** bilinear only: the corner pixels' centres of input and output coincide (PyTorch's align_corners; default false). */
  alignCorners?: boolean;
  /**
   * With `scaleFactor`: compute the source positions from the output size (in / out) instead of from
   * 1 / scaleFactor (PyTorch's recompute_scale_factor; default false).
   */
  recomputeScaleFactor?: boolean;
}

function pair(v: number | [number, number], what: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((x) => Number.isFinite(x) && x > 0))
    throw new ArgumentError(
      `interpolate: ${what} must be a positive number or [h, w], got ${JSON.stringify(v)}`,
    );
  return p;
}

/** Rows: output positions; columns: input positions; entries: interpolation weights. */
function weightMatrix(
  inSize: number,
  outSize: number,
  mode: InterpolateMode,
  alignCorners: boolean,
  scale: number | undefined,
): number[][] {
  const m = Array.from({ length: outSize }, () => new Array<number>(inSize).fill(0));
  if (mode === 'nearest') {
    // PyTorch's nearest_idx, in float32 arithmetic as its kernel computes it
    const s = Math.fround(scale !== undefined ? 1 / scale : inSize / outSize);
    for (let o = 0; o < outSize; o++) {
      let i: number;
      if (outSize === inSize) i = o;
      else if (outSize === 2 * inSize) i = o >> 1;
      else i = Math.min(Math.floor(Math.fround(o * s)), inSize - 1);
      m[o][i] = 1;
    }
    return m;
  }
  // PyTorch's area_pixel_compute_scale and area_pixel_compute_source_index (cubic = false)
  const s = alignCorners
    ? outSize > 1
      ? (inSize - 1) / (outSize - 1)
      : 0
    : scale !== undefined
      ? 1 / scale
      : inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    let src = alignCorners ? s * o : s * (o + 0.5) - 0.5;
    if (src < 0) src = 0;
    const i0 = Math.floor(src);
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    const l1 = src - i0;
    m[o][i0] += 1 - l1;
    m[o][i1] += l1;
  }
  return m;
}

/**
 * Resizes the spatial dims of an [N, C, H, W] float tensor as `torch.nn.functional.interpolate` does
 * (modes 'nearest' and 'bilinear', `align_corners`, `recompute_scale_factor`), differentiably on every
 * backend: the result is A_h · x · A_wᵀ with constant interpolation matrices, so its gradient is the
 * transpose of the same resampling.
 * @example
 * const up = gl.interpolate(x, { size: [28, 28], mode: 'bilinear' });
 * const twice = gl.interpolate(x, { scaleFactor: 2 }); // nearest
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  if (x.ndim !== 4)
    throw new ShapeError(`interpolate: expected an [N, C, H, W] tensor, got ${fmtShape(x.shape)}`);
  if (!isFloat(x.dtype)) throw new ArgumentError(`interpolate: expected a float tensor, got ${x.dtype}`);
  const mode = opts.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear')
    throw new ArgumentError(`interpolate: mode must be 'nearest' or 'bilinear', got ${JSON.stringify(mode)}`);
  if (opts.alignCorners !== undefined && mode !== 'bilinear')
    throw new ArgumentError(`interpolate: alignCorners applies to mode 'bilinear' only, got mode '${mode}'`);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined))
    throw new ArgumentError('interpolate: give exactly one of size and scaleFactor');
  const [H, W] = [x.shape[2], x.shape[3]];
  let out: [number, number];
  let scales: [number | undefined, number | undefined] = [undefined, undefined];
  if (opts.size !== undefined) {
    out = pair(opts.size, 'size');
    if (!out.every(Number.isInteger))
      throw new ArgumentError(`interpolate: size must be integers, got ${JSON.stringify(opts.size)}`);
  } else {
    const sf = pair(opts.scaleFactor!, 'scaleFactor');
    out = [Math.floor(H * sf[0]), Math.floor(W * sf[1])];
    if (out[0] < 1 || out[1] < 1)
      throw new ArgumentError(
        `interpolate: scaleFactor ${JSON.stringify(opts.scaleFactor)} gives an empty output for input ${fmtShape(x.shape)}`,
      );
    if (!opts.recomputeScaleFactor) scales = sf;
  }
  const align = opts.alignCorners ?? false;
  const ah = tensor(weightMatrix(H, out[0], mode, align, scales[0]), { dtype: x.dtype });
  const aw = tensor(weightMatrix(W, out[1], mode, align, scales[1]), { dtype: x.dtype });
  return matmul(matmul(ah, x), transpose(aw, 0, 1));
}
