// The model an attack sees: eval mode (restored afterwards), input normalization applied inside, shapes and labels checked.
import { fmtShape } from '../../core/errors.js';
import { checkIndexRange } from '../../core/index-check.js';
import { grad } from '../../core/functional.js';
import { enableGrad } from '../../core/state.js';
import { isFloat } from '../../core/dtype.js';
import { Tensor } from '../../core/tensor.js';
import type { Module } from '../../nn/module.js';
import { tensor } from '../../ops/tensor-like.js';
import { AttackInputError, AttackLabelError, AttackOptionError, ModelOutputError } from './errors.js';

/** What an attack attacks: an nn.Module or any function from an input batch to logits [N, classes]. */
export type AttackModel = Module | ((x: Tensor) => Tensor);

/**
 * Per-channel input normalization the model expects: the attack keeps inputs in [0, 1] and feeds the
 * model `(x - mean) / std` (channels along dim 1; a number applies to every channel), as torchattacks'
 * `set_normalization_used(mean, std)`.
 */
export interface Normalization {
  /** Per-channel mean (or one number for all channels). */
  mean: number | readonly number[];
  /** Per-channel standard deviation, > 0 (or one number for all channels). */
  std: number | readonly number[];
}

/** Options every attack takes. */
export interface CommonAttackOptions {
  /** Normalization applied inside the model call (inputs and outputs of the attack stay in [0, 1]). */
  normalization?: Normalization;
}

function isModule(m: AttackModel): m is Module {
  return typeof m === 'object' && m !== null && typeof (m as Module).forward === 'function';
}

/**
 * Runs `fn` with `model` in eval mode (when it is a Module) and restores its previous mode, also on error.
 * @example const out = gl.attacks.withEvalMode(model, () => model.forward(x));
 */
export function withEvalMode<T>(model: AttackModel, fn: () => T): T {
  if (!isModule(model)) return fn();
  const was = model.training;
  model.eval();
  try {
    return fn();
  } finally {
    model.train(was);
  }
}

/** A channel-broadcastable tensor [1, C, 1, ...] of `v` for inputs of shape `shape`. */
function channelTensor(
  v: number | readonly number[],
  shape: readonly number[],
  x: Tensor,
  what: string,
): Tensor {
  if (typeof v === 'number') return tensor(v, { dtype: x.dtype });
  const c = shape[1];
  if (v.length !== c)
    throw new AttackOptionError(
      `normalization.${what}: expected ${c} values (one per channel of inputs ${fmtShape(shape)}), got ${v.length}`,
    );
  return tensor([...v], { dtype: x.dtype }).reshape([1, c, ...shape.slice(2).map(() => 1)]);
}

/** The checked forward pass attacks call: normalization applied, output shape [N, classes] checked. */
export interface AttackForward {
  /** Logits of inputs in [0, 1]. */
  (x: Tensor): Tensor;
  /** The number of classes the model returned on the first call. */
  readonly classes: number;
}

/**
 * Wraps a model for an attack: applies normalization, checks that `x` is a float batch in [0, 1], that the
 * model returns [N, classes], and that the labels `y` are int32 [N] in [0, classes).
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * const f = gl.attacks.attackForward('myAttack', model, gl.rand([2, 4]), gl.tensor([0, 2], { dtype: 'int32' }), {});
 * // the inputs and labels are checked; f(xAdv) runs the (normalised) model and checks its logits
 */
export function attackForward(
  op: string,
  model: AttackModel,
  x: Tensor,
  y: Tensor | null,
  opts: CommonAttackOptions,
): AttackForward {
  checkInputs(op, x);
  const norm = opts.normalization;
  const mean = norm ? channelTensor(norm.mean, x.shape, x, 'mean') : null;
  const std = norm ? channelTensor(norm.std, x.shape, x, 'std') : null;
  if (std && std.dataSync().some((s) => !(s > 0)))
    throw new AttackOptionError(`${op}: normalization.std must be > 0, got ${fmtList(norm!.std)}`);
  const call = isModule(model) ? (t: Tensor) => model.forward(t) as Tensor : model;
  const f = (t: Tensor): Tensor => {
    const out = call(mean && std ? t.sub(mean).div(std) : t);
    if (!(out instanceof Tensor) || out.ndim !== 2 || out.shape[0] !== t.shape[0])
      throw new ModelOutputError(
        `${op}: the model must return logits [N, classes] for a batch of N = ${t.shape[0]} inputs, got ${out instanceof Tensor ? fmtShape(out.shape) : typeof out}`,
      );
    return out;
  };
  const first = withEvalMode(model, () => enableGrad(() => f(x.detach())));
  const classes = first.shape[1];
  first.dispose();
  if (y) checkLabels(op, y, x.shape[0], classes, 'labels');
  return Object.assign(f, { classes });
}

function fmtList(v: number | readonly number[]): string {
  return typeof v === 'number' ? String(v) : `[${v.join(', ')}]`;
}

/** Throws AttackInputError unless `x` is a float batch [N, ...] with every value in [0, 1]. */
export function checkInputs(op: string, x: Tensor): void {
  if (!(x instanceof Tensor)) throw new AttackInputError(`${op}: expected an input tensor, got ${typeof x}`);
  if (!isFloat(x.dtype))
    throw new AttackInputError(`${op}: inputs must be float32 or float64, got ${x.dtype}`);
  if (x.ndim < 2 || x.shape[0] === 0)
    throw new AttackInputError(`${op}: inputs must be a non-empty batch [N, ...], got ${fmtShape(x.shape)}`);
  if (x.storage.backend.capabilities.syncRead) {
    const d = x.dataSync();
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (Number.isNaN(v)) {
        lo = NaN;
        break;
      }
    }
    if (!(lo >= 0 && hi <= 1))
      throw new AttackInputError(
        `${op}: inputs must lie in [0, 1] (pass the model's normalization as { normalization: { mean, std } }), got values in [${lo}, ${hi}]`,
      );
  }
}

/** Throws AttackLabelError unless `y` is int32 [n] with values in [0, classes). */
export function checkLabels(op: string, y: Tensor, n: number, classes: number, what: string): void {
  if (!(y instanceof Tensor) || y.dtype !== 'int32' || y.ndim !== 1 || y.shape[0] !== n)
    throw new AttackLabelError(
      `${op}: ${what} must be int32 class indices of shape [${n}], got ${y instanceof Tensor ? `${y.dtype} ${fmtShape(y.shape)}` : typeof y}`,
    );
  if (y.storage.backend.capabilities.syncRead) {
    const d = y.dataSync();
    for (let i = 0; i < d.length; i++)
      if (!(d[i] >= 0 && d[i] < classes))
        throw new AttackLabelError(
          `${op}: ${what} must lie in [0, ${classes}) (the model returns ${classes} logits), got ${d[i]} at position ${i}`,
        );
    return;
  }
  checkIndexRange(y, { op, size: classes });
}

/**
 * The gradient of `loss(logits(x))` with respect to `x` alone: parameters' `.grad` are left untouched.
 * @example const g = gl.attacks.inputGradient(model, x, (z) => gl.crossEntropy(z, y));
 */
export function inputGradient(
  model: AttackModel | AttackForward,
  x: Tensor,
  loss: (logits: Tensor) => Tensor,
): Tensor {
  const f = isModule(model) ? (t: Tensor) => model.forward(t) as Tensor : model;
  const leaf = x.detach().requiresGrad_();
  return enableGrad(() => {
    const l = loss(f(leaf));
    const [g] = grad([l], [leaf], { allowUnused: true });
    return g ?? leaf.mul(0).detach();
  });
}

/** Throws AttackOptionError unless `v` is a finite number ≥ 0. */
export function nonNegative(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new AttackOptionError(`${op}: ${name} must be a finite number >= 0, got ${v}`);
  return v;
}

/** Throws AttackOptionError unless `v` is a finite number > 0. */
export function positive(op: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new AttackOptionError(`${op}: ${name} must be a finite number > 0, got ${v}`);
  return v;
}

/** Throws AttackOptionError unless `v` is an integer ≥ 1. */
export function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new AttackOptionError(`${op}: ${name} must be an integer >= 1, got ${v}`);
  return v;
}
