// Types of the batching-rule table: how each primitive runs on physical tensors whose dim 0 is a batch.
import type { Primitive, PrimitiveParams } from '../primitives.js';
import type { Tensor } from '../tensor.js';

/** One input of a batched call: the physical tensor and whether its dim 0 is the batch (else it is shared by every example). */
export interface BatchArg {
  readonly t: Tensor;
  readonly batched: boolean;
}

/**
 * One primitive's batching rule: given the inputs (at least one batched, each batched one with the
 * batch in dim 0) and the op's per-example params, computes the result for the whole batch with the
 * batch in dim 0 — using primitives, so that the result is differentiable and nests (vmap of vmap).
 */
export type BatchRule<P extends Primitive> = (
  args: readonly BatchArg[],
  params: PrimitiveParams[P],
  batchSize: number,
) => Tensor;

/** The whole table: a primitive without a batching rule is a compile error. */
export type BatchRuleTable = { [P in Primitive]: BatchRule<P> };
