// Plain-gradient attributions with Captum's names: Saliency, InputXGradient, GuidedBackprop, Deconvolution.
import { overrideGrad, type GradOverrides } from '../../core/custom.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import {
  asTuple,
  gradOfTarget,
  targetIndices,
  type Attr,
  type CommonOptions,
  type ForwardFn,
  type Inputs,
} from './common.js';

/** Options of Saliency. */
export interface SaliencyOptions extends CommonOptions {
  /** Return |∂f/∂x| (Captum's default, true) or the signed gradient. */
  abs?: boolean;
}

/**
 * The gradient of the target output with respect to the inputs (Simonyan et al.), absolute by default.
 * @example const map = new gl.explain.Saliency(model).attribute(x, { target: 3 });
 */
export class Saliency {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * new gl.explain.Saliency(model).attribute(gl.randn([2, 4]), { target: 0 }).shape; // [2, 4]
   */
  attribute<I extends Inputs>(inputs: I, opts: SaliencyOptions = {}): Attr<I> {
    const { xs, wrap } = asTuple(inputs);
    const { grads } = gradOfTarget(
      this.forward,
      xs,
      targetIndices(opts.target, xs[0].shape[0]),
      opts.additionalForwardArgs,
    );
    return wrap(opts.abs === false ? grads : grads.map((g) => g.abs()));
  }
}

/**
 * x ⊙ ∂f/∂x (Shrikumar et al.); with `multiplyByInputs: false` the plain gradient.
 * @example const map = new gl.explain.InputXGradient(model).attribute(x, { target: 3 });
 */
export class InputXGradient {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * new gl.explain.InputXGradient(model).attribute(gl.randn([2, 4]), { target: 2 }).shape; // [2, 4]
   */
  attribute<I extends Inputs>(inputs: I, opts: CommonOptions & { multiplyByInputs?: boolean } = {}): Attr<I> {
    const { xs, wrap } = asTuple(inputs);
    const { grads } = gradOfTarget(
      this.forward,
      xs,
      targetIndices(opts.target, xs[0].shape[0]),
      opts.additionalForwardArgs,
    );
    return wrap(opts.multiplyByInputs === false ? grads : grads.map((g, i) => noGrad(() => g.mul(xs[i]))));
  }
}

/** Guided backprop's ReLU rule: gradient through where the input was positive, and only its positive part. */
export const GUIDED_RELU: GradOverrides = {
  relu: {
    save: (ctx, _inputs, y) => ctx.save(y),
    vjp: (ctx, g) => [() => g.relu().mul(ctx.saved[0]!.gt(0))],
  },
};

/** Deconvnet's ReLU rule: the positive part of the gradient, whatever the forward input was. */
export const DECONV_RELU: GradOverrides = {
  relu: { vjp: (_ctx, g) => [() => g.relu()] },
};

function overriddenGradient<I extends Inputs>(
  forward: ForwardFn,
  rules: GradOverrides,
  inputs: I,
  opts: CommonOptions,
): Attr<I> {
  const { xs, wrap } = asTuple(inputs);
  const { grads } = gradOfTarget(
    forward,
    xs,
    targetIndices(opts.target, xs[0].shape[0]),
    opts.additionalForwardArgs,
    (fn) => overrideGrad(rules, fn),
  );
  return wrap(grads);
}

/**
 * Guided backpropagation (Springenberg et al.): the gradient with every `relu` primitive's backward
 * replaced by `relu(g) * (x > 0)`. The rule is set on the primitive through `gl.overrideGrad`, so
 * functional `gl.relu` calls and ReLU modules used several times are all guided.
 * @example const map = new gl.explain.GuidedBackprop(model).attribute(x, { target: 3 });
 */
export class GuidedBackprop {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * new gl.explain.GuidedBackprop(model).attribute(gl.randn([2, 4]), { target: 1 }).shape; // [2, 4]
   */
  attribute<I extends Inputs>(inputs: I, opts: CommonOptions = {}): Attr<I> {
    return overriddenGradient(this.forward, GUIDED_RELU, inputs, opts);
  }
}

/**
 * Deconvolution (Zeiler and Fergus): every `relu` primitive passes back `relu(g)`, ignoring its forward input.
 * @example const map = new gl.explain.Deconvolution(model).attribute(x, { target: 3 });
 */
export class Deconvolution {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * new gl.explain.Deconvolution(model).attribute(gl.randn([2, 4]), { target: 1 }).shape; // [2, 4]
   */
  attribute<I extends Inputs>(inputs: I, opts: CommonOptions = {}): Attr<I> {
    return overriddenGradient(this.forward, DECONV_RELU, inputs, opts);
  }
}

/** A gradient-based attribution method (what NoiseTunnel and the sanity checks wrap). */
export interface Attribution<O> {
  attribute<I extends Inputs>(inputs: I, opts?: O): Attr<I> | { attributions: Attr<I> };
}

/** Internal: attributions from a method's result whether or not it carries a delta. */
export function attributionsOf(r: Tensor | Tensor[] | { attributions: Tensor | Tensor[] }): Tensor[] {
  if (Array.isArray(r)) return r;
  if ('attributions' in r) return Array.isArray(r.attributions) ? r.attributions : [r.attributions];
  return [r];
}
