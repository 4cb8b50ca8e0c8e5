// One in-place update function per optimizer and parameter (PyTorch 1.13's formulas), replaceable by fused kernels.
import type { FusedSgdHyper } from '../backends/backend.js';
import { keep, type Tensor } from '../core/tensor.js';
import { abs, add, div, maximum, mul, neg, sqrt, sub } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { clone } from '../ops/shape.js';
import type { ParamState } from './types.js';

/** SGD's hyper-parameters: the same record the backends' fused SGD step takes. */
export type SGDHyper = FusedSgdHyper;

/** Adam's and AdamW's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface AdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** RMSprop's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface RMSpropHyper {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** Adagrad's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface AdagradHyper {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** Adamax's hyper-parameters (PyTorch's, camelCase): one parameter group's record. */
export interface AdamaxHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
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

/** Marks tensors written by a fused backend kernel as modified (as an in-place op would). */
function bumpVersions(...ts: (Tensor | undefined)[]): void {
  for (const t of ts) if (t) t._version.value++;
}

function sgd(p: Tensor, g: Tensor, s: ParamState, h: SGDHyper): void {
  const fused = p.storage.backend.fusedOptimizer;
  const existing = s.momentum_buffer as Tensor | undefined;
  if (fused && (h.momentum === 0 || existing) && fused.sgd(p, g, h.momentum === 0 ? null : existing!, h)) {
    bumpVersions(p, h.momentum === 0 ? undefined : existing);
    return;
  }
  let d = effectiveGrad(p, g, h);
  if (h.momentum !== 0) {
    let buf = s.momentum_buffer as Tensor | undefined;
    if (!buf) s.momentum_buffer = buf = keep(clone(d));
    else copyInto(buf, add(mul(buf, h.momentum), d, { alpha: 1 - h.dampening }));
    d = h.nesterov ? add(d, buf, { alpha: h.momentum }) : buf;
  }
  copyInto(p, add(p, d, { alpha: -h.lr }));
}

/** Adam's moment updates and the parameter step (shared by Adam and AdamW). */
function adamStep(p: Tensor, d: Tensor, s: ParamState, h: AdamHyper): void {
  const [b1, b2] = h.betas;
  const step = (s.step as number) + 1;
  s.step = step;
  ema(T(s, 'exp_avg'), d, b1);
  const v = T(s, 'exp_avg_sq');
  copyInto(v, add(mul(v, b2), mul(d, d), { alpha: 1 - b2 }));
  let vHat = v;
  if (h.amsgrad) vHat = copyInto(T(s, 'max_exp_avg_sq'), maximum(T(s, 'max_exp_avg_sq'), v));
  const stepSize = h.lr / (1 - b1 ** step);
  const denom = add(div(sqrt(vHat), Math.sqrt(1 - b2 ** step)), h.eps);
  copyInto(p, add(p, div(T(s, 'exp_avg'), denom), { alpha: -stepSize }));
}

/** Adam/AdamW in one pass on backends that fuse it (not AMSGrad); false when the ops must run. */
function fusedAdam(p: Tensor, g: Tensor, s: ParamState, h: AdamHyper, decoupled: boolean): boolean {
  const fused = p.storage.backend.fusedOptimizer;
  if (!fused || h.amsgrad) return false;
  const step = (s.step as number) + 1;
  const m = T(s, 'exp_avg');
  const v = T(s, 'exp_avg_sq');
  if (!fused.adam(p, g, m, v, { ...h, decoupled, step })) return false;
  s.step = step;
  bumpVersions(p, m, v);
  return true;
}

function adam(p: Tensor, g: Tensor, s: ParamState, h: AdamHyper): void {
  if (fusedAdam(p, g, s, h, false)) return;
  adamStep(p, effectiveGrad(p, g, h), s, h);
}

function adamw(p: Tensor, g: Tensor, s: ParamState, h: AdamHyper): void {
  if (fusedAdam(p, g, s, h, true)) return;
  if (h.weightDecay !== 0) copyInto(p, mul(p, 1 - h.lr * h.weightDecay));
  adamStep(p, h.maximize ? neg(g) : g, s, h);
}

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

/**
 * The update functions the optimizers call, one per optimizer. Replace an entry to install a
 * fused implementation (it must keep the same state entries and formulas).
 */
export const updateKernels: {
  sgd: UpdateKernel<SGDHyper>;
  adam: UpdateKernel<AdamHyper>;
  adamw: UpdateKernel<AdamHyper>;
  rmsprop: UpdateKernel<RMSpropHyper>;
  adagrad: UpdateKernel<AdagradHyper>;
  adamax: UpdateKernel<AdamaxHyper>;
} = { sgd, adam, adamw, rmsprop, adagrad, adamax };
