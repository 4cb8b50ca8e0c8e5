// User-defined differentiable functions (customGrad) and per-primitive backward overrides in a scope.
import { Node } from './node.js';
import type { Primitive } from './primitives.js';
import { currentScope, noGrad, state } from './state.js';
import { Tensor, userCode } from './tensor.js';
import type { VjpRule } from './vjp-types.js';
import { isFloat } from './dtype.js';

/** The `ctx` a custom function's forward and backward share. Extra attributes may be set on it. */
export interface CustomContext {
  /** needsInputGrad[i]: whether argument i is a tensor that will receive a gradient. */
  needsInputGrad: boolean[];
  /** Keeps tensors for backward through the saved-tensor machinery (hooks and accounting apply). */
  save(...tensors: (Tensor | null)[]): void;
  /** The saved tensors, in backward. */
  saved: (Tensor | null)[];
  [attribute: string]: unknown;
}

/** The definition customGrad takes: a forward and its backward. */
export interface CustomGradDef<A extends unknown[], R extends Tensor | Tensor[]> {
  /** Shown on the tape. */
  name?: string;
  /** Computes the outputs (runs without recording). */
  forward(ctx: CustomContext, ...args: A): R;
  /** One gradient per forward argument (null for non-tensors or no gradient). */
  backward(ctx: CustomContext, ...gradOutputs: Tensor[]): (Tensor | null | undefined)[] | Tensor | null;
}

/**
 * Makes a differentiable function with a hand-written backward. When the backward uses gradlab ops,
 * the function supports higher-order gradients.
 * @example
 * const square = gl.customGrad({
 *   forward(ctx, x: gl.Tensor) { ctx.save(x); return x.mul(x); },
 *   backward(ctx, g) { const [x] = ctx.saved; return [g.mul(x!).mul(2)]; },
 * });
 */
export function customGrad<A extends unknown[], R extends Tensor | Tensor[]>(
  def: CustomGradDef<A, R>,
): (...args: A) => R {
  const name = def.name ?? 'customGrad';
  return (...args: A): R => {
    const positions: number[] = [];
    const tensors: Tensor[] = [];
    args.forEach((a, i) => {
      if (a instanceof Tensor) {
        positions.push(i);
        tensors.push(a);
      }
    });
    const needs = args.map((a) => state.gradEnabled && a instanceof Tensor && a.requiresGrad);
    const toSave: (Tensor | null)[] = [];
    const ctx: CustomContext = { needsInputGrad: needs, save: (...ts) => void toSave.push(...ts), saved: [] };
    const raw = noGrad(() => def.forward(ctx, ...args));
    if (!needs.some(Boolean)) return raw;
    const outs = (Array.isArray(raw) ? raw : [raw]).map((o) =>
      tensors.includes(o) || o.gradFn
        ? new Tensor(o.storage, o.shape, o.strides, o.offset, o.dtype, o._version)
        : o,
    );
    const node = new Node(
      state.nextNodeId++,
      name,
      null,
      tensors,
      outs.map((o) => ({ shape: o.shape, dtype: o.dtype })),
      currentScope(),
    );
    node.backward = (saved, grads, needsNow) => {
      ctx.saved = saved;
      ctx.needsInputGrad = args.map(() => false);
      positions.forEach((p, k) => (ctx.needsInputGrad[p] = needsNow[k]));
      // the user's backward may keep what it gets or makes: backward's disposing scope spares them
      const r = userCode([grads, saved], () => def.backward(ctx, ...grads));
      const list = Array.isArray(r) ? r : [r];
      return positions.map((p) => {
        const g = list[p];
        return g ? () => g : null;
      });
    };
    outs.forEach((o, i) => {
      if (isFloat(o.dtype)) o._setGradFn(node, i);
    });
    // saved after the outputs are linked to the node: a saved output is then known as one (not a leaf)
    node.save(toSave);
    node.seal();
    return (Array.isArray(raw) ? outs : outs[0]) as R;
  };
}

/** Replacement rules for some primitives, keyed by primitive name. */
export type GradOverrides = { [P in Primitive]?: VjpRule<P> };

/**
 * Records the ops inside `fn` with replacement backward rules (guided backprop, DeepLIFT-style
 * rules, straight-through estimators, gradient reversal) without touching any model code.
 * @example
 * const guided = { relu: { save: (c, _i, y) => c.save(y), vjp: (c, g) => [() => g.relu().mul(c.saved[0]!.gt(0))] } };
 * const y = gl.overrideGrad(guided, () => model.forward(x));
 */
export function overrideGrad<T>(rules: GradOverrides, fn: () => T): T {
  state.overrides.push(rules as never);
  try {
    return fn();
  } finally {
    state.overrides.pop();
  }
}
