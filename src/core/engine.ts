// The dispatcher: every primitive call goes through apply() — infer, run the kernel, record on the tape.
import type { Backend } from './backend.js';
import { currentBackend } from './backend-registry.js';
import { isFloat } from './dtype.js';
import { AnomalyError, BackendError, GradError, VmapError } from './errors.js';
import { inferKernel, inferView } from './infer.js';
import { Node } from './node.js';
import {
  isViewPrimitive,
  type KernelPrimitive,
  type Primitive,
  type PrimitiveParams,
  type ViewPrimitive,
} from './primitives.js';
import { contiguousStrides, numel } from './shape.js';
import { currentScope, state } from './state.js';
import { Tensor } from './tensor.js';
import type { BackwardContext, VjpRule, VjpRuleTable } from './vjp-types.js';
import { BatchedTensor, levels, physicalOf } from './vmap/batched.js';

/** The batching interpreter (src/core/vmap/dispatch.ts installs it, like the VJP rules, to avoid a value cycle). */
type BatchedApply = <P extends Primitive>(
  prim: P,
  inputs: readonly Tensor[],
  params: PrimitiveParams[P],
  backend: Backend,
) => Tensor | null;
let batchedApply: BatchedApply | null = null;

/** @internal called once by src/core/vmap/vmap.ts. */
export function installBatching(fn: BatchedApply): void {
  batchedApply = fn;
}

function underVmap(inputs: readonly Tensor[]): boolean {
  if (levels.length) return true;
  for (const t of inputs) if (t instanceof BatchedTensor) return true;
  return false;
}

function backendOf(op: string, inputs: readonly Tensor[]): Backend {
  if (inputs.length === 0) return currentBackend();
  const b = inputs[0].storage.backend;
  for (const t of inputs) {
    t._assertAlive(op);
    if (t.storage.backend !== b)
      throw new BackendError(
        `${op}: tensors live on different backends (${b.name} and ${t.storage.backend.name}); move them with .to()`,
      );
  }
  return b;
}

/** Runs primitive `prim` on `inputs`, recording it on the tape when an input requires grad. */
export function apply<P extends Primitive>(
  prim: P,
  inputs: readonly Tensor[],
  params: PrimitiveParams[P],
  on?: Backend,
): Tensor {
  const backend = on ?? backendOf(prim, inputs);
  let out: Tensor;
  const batched = batchedApply && underVmap(inputs) ? batchedApply(prim, inputs, params, backend) : null;
  if (batched) {
    out = batched;
  } else if (isViewPrimitive(prim)) {
    const x = inputs[0];
    const v = (
      inferView[prim as ViewPrimitive] as (
        x: Tensor,
        p: unknown,
      ) => { shape: number[]; strides: number[]; offset: number }
    )(x, params);
    out = Tensor._view(x, v.shape, v.strides, v.offset);
  } else {
    const kp = prim as KernelPrimitive;
    const inf = (
      inferKernel[kp] as (i: readonly Tensor[], p: unknown) => ReturnType<(typeof inferKernel)['add']>
    )(inputs, params);
    const storage = backend.allocate(inf.dtype, numel(inf.shape));
    out = new Tensor(storage, inf.shape, contiguousStrides(inf.shape), 0, inf.dtype);
    backend.run(kp, inf.views ?? inputs, out, params as PrimitiveParams[KernelPrimitive]);
  }
  if (state.gradEnabled && isFloat(out.dtype)) {
    for (const t of inputs)
      if (t.requiresGrad) {
        record(prim, inputs, params, out);
        break;
      }
  }
  if (state.anomaly && !state.inBackward) checkFinite(prim, out, 'forward');
  return out;
}

/**
 * The VJP rule table (src/core/vjp.ts installs it when loaded). It is handed in rather than imported
 * because the rules are written with apply(): an import would make engine and rules a value cycle.
 */
let vjpRules: VjpRuleTable | null = null;

/** @internal called once by src/core/vjp.ts with the complete (type-checked) rule table. */
export function installVjpRules(table: VjpRuleTable): void {
  vjpRules = table;
}

function ruleFor<P extends Primitive>(prim: P): VjpRule<P> {
  for (let i = state.overrides.length - 1; i >= 0; i--) {
    const r = state.overrides[i][prim];
    if (r) return r as VjpRule<P>;
  }
  if (!vjpRules)
    throw new GradError(
      `${prim}: the VJP rules are not loaded; import gradlab's entry (or src/core/vjp.js) before recording ops`,
    );
  return vjpRules[prim] as VjpRule<P>;
}

function record<P extends Primitive>(
  prim: P,
  inputs: readonly Tensor[],
  params: PrimitiveParams[P],
  out: Tensor,
): void {
  const node = new Node(
    state.nextNodeId++,
    prim,
    params,
    inputs,
    [{ shape: out.shape, dtype: out.dtype }],
    currentScope(),
  );
  const rule = ruleFor(prim);
  const needs = node.inputs.map((e) => e !== null);
  out._setGradFn(node, 0);
  if (rule.save) rule.save({ params, needsInputGrad: needs, save: (...ts) => node.save(ts) }, inputs, out);
  node.backward = (saved, grads, needsNow) => {
    const ctx: BackwardContext<P> = {
      params,
      needsInputGrad: needsNow,
      saved,
      inputShapes: node.inputShapes,
      inputDTypes: node.inputDTypes,
      outShape: node.outputShapes[0],
    };
    return rule.vjp(ctx, grads[0]);
  };
  node.seal();
}

/** Throws AnomalyError when a float tensor holds NaN or Inf (only on synchronous backends). */
export function checkFinite(
  op: string,
  t: Tensor,
  phase: 'forward' | 'backward',
  scope = currentScope(),
): void {
  if (!isFloat(t.dtype) || !t.storage.backend.capabilities.syncRead) return;
  const d = physicalOf(t).dataSync();
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i])) {
      const where = scope ? ` (scope ${scope})` : '';
      throw new AnomalyError(
        `${op} produced ${Number.isNaN(d[i]) ? 'NaN' : 'Inf'} in ${phase}${where}: output shape [${t.shape.join(',')}], element ${i}`,
      );
    }
}

/**
 * Writes `result` into `target`'s memory (the in-place path). When grad mode is on, `target` takes
 * over `result`'s place on the tape; the shared version counter is bumped so saved copies of the
 * old value are detected in backward.
 */
export function writeInPlace(op: string, target: Tensor, result: Tensor): Tensor {
  target._assertAlive(op);
  if (target instanceof BatchedTensor || result instanceof BatchedTensor)
    throw new VmapError(`${op}: in-place operations are not supported inside vmap; use the out-of-place op`);
  if (state.gradEnabled) {
    if (target.isLeaf && target.requiresGrad)
      throw new GradError(
        `${op}: a leaf tensor that requires grad is used in an in-place operation; wrap it in gl.noGrad() or use the out-of-place op`,
      );
    if (result.requiresGrad && target._base !== null)
      throw new GradError(
        `${op}: in-place operations on views are not differentiable; use the out-of-place op`,
      );
  }
  let src = result;
  if (src.storage === target.storage) src = apply('copy', [src], null);
  target.storage.backend.run(
    'copy',
    [src.dtype === target.dtype ? src : apply('cast', [src], { dtype: target.dtype })],
    target,
    null,
  );
  target._version.value++;
  if (state.gradEnabled) {
    if (result.gradFn) target._setGradFn(result.gradFn, result._outputIndex);
    else if (target.gradFn) target._cutFromTape(); // the new value has no history: neither has the tensor now
  }
  return target;
}

export { Node };
