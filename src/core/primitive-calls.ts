// Thin typed wrappers around apply(), one per primitive: the vocabulary VJP rules and composite ops are written in.
import type { DType } from './dtype.js';
import { apply } from './engine.js';
import type {
  BinaryOp,
  CompareOp,
  Conv2dParams,
  FoldParams,
  MaxPoolParams,
  PadSpec,
  UnaryOp,
  UnfoldParams,
} from './primitives.js';
import { numel } from './shape.js';
import { InternalError } from './errors.js';
import type { Tensor } from './tensor.js';

export const unary = (op: UnaryOp, x: Tensor): Tensor => apply(op, [x], null);
export const binary = (op: BinaryOp | CompareOp, a: Tensor, b: Tensor): Tensor => apply(op, [a, b], null);

/** A 0-d tensor holding `value`, with `like`'s dtype and backend. */
export function scalarLike(value: number, like: Tensor, dtype: DType = like.dtype): Tensor {
  return apply('full', [], { shape: [], dtype, value }, like.storage.backend);
}

export const padd = (a: Tensor, b: Tensor) => apply('add', [a, b], null);
export const psub = (a: Tensor, b: Tensor) => apply('sub', [a, b], null);
export const pmul = (a: Tensor, b: Tensor) => apply('mul', [a, b], null);
export const pdiv = (a: Tensor, b: Tensor) => apply('div', [a, b], null);
export const pneg = (a: Tensor) => apply('neg', [a], null);
/** a * c for a number c. */
export const pscale = (a: Tensor, c: number) => apply('mul', [a, scalarLike(c, a)], null);
export const pwhere = (c: Tensor, a: Tensor, b: Tensor) => apply('where', [c, a, b], null);
export const pcast = (x: Tensor, dtype: DType) => (x.dtype === dtype ? x : apply('cast', [x], { dtype }));
export const psum = (x: Tensor, dims: number[], keepdim: boolean) => apply('sum', [x], { dims, keepdim });
export const preshape = (x: Tensor, shape: readonly number[]) =>
  apply('reshape', [x.isContiguous ? x : apply('copy', [x], null)], { shape: [...shape] });
export const ppermute = (x: Tensor, dims: number[]) => apply('permute', [x], { dims });
export const pexpand = (x: Tensor, shape: readonly number[]) => apply('expand', [x], { shape: [...shape] });
export const pmatmul = (a: Tensor, b: Tensor) => apply('matmul', [a, b], null);
/** Zeros of `shape` on `like`'s backend. */
export const pzeros = (shape: readonly number[], like: Tensor, dtype: DType = like.dtype) =>
  apply('full', [], { shape: [...shape], dtype, value: 0 }, like.storage.backend);
export const ppad = (x: Tensor, pads: PadSpec[], value = 0) => apply('pad', [x], { pads, value });
export const pslice = (x: Tensor, starts: number[], ends: number[], steps: number[]) =>
  apply('slice', [x], { starts, ends, steps });
export const pgather = (x: Tensor, dim: number, index: Tensor) => apply('gather', [x, index], { dim });
export const pscatterAdd = (x: Tensor, dim: number, index: Tensor, src: Tensor) =>
  apply('scatterAdd', [x, index, src], { dim });
export const pconv2d = (x: Tensor, w: Tensor, p: Conv2dParams) => apply('conv2d', [x, w], p);
export const punfold = (x: Tensor, p: UnfoldParams) => apply('unfold', [x], p);
export const pfold = (x: Tensor, p: FoldParams) => apply('fold', [x], p);
export const pmaxPool2d = (x: Tensor, p: MaxPoolParams) => apply('maxPool2d', [x], p);
export const pmaxPool2dGrad = (g: Tensor, x: Tensor, p: MaxPoolParams) => apply('maxPool2dGrad', [g, x], p);

/** Swaps the last two dims. */
export function ptransposeLast(x: Tensor): Tensor {
  const r = x.shape.length;
  const dims = Array.from({ length: r }, (_, i) => i);
  dims[r - 2] = r - 1;
  dims[r - 1] = r - 2;
  return ppermute(x, dims);
}

/**
 * Sums `g` down to `shape` (undoing broadcasting): the one place where broadcasting is reversed.
 * Differentiable, so it composes with higher-order gradients.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++)
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  let r = dims.length ? psum(g, dims, true) : g;
  if (lead > 0 || r.shape.length !== shape.length) r = preshape(r, shape);
  if (numel(r.shape) !== numel(shape))
    throw new InternalError(`sumTo: summed [${g.shape}] to [${r.shape}], not [${shape}]`);
  return r;
}
