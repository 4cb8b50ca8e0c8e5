// Shared optimizer types: parameter groups, per-parameter state, state dicts and gradient transforms.
import type { Tensor } from '../core/tensor.js';

/** A JSON value (what hyper-parameters, counters and transform states are made of). */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Hyper-parameters every optimizer has. */
export interface BaseHyper {
  /** The learning rate. */
  lr: number;
}

/**
 * A parameter group: its tensors, its hyper-parameters, and any extra keys schedules store
 * (`initialLr`, `maxLr`, ...).
 */
export type ParamGroup<H extends BaseHyper = BaseHyper> = H & {
  /** The group's tensors. */
  params: Tensor[];
  [extra: string]: unknown;
};

/** What the constructor and addParamGroup accept as a group: tensors plus hyper-parameter overrides. */
export type ParamGroupSpec<H extends BaseHyper = BaseHyper> = {
  /** The group's tensors. */
  params: Iterable<Tensor>;
} & Partial<H>;

/** Per-parameter optimizer state: named tensors (exp_avg, momentum_buffer...) and numbers (step). */
export type ParamState = Record<string, Tensor | number>;

/**
 * The state of an optimizer, shaped like PyTorch's `optimizer.state_dict()`:
 * - `state[i]`: the state of the i-th parameter, counting through the groups in order
 *   (PyTorch's entry names: `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`, `momentum_buffer`,
 *   `square_avg`, `grad_avg`, `sum`, `exp_inf`); parameters never stepped have no entry;
 * - `paramGroups[g]`: the group's hyper-parameters (gradlab's option names) and `params`, the
 *   indices of its parameters;
 * - `transforms`: the states of the gradient transforms (noise generator position, ...).
 * `flattenStateDict` turns it into named tensors plus one JSON string (for safetensors).
 */
export interface OptimizerStateDict {
  /** Per parameter index (through the groups in order): its state; never-stepped parameters are absent. */
  state: Record<number, ParamState>;
  /** Per group: its hyper-parameters and `params`, its parameters' indices. */
  paramGroups: ({
    /** Indices of the group's parameters. */
    params: number[];
  } & Record<string, Json>)[];
  /** The gradient transforms' states, in order (null for a stateless one). */
  transforms: Json[];
}

/**
 * A step applied to the gradients before the update (inside `optimizer.step()` when passed as
 * the `transforms` option, or by hand with `t.apply(params)`). It may replace `p.grad`.
 */
export interface GradTransform {
  /** A name for messages and state dicts (e.g. 'clipByNorm'). */
  readonly name: string;
  /** Transforms the gradients of `params` (those whose grad is null are skipped). */
  apply(params: readonly Tensor[]): void;
  /** Serialisable state (counters, generator position); omitted for stateless transforms. */
  stateDict?(): Json;
  /** Restores what stateDict returned. */
  loadStateDict?(state: Json): void;
}
