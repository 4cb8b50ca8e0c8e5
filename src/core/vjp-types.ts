// Types of the VJP rule table: what a rule saves in forward and how it maps an output gradient to input gradients.
import type { DType } from './dtype.js';
import type { Primitive, PrimitiveParams } from './primitives.js';
import type { Tensor } from './tensor.js';

/** What a rule sees in forward: it declares what backward needs through `save`. */
export interface SaveContext<P extends Primitive = Primitive> {
  /** The primitive's parameters. */
  readonly params: PrimitiveParams[P];
  /** needsInputGrad[i]: whether input i will receive a gradient. */
  readonly needsInputGrad: readonly boolean[];
  /** Keeps tensors (null holds a place) for backward; the only way a rule keeps anything. */
  save(...tensors: (Tensor | null)[]): void;
}

/** What a rule sees in backward. */
export interface BackwardContext<P extends Primitive = Primitive> {
  /** The primitive's parameters. */
  readonly params: PrimitiveParams[P];
  /** needsInputGrad[i]: whether input i receives a gradient (its thunk may be null otherwise). */
  readonly needsInputGrad: readonly boolean[];
  /** The tensors passed to `save`, unpacked (in the same order). */
  readonly saved: (Tensor | null)[];
  /** The shape of each input in forward. */
  readonly inputShapes: readonly (readonly number[])[];
  /** The dtype of each input in forward. */
  readonly inputDTypes: readonly DType[];
  /** The output's shape in forward. */
  readonly outShape: readonly number[];
}

/** A lazily computed input gradient: only called when that input needs one. */
export type GradThunk = (() => Tensor | null) | null;

/**
 * One primitive's reverse-mode rule. `vjp` returns, per input, a thunk computing the gradient with
 * respect to that input in the *output's broadcast shape* (the engine sums it back to the input's
 * shape and casts it to the input's dtype). Rules use differentiable ops only, so backward of
 * backward works.
 */
export interface VjpRule<P extends Primitive = Primitive> {
  /** Runs in forward (under grad mode) and keeps what `vjp` will need through `ctx.save`. */
  save?(ctx: SaveContext<P>, inputs: readonly Tensor[], output: Tensor): void;
  /** Maps the output gradient `g` to one thunk per input (null where the input gets no gradient). */
  vjp(ctx: BackwardContext<P>, g: Tensor): GradThunk[];
}

/** The whole table: a primitive without a rule is a compile error. */
export type VjpRuleTable = { [P in Primitive]: VjpRule<P> };
