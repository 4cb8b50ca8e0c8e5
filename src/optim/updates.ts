// One in-place update function per optimizer and parameter (PyTorch 1.13's formulas); SGD and Adam/AdamW go
// through the fused entries sgdStep/adamStep (a backend kernel where the backend has one, these ops otherwise).
import type { FusedAdamHyper, FusedSgdHyper } from '../core/fused-kernels.js';
import { countFused, runUpdate, type UpdateEntry } from '../core/fused.js';
import { keep, type Tensor } from '../core/tensor.js';
import { abs, add, div, maximum, mul, neg, sqrt, sub } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { clone } from '../ops/shape.js';
import type { ParamState } from './types.js';

/** SGD's hyper-parameters: the same record the backends' fused SGD step takes. */
export type SGDHyper = FusedSgdHyper;

/** Adam's and AdamW's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface AdamHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rates of the first and second moment averages (β₁, β₂). */
  betas: [number, number];
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** L2 penalty coefficient (AdamW: decoupled decay of the weights). */
  weightDecay: number;
  /** Use the running maximum of the second moment (AMSGrad). */
  amsgrad: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** RMSprop's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface RMSpropHyper {
  /** Learning rate. */
  lr: number;
  /** Smoothing constant of the squared-gradient average. */
  alpha: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** L2 penalty coefficient (AdamW: decoupled decay of the weights). */
  weightDecay: number;
  /** Momentum factor (0 for none). */
  momentum: number;
  /** Normalize by the gradient's estimated variance instead of its second moment. */
  centered: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** Adagrad's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface AdagradHyper {
  /** Learning rate. */
  lr: number;
  /** Learning-rate decay: the step size is lr / (1 + (step − 1) · lrDecay). */
  lrDecay: number;
  /** L2 penalty coefficient (AdamW: decoupled decay of the weights). */
  weightDecay: number;
  /** Starting value of the squared-gradient sums. */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** Adamax's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface AdamaxHyper {
  /** Learning rate. */
  lr: number;
  /** Decay rates of the first and second moment averages (β₁, β₂). */
  betas: [number, number];
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** L2 penalty coefficient (AdamW: decoupled decay of the weights). */
  weightDecay: number;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** Updates `p` (and `state`) in place from its gradient; called under noGrad inside tidy. */
export type UpdateKernel<H> = (p: Tensor, grad: Tensor, state: ParamState, h: H) => void;

const T = (s: ParamState, k: string) => s[k] as Tensor;

/** The gradient with maximize and (L2) weight decay applied. */
function effectiveGrad(p: Tensor, g: Tensor, h: { maximize: boolean; weightDecay: number }): Tensor {
  const d = h.maximize ? neg(g) : g;
  return h.weightDecay !== 0 ? add(d, p, { alpha: h.weightDecay }) : d;
}

/** m <- beta * m + (1 - beta) * x */
const ema = (m: Tensor, x: Tensor, beta: number) => copyInto(m, add(mul(m, beta), x, { alpha: 1 - beta }));

/** SGD's ops on p (and the momentum buffer `buf`, created from the first step's gradient when null). */
function sgdOps(p: Tensor, g: Tensor, buf: Tensor | null, h: SGDHyper): Tensor | null {
  let d = effectiveGrad(p, g, h);
  if (h.momentum !== 0) {
    if (!buf) buf = keep(clone(d));
    else copyInto(buf, add(mul(buf, h.momentum), d, { alpha: 1 - h.dampening }));
    d = h.nesterov ? add(d, buf, { alpha: h.momentum }) : buf;
  }
  copyInto(p, add(p, d, { alpha: -h.lr }));
  return buf;
}

/** The fused entry sgdStep: inputs [p, g] (no momentum) or [p, g, momentumBuffer]. */
export const sgdStepEntry: UpdateEntry<FusedSgdHyper> = {
  writes: ([p, , buf]) => (buf ? [p, buf] : [p]),
  composite: ([p, g, buf], h) => void sgdOps(p, g, buf ?? null, h),
};

function sgd(p: Tensor, g: Tensor, s: ParamState, h: SGDHyper): void {
  const buf = s.momentum_buffer as Tensor | undefined;
  if (h.momentum !== 0 && !buf) {
    // the first momentum step creates the buffer: only the ops do that
    countFused('sgdStep', 'composite');
    s.momentum_buffer = sgdOps(p, g, null, h)!;
    return;
  }
  runUpdate('sgdStep', sgdStepEntry, h.momentum === 0 ? [p, g] : [p, g, buf!], h);
}

/** Adam's moment updates and the parameter step, given the effective gradient d and the step count. */
function adamOps(
  p: Tensor,
  d: Tensor,
  m: Tensor,
  v: Tensor,
  vMax: Tensor | null,
  step: number,
  h: AdamHyper,
): void {
  const [b1, b2] = h.betas;
  ema(m, d, b1);
  copyInto(v, add(mul(v, b2), mul(d, d), { alpha: 1 - b2 }));
  const vHat = vMax ? copyInto(vMax, maximum(vMax, v)) : v;
  const stepSize = h.lr / (1 - b1 ** step);
  const denom = add(div(sqrt(vHat), Math.sqrt(1 - b2 ** step)), h.eps);
  copyInto(p, add(p, div(m, denom), { alpha: -stepSize }));
}

/** Adam (L2 decay) or AdamW (decoupled decay) by the ops; `vMax` is AMSGrad's running maximum. */
function adamComposite(
  p: Tensor,
  g: Tensor,
  m: Tensor,
  v: Tensor,
  vMax: Tensor | null,
  h: FusedAdamHyper & { amsgrad?: boolean },
): void {
  const hyper = { ...h, amsgrad: vMax !== null };
  if (!h.decoupled) return adamOps(p, effectiveGrad(p, g, h), m, v, vMax, h.step, hyper);
  if (h.weightDecay !== 0) copyInto(p, mul(p, 1 - h.lr * h.weightDecay));
  adamOps(p, h.maximize ? neg(g) : g, m, v, vMax, h.step, hyper);
}

/** The fused entry adamStep: inputs [p, g, expAvg, expAvgSq] (AMSGrad is not an entry: it runs the ops). */
export const adamStepEntry: UpdateEntry<FusedAdamHyper> = {
  writes: ([p, , m, v]) => [p, m, v],
  composite: ([p, g, m, v], h) => adamComposite(p, g, m, v, null, h),
};

function adamFamily(p: Tensor, g: Tensor, s: ParamState, h: AdamHyper, decoupled: boolean): void {
  const step = (s.step as number) + 1;
  s.step = step;
  const hyper: FusedAdamHyper = {
    lr: h.lr,
    betas: h.betas,
    eps: h.eps,
    weightDecay: h.weightDecay,
    maximize: h.maximize,
    decoupled,
    step,
  };
  const [m, v] = [T(s, 'exp_avg'), T(s, 'exp_avg_sq')];
  if (h.amsgrad) adamComposite(p, g, m, v, T(s, 'max_exp_avg_sq'), hyper);
  else runUpdate('adamStep', adamStepEntry, [p, g, m, v], hyper);
}

const adam = (p: Tensor, g: Tensor, s: ParamState, h: AdamHyper) => adamFamily(p, g, s, h, false);
const adamw = (p: Tensor, g: Tensor, s: ParamState, h: AdamHyper) => adamFamily(p, g, s, h, true);

function rmsprop(p: Tensor, g: Tensor, s: ParamState, h: RMSpropHyper): void {
  const d = effectiveGrad(p, g, h);
  s.step = (s.step as number) + 1;
  const sq = T(s, 'square_avg');
  copyInto(sq, add(mul(sq, h.alpha), mul(d, d), { alpha: 1 - h.alpha }));
  let avg: Tensor;
  if (h.centered) {
    const ga = ema(T(s, 'grad_avg'), d, h.alpha);
    avg = sqrt(sub(sq, mul(ga, ga)));
  } else avg = sqrt(sq);
  avg = add(avg, h.eps);
  if (h.momentum > 0) {
    const buf = T(s, 'momentum_buffer');
    copyInto(buf, add(mul(buf, h.momentum), div(d, avg)));
    copyInto(p, add(p, buf, { alpha: -h.lr }));
  } else copyInto(p, add(p, div(d, avg), { alpha: -h.lr }));
}

function adagrad(p: Tensor, g: Tensor, s: ParamState, h: AdagradHyper): void {
  const step = (s.step as number) + 1;
  s.step = step;
  const d = effectiveGrad(p, g, h);
  const clr = h.lr / (1 + (step - 1) * h.lrDecay);
  const sum = copyInto(T(s, 'sum'), add(T(s, 'sum'), mul(d, d)));
  copyInto(p, add(p, div(d, add(sqrt(sum), h.eps)), { alpha: -clr }));
}

function adamax(p: Tensor, g: Tensor, s: ParamState, h: AdamaxHyper): void {
  const [b1, b2] = h.betas;
  const step = (s.step as number) + 1;
  s.step = step;
  const d = effectiveGrad(p, g, h);
  const m = ema(T(s, 'exp_avg'), d, b1);
  const u = copyInto(T(s, 'exp_inf'), maximum(mul(T(s, 'exp_inf'), b2), add(abs(d), h.eps)));
  copyInto(p, add(p, div(m, u), { alpha: -h.lr / (1 - b1 ** step) }));
}

/** The update function of each optimizer (a fixed, exhaustive table; backends speed it up through fused entries). */
export interface OptimizerUpdates {
  /** Stochastic gradient descent with momentum, dampening and Nesterov. */
  readonly sgd: UpdateKernel<SGDHyper>;
  /** Adam (L2 weight decay added to the gradient). */
  readonly adam: UpdateKernel<AdamHyper>;
  /** AdamW (decoupled weight decay). */
  readonly adamw: UpdateKernel<AdamHyper>;
  /** RMSprop. */
  readonly rmsprop: UpdateKernel<RMSpropHyper>;
  /** Adagrad. */
  readonly adagrad: UpdateKernel<AdagradHyper>;
  /** Adamax (infinity-norm Adam). */
  readonly adamax: UpdateKernel<AdamaxHyper>;
}

/**
 * The update functions the optimizers call, one per optimizer (frozen: a backend provides a faster
 * update as a fused kernel, see core/fused.ts, not by replacing an entry).
 * @example gl.noGrad(() => gl.optim.updates.sgd(p, g, {}, { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }))
 */
export const updates: OptimizerUpdates = Object.freeze({ sgd, adam, adamw, rmsprop, adagrad, adamax });
