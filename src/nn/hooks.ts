// Module hooks: forward pre-hooks, forward hooks and full backward (pre-)hooks, run by Module.forward.
import { customGrad } from '../core/custom.js';
import { isGradEnabled } from '../core/state.js';
import { Tensor, type RemovableHandle } from '../core/tensor.js';
import type { Module } from './module.js';

/** Sees the positional arguments before forward; may return replacement arguments. */
export type ForwardPreHook = (module: Module, args: unknown[]) => unknown[] | void;
/** Sees the arguments and the output after forward; may return a replacement output. */
export type ForwardHook = (module: Module, args: unknown[], output: any) => unknown;
/**
 * Sees the gradients with respect to the module's tensor arguments (`gradInput`, one entry per
 * Tensor argument, null where none flows) and outputs (`gradOutput`, one per output tensor); may
 * return replacement `gradInput` entries.
 */
export type BackwardHook = (
  module: Module,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
) => (Tensor | null)[] | void;
/** Sees the gradients with respect to the outputs before they flow into the module; may replace them. */
export type BackwardPreHook = (module: Module, gradOutput: (Tensor | null)[]) => (Tensor | null)[] | void;

/** The hooks of one module, in registration order. */
export class HookSet {
  forwardPre = new Map<number, ForwardPreHook>();
  forward = new Map<number, ForwardHook>();
  backward = new Map<number, BackwardHook>();
  backwardPre = new Map<number, BackwardPreHook>();
  private next = 0;

  add<F>(map: Map<number, F>, fn: F): RemovableHandle {
    const id = this.next++;
    map.set(id, fn);
    return { remove: () => void map.delete(id) };
  }

  get empty(): boolean {
    return !this.forwardPre.size && !this.forward.size && !this.backward.size && !this.backwardPre.size;
  }
}

/** Tensors inside a value (a tensor, or arrays of them, two levels deep), in order. */
function tensorsOf(v: unknown, out: Tensor[] = [], depth = 0): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v) && depth < 3) for (const x of v) tensorsOf(x, out, depth + 1);
  return out;
}

/** `v` with its tensors replaced, in order, by `next()`. */
function replaceTensors(v: unknown, next: () => Tensor, depth = 0): unknown {
  if (v instanceof Tensor) return next();
  if (Array.isArray(v) && depth < 3) return v.map((x) => replaceTensors(x, next, depth + 1));
  return v;
}

function runBackwardHooks(
  module: Module,
  hooks: HookSet,
  gradInput: (Tensor | null)[],
  gradOutput: (Tensor | null)[],
): (Tensor | null)[] {
  for (const h of hooks.backward.values()) {
    const r = h(module, gradInput, gradOutput);
    if (r) gradInput = r;
  }
  return gradInput;
}

/**
 * Calls `impl` with the module's hooks around it: forward pre-hooks, then (with backward hooks and
 * grad mode on) identity nodes on the tensor arguments and outputs that catch their gradients, then
 * forward hooks.
 */
export function callWithHooks(
  module: Module,
  hooks: HookSet,
  impl: (...args: any[]) => unknown,
  args: unknown[],
): unknown {
  for (const h of hooks.forwardPre.values()) {
    const r = h(module, args);
    if (r !== undefined) args = Array.isArray(r) ? r : [r];
  }
  const wantBackward = (hooks.backward.size > 0 || hooks.backwardPre.size > 0) && isGradEnabled();
  const caught: { gradOutput: (Tensor | null)[] | null; inputsWrapped: boolean } = {
    gradOutput: null,
    inputsWrapped: false,
  };
  if (wantBackward) {
    const argTensors = tensorsOf(args, [], 1);
    const positions = argTensors.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
    if (positions.length) {
      caught.inputsWrapped = true;
      const identity = customGrad({
        name: 'BackwardHookInputs',
        forward: (_ctx, ...ts: Tensor[]) => ts,
        backward: (_ctx, ...grads: Tensor[]) => {
          const gradInput: (Tensor | null)[] = argTensors.map(() => null);
          positions.forEach((p, k) => (gradInput[p] = grads[k]));
          const out = runBackwardHooks(module, hooks, gradInput, caught.gradOutput ?? []);
          return positions.map((p) => out[p] ?? null);
        },
      });
      const wrapped = identity(...positions.map((p) => argTensors[p]));
      const replaced = argTensors.map((t, i) => (positions.includes(i) ? wrapped[positions.indexOf(i)] : t));
      let k = 0;
      args = args.map((a) => replaceTensors(a, () => replaced[k++], 2));
    }
  }
  let output = impl.apply(module, args);
  for (const h of hooks.forward.values()) {
    const r = h(module, args, output);
    if (r !== undefined) output = r;
  }
  if (wantBackward) {
    const outs = tensorsOf(output);
    const positions = outs.map((t, i) => (t.requiresGrad ? i : -1)).filter((i) => i >= 0);
    if (positions.length) {
      const identity = customGrad({
        name: 'BackwardHookOutputs',
        forward: (_ctx, ...ts: Tensor[]) => ts,
        backward: (_ctx, ...grads: Tensor[]) => {
          let gradOutput: (Tensor | null)[] = outs.map(() => null);
          positions.forEach((p, k) => (gradOutput[p] = grads[k]));
          for (const h of hooks.backwardPre.values()) {
            const r = h(module, gradOutput);
            if (r) gradOutput = r;
          }
          caught.gradOutput = gradOutput;
          if (!caught.inputsWrapped)
            runBackwardHooks(
              module,
              hooks,
              tensorsOf(args, [], 1).map(() => null),
              gradOutput,
            );
          return positions.map((p) => gradOutput[p] ?? null);
        },
      });
      const wrapped = identity(...positions.map((p) => outs[p]));
      const replaced = outs.map((t, i) => (positions.includes(i) ? wrapped[positions.indexOf(i)] : t));
      let k = 0;
      output = replaceTensors(output, () => replaced[k++]);
    }
  }
  return output;
}
