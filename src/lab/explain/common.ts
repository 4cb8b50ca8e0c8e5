// Shared pieces of gl.explain: forward functions, Captum's target/baseline/tuple-input conventions, gradients of a selected output.
import { ArgumentError, GradlabError, ShapeError, fmtShape } from '../../core/errors.js';
import { grad } from '../../core/functional.js';
import { enableGrad } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { zerosLike } from '../../ops/creation.js';
import { cat } from '../../ops/shape.js';
import { tensor } from '../../ops/tensor-like.js';
import { Module } from '../../nn/module.js';

/** A model or a function from the inputs (then the additional forward arguments) to outputs [B] or [B, classes]. */
export type ForwardFn = ((...args: any[]) => Tensor) | Module;

/** One input tensor, or a tuple of them (Captum's tuple inputs): attributions come back in the same form. */
export type Inputs = Tensor | readonly Tensor[];
/** The attributions of `I`: a tensor for a tensor, an array for an array. */
export type Attr<I extends Inputs> = I extends Tensor ? Tensor : Tensor[];
/** Attributions with the convergence delta per example (Captum's `return_convergence_delta`). */
export interface WithDelta<I extends Inputs> {
  /** The attributions, in the inputs' form. */
  attributions: Attr<I>;
  /** Per example (shape [B]), the sum of the attributions minus f(x) - f(baseline). */
  delta: Tensor;
}

/**
 * Which output to explain: one class index for every example, one per example (array or int tensor of length B),
 * or undefined when the forward already returns one score per example ([B] or [B, 1]).
 */
export type Target = number | readonly number[] | Tensor | undefined;

/** A baseline per input: a number, or a tensor broadcastable to the input (e.g. [1, ...] or the input's shape). */
export type Baseline = number | Tensor;

/** Options every attribution method takes. */
export interface CommonOptions {
  /** The output to explain (see `Target`). */
  target?: Target;
  /** Extra arguments passed to the forward after the inputs; tensors with the batch dim are expanded with them. */
  additionalForwardArgs?: readonly unknown[];
}

/**
 * Raised when an attribution method gets inputs, baselines or targets it cannot use.
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * try {
 *   new gl.explain.Saliency(model).attribute(gl.randn([2, 4]), { target: 5 });
 * } catch (e) {
 *   if (e instanceof gl.explain.ExplainError) console.log(e.message); // target 5 is out of range for 3 classes
 * }
 */
export class ExplainError extends GradlabError {}

/** The inputs as an array, and a function turning per-input results back into the caller's form. */
export function asTuple<I extends Inputs>(inputs: I): { xs: Tensor[]; wrap: (ts: Tensor[]) => Attr<I> } {
  if (inputs instanceof Tensor) return { xs: [inputs], wrap: (ts) => ts[0] as Attr<I> };
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((t) => t instanceof Tensor))
    throw new ExplainError('expected a tensor or a non-empty array of tensors as inputs');
  const xs = [...(inputs as readonly Tensor[])];
  const b = xs[0].shape[0];
  for (const x of xs)
    if (x.ndim === 0 || x.shape[0] !== b)
      throw new ShapeError(
        `inputs must share the batch dim: got ${xs.map((t) => fmtShape(t.shape)).join(' and ')}`,
      );
  return { xs, wrap: (ts) => ts as Attr<I> };
}

/** Calls the model or function. */
export function callForward(f: ForwardFn, xs: readonly Tensor[], extra: readonly unknown[] = []): Tensor {
  const out = f instanceof Module ? f.forward(...xs, ...extra) : f(...xs, ...extra);
  if (!(out instanceof Tensor)) throw new ExplainError(`the forward must return a tensor, got ${typeof out}`);
  return out;
}

/** Additional forward arguments for a batch made of `times` copies of the original batch `b` (tensors with dim 0 = b repeat). */
export function expandExtra(extra: readonly unknown[] | undefined, b: number, times: number): unknown[] {
  if (!extra) return [];
  return extra.map((a) =>
    a instanceof Tensor && a.ndim > 0 && a.shape[0] === b && times > 1 ? cat(Array(times).fill(a), 0) : a,
  );
}

/** Per-example class indices: host numbers, an int32 tensor [B] (never read back to the host), or null (no target). */
export type TargetIndices = number[] | Tensor | null;

/** The per-example class indices of `target` for a batch of `b` (null: no target). */
export function targetIndices(target: Target, b: number): TargetIndices {
  if (target === undefined) return null;
  let idx: number[];
  if (typeof target === 'number') idx = new Array<number>(b).fill(target);
  else if (target instanceof Tensor) {
    if (target.ndim !== 1 || target.shape[0] !== b)
      throw new ExplainError(
        `target: expected ${b} indices (one per example), got a tensor of shape ${fmtShape(target.shape)}`,
      );
    if (target.dtype !== 'int32')
      throw new ExplainError(`target: expected an int32 tensor, got ${target.dtype}`);
    return target;
  } else if (Array.isArray(target)) {
    if (target.length !== b)
      throw new ExplainError(`target: expected ${b} indices (one per example), got ${target.length}`);
    idx = [...target];
  } else throw new ExplainError(`target: expected a number, an array or an int tensor, got ${typeof target}`);
  if (!idx.every((i) => Number.isInteger(i) && i >= 0))
    throw new ExplainError(
      `target: expected non-negative integer class indices, got ${JSON.stringify(idx.slice(0, 8))}`,
    );
  return idx;
}

/** The indices for rows `rows` of a batch made of copies of the original batch of `b` (row r is example r % b). */
export function targetRows(idx: TargetIndices, b: number, rows: readonly number[]): TargetIndices {
  if (idx === null) return null;
  if (Array.isArray(idx)) return rows.map((r) => idx[r % b]);
  return (idx as Tensor).indexSelect(
    0,
    tensor(
      rows.map((r) => r % b),
      { dtype: 'int32' },
    ),
  );
}

/** The [B] scores out[i, target[i]] (or out itself when it is one score per example). */
export function selectTarget(out: Tensor, idx: TargetIndices): Tensor {
  const b = out.shape[0];
  if (idx === null) {
    if (out.ndim === 1) return out;
    if (out.ndim === 2 && out.shape[1] === 1) return out.reshape([b]);
    throw new ExplainError(
      `target is required when the forward returns ${fmtShape(out.shape)} (expected [B] or [B, 1] without a target)`,
    );
  }
  if (out.ndim !== 2)
    throw new ExplainError(`target needs a [B, classes] output, got ${fmtShape(out.shape)}`);
  const n = Array.isArray(idx) ? idx.length : (idx as Tensor).shape[0];
  // a batch made of copies of the original batch: targets repeat with it
  if (n !== b && b % n !== 0) throw new ExplainError(`target: ${n} indices for a batch of ${b}`);
  if (!Array.isArray(idx)) {
    const rows =
      n === b
        ? (idx as Tensor)
        : targetRows(
            idx,
            n,
            Array.from({ length: b }, (_, i) => i),
          )!;
    return out.gather(1, (rows as Tensor).reshape([b, 1])).reshape([b]);
  }
  const full = n === b ? idx : Array.from({ length: b }, (_, i) => idx[i % n]);
  const bad = full.find((i) => i >= out.shape[1]);
  if (bad !== undefined) throw new ExplainError(`target ${bad} is out of range for ${out.shape[1]} classes`);
  const index = tensor(full, { dtype: 'int32', shape: [b, 1] });
  return out.gather(1, index).reshape([b]);
}

/** Each baseline as a tensor of the input's shape (numbers fill, broadcastable tensors expand). */
export function baselinesFor(
  xs: readonly Tensor[],
  baselines: Baseline | readonly Baseline[] | undefined,
): Tensor[] {
  const list: readonly (Baseline | undefined)[] =
    baselines === undefined
      ? xs.map(() => undefined)
      : Array.isArray(baselines)
        ? baselines
        : [baselines as Baseline];
  if (list.length !== xs.length)
    throw new ExplainError(`baselines: expected one per input (${xs.length}), got ${list.length}`);
  return xs.map((x, i) => {
    const b = list[i];
    if (b === undefined) return zerosLike(x);
    if (typeof b === 'number') return zerosLike(x).add(b);
    if (!(b instanceof Tensor)) throw new ExplainError(`baselines[${i}]: expected a number or a tensor`);
    try {
      return b.to(x.dtype).expand(x.shape).contiguous();
    } catch {
      throw new ShapeError(
        `baselines[${i}]: shape ${fmtShape(b.shape)} does not broadcast to the input's ${fmtShape(x.shape)}`,
      );
    }
  });
}

/** Gradients of sum_i score_i with respect to `xs` (fresh leaves), with the [B] scores. */
export function gradOfTarget(
  forward: ForwardFn,
  xs: readonly Tensor[],
  idx: TargetIndices,
  extra: readonly unknown[] = [],
  wrapForward: <T>(fn: () => T) => T = (fn) => fn(),
): { grads: Tensor[]; scores: Tensor } {
  return enableGrad(() => {
    const leaves = xs.map((x) => x.detach().requiresGrad_());
    const out = wrapForward(() => callForward(forward, leaves, extra));
    const scores = selectTarget(out, idx);
    const grads = grad(scores.sum(), leaves, { allowUnused: true });
    return {
      grads: grads.map((g, i) => g ?? zerosLike(leaves[i])),
      scores: scores.detach(),
    };
  });
}

/** Per-example sum over every non-batch dim of each tensor, added across tensors: [B]. */
export function sumPerExample(ts: readonly Tensor[]): Tensor {
  let acc: Tensor | null = null;
  for (const t of ts) {
    const s = t.ndim > 1 ? t.reshape([t.shape[0], -1]).sum(1) : t;
    acc = acc ? acc.add(s) : s;
  }
  return acc!;
}

/** Checks a positive integer option. */
export function positiveInt(v: number | undefined, dflt: number, what: string): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError(`${what}: expected a positive integer, got ${v}`);
  return n;
}
