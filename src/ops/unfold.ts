// Public sliding-window extraction and its inverse: gl.unfold and gl.fold with torch.nn.functional's semantics.
import { apply } from '../core/engine.js';
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { reshape, squeeze, unsqueeze } from './shape.js';

/** One size for both spatial dims, or [h, w]. */
export type SizePair = number | readonly [number, number];

/** Window geometry of gl.unfold and gl.fold (each one number or [h, w], as torch.nn.functional). */
export interface UnfoldOptions {
  /** Spacing of the window elements (default 1). */
  dilation?: SizePair;
  /** Zeros added on each side (default 0). */
  padding?: SizePair;
  /** Step of the window (default 1). */
  stride?: SizePair;
}

function pairOf(op: string, name: string, v: SizePair | undefined, d: number, min: number): [number, number] {
  const p: [number, number] = v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((k) => Number.isInteger(k) && k >= min))
    throw new ArgumentError(`${op}: ${name} must be integers >= ${min}, got ${String(v)}`);
  return p;
}

function geometry(op: string, kernelSize: SizePair, opts: UnfoldOptions) {
  return {
    kernel: pairOf(op, 'kernelSize', kernelSize, 1, 1),
    dilation: pairOf(op, 'dilation', opts.dilation, 1, 1),
    padding: pairOf(op, 'padding', opts.padding, 0, 0),
    stride: pairOf(op, 'stride', opts.stride, 1, 1),
  };
}

/**
 * Extracts sliding local blocks (im2col), as torch.nn.functional.unfold: [N, C, H, W] → [N, C·kh·kw, L], where L
 * is the number of window positions and the middle dim runs over (channel, kernel row, kernel column); a 3-D
 * input [C, H, W] gives [C·kh·kw, L]. Padded positions read 0. Its gradient is gl.fold.
 * @example const cols = gl.unfold(gl.randn([2, 3, 8, 8]), 3, { padding: 1 }); // [2, 27, 64]: [N, C*9, H*W]
 */
export function unfold(x: Tensor, kernelSize: SizePair, opts: UnfoldOptions = {}): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new ShapeError(
      `unfold: expected a 4-D input [N, C, H, W] (or 3-D [C, H, W]), got ${fmtShape(x.shape)}`,
    );
  const xin = x.ndim === 4 ? x : unsqueeze(x, 0);
  const y = apply('unfold', [xin], { ...geometry('unfold', kernelSize, opts), padValue: 0 });
  return x.ndim === 4 ? y : squeeze(y, 0);
}

/**
 * Sums sliding local blocks back into an image (col2im), as torch.nn.functional.fold: [N, C·kh·kw, L] →
 * [N, C, outputSize[0], outputSize[1]] (a 2-D input [C·kh·kw, L] gives [C, H, W]); overlapping values add up.
 * @example gl.fold(gl.unfold(x, 2, { stride: 2 }), [H, W], 2, { stride: 2 }) // equals x
 */
export function fold(
  x: Tensor,
  outputSize: SizePair,
  kernelSize: SizePair,
  opts: UnfoldOptions = {},
): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3)
    throw new ShapeError(`fold: expected a 3-D input [N, C*kh*kw, L] (or 2-D), got ${fmtShape(x.shape)}`);
  const xin = x.ndim === 3 ? x : unsqueeze(x, 0);
  const g = geometry('fold', kernelSize, opts);
  const y = apply('fold', [xin], { ...g, outputSize: pairOf('fold', 'outputSize', outputSize, 1, 1) });
  return x.ndim === 3 ? y : reshape(y, y.shape.slice(1));
}
