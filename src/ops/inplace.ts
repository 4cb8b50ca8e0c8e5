// In-place ops (add_, mul_, copy_, fill_, zero_, clamp_...): compute, write through, bump the version counter.
import { writeInPlace } from '../core/engine.js';
import { pexpand } from '../core/primitive-calls.js';
import { Tensor } from '../core/tensor.js';
import { isGradEnabled } from '../core/state.js';
import { clone } from './shape.js';
import { add, clamp, mul, sub, div } from './elementwise.js';
import { asTensor, type TensorLike } from './tensor-like.js';

/** Copies `src` (broadcast to target's shape, cast to its dtype) into `target`'s memory. */
export function copyInto(target: Tensor, src: TensorLike): Tensor {
  const s = asTensor(src, target);
  return writeInPlace('copy_', target, s.shape.join() === target.shape.join() ? s : pexpand(s, target.shape));
}

export const addInPlace = (t: Tensor, b: TensorLike, opts: { alpha?: number } = {}) =>
  writeInPlace('add_', t, add(t, b, opts));
export const subInPlace = (t: Tensor, b: TensorLike, opts: { alpha?: number } = {}) =>
  writeInPlace('sub_', t, sub(t, b, opts));
/** The target's value as an operand: a copy when the op would save it for the other operand's gradient. */
const operand = (t: Tensor, b: TensorLike) =>
  isGradEnabled() && b instanceof Tensor && b.requiresGrad ? clone(t) : t;
export const mulInPlace = (t: Tensor, b: TensorLike) => writeInPlace('mul_', t, mul(operand(t, b), b));
export const divInPlace = (t: Tensor, b: TensorLike) => writeInPlace('div_', t, div(operand(t, b), b));
export const fillInPlace = (t: Tensor, v: number) => copyInto(t, v);
export const zeroInPlace = (t: Tensor) => copyInto(t, 0);
export const clampInPlace = (t: Tensor, min?: TensorLike | null, max?: TensorLike | null) =>
  writeInPlace('clamp_', t, clamp(t, min, max));
