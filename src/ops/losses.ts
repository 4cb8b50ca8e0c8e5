// Loss functions: cross-entropy (indices or probabilities), NLL, MSE, L1, smooth L1, BCE with logits, KL divergence.
import { isFloat } from '../core/dtype.js';
import { scalarTensor } from './tensor-like.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { checkIndexRange } from '../core/index-check.js';
import type { Tensor } from '../core/tensor.js';
import { abs, add, div, exp, gt, log, log1p, lt, mul, ne, neg, relu, sub, where } from './elementwise.js';
import { logSoftmax } from './nn.js';
import { mean, sum } from './reduce.js';
import { gather, indexSelect, reshape, squeeze, unsqueeze } from './shape.js';
import { tryFusedCrossEntropy } from './fused-cross-entropy.js';

/** How a loss reduces over the examples: their mean (default), their sum, or none (one value each). */
export type Reduction = 'mean' | 'sum' | 'none';

function reduce(loss: Tensor, reduction: Reduction = 'mean'): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return sum(loss);
  if (reduction === 'mean') return mean(loss);
  throw new ArgumentError(`reduction must be 'mean', 'sum' or 'none', got '${reduction as string}'`);
}

/** Options of nllLoss (and crossEntropy). */
export interface NllOptions {
  /** A weight per class [C], as PyTorch's `weight` (the mean divides by the summed weights). */
  weight?: Tensor | null;
  /** mean (default), sum or none. */
  reduction?: Reduction;
  /** Targets with this class index add nothing to the loss or the mean's divisor (default -100). */
  ignoreIndex?: number;
}

/** The class dim of an input: 1 for [N, C, ...], 0 for an unbatched [C]. */
const classDim = (x: Tensor) => (x.ndim === 1 ? 0 : 1);

function checkTarget(op: string, input: Tensor, target: Tensor): void {
  const expected = input.shape.filter((_, i) => i !== classDim(input));
  if (target.shape.join() !== expected.join())
    throw new ShapeError(
      `${op}: target shape ${fmtShape(target.shape)} does not fit input ${fmtShape(input.shape)} (expected ${fmtShape(expected)})`,
    );
}

/** Per-element -w[t]·logp[t], the weights used, and the not-ignored mask. */
function pickNll(logp: Tensor, target: Tensor, opts: NllOptions) {
  const d = classDim(logp);
  const ignore = opts.ignoreIndex ?? -100;
  const C = logp.shape[d];
  checkIndexRange(target, { op: 'crossEntropy/nllLoss', size: C, ignore, noun: 'target class' });
  const valid = ne(target, ignore);
  const safe = where(valid, target, 0);
  const picked = squeeze(gather(logp, d, unsqueeze(safe, d)), d);
  const w = opts.weight
    ? reshape(indexSelect(opts.weight, 0, reshape(safe, [safe.numel])), safe.shape)
    : null;
  const weights = where(valid, w ?? scalarTensor(1, logp.dtype, logp), 0);
  return { loss: neg(mul(picked, weights)), weights, valid };
}

/**
 * Negative log-likelihood of int32 class targets given log-probabilities [N, C, ...].
 * @example gl.nllLoss(gl.logSoftmax(logits, 1), labels)
 */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  if (target.dtype !== 'int32')
    throw new DTypeError(`nllLoss: target must hold int32 class indices, got ${target.dtype}`);
  checkTarget('nllLoss', logProbs, target);
  const { loss, weights } = pickNll(logProbs, target, opts);
  const r = opts.reduction ?? 'mean';
  if (r === 'mean') return div(sum(loss), sum(weights));
  return reduce(loss, r);
}

/** Options of crossEntropy: those of nllLoss and label smoothing. */
export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 - s) * target + s / C. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [N, C, ...] against int32 class indices or class probabilities.
 * @example gl.crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  // one fused node where the backend has the kernels and they are exact (webgpu); invalid input falls through
  const fused = tryFusedCrossEntropy(logits, target, {
    weight: opts.weight ?? null,
    reduction: opts.reduction ?? 'mean',
    ignoreIndex: opts.ignoreIndex ?? -100,
    labelSmoothing: opts.labelSmoothing ?? 0,
  });
  if (fused) {
    // the fused kernels take the targets as they are: the range check is the composite's, queued alike
    checkIndexRange(target, {
      op: 'crossEntropy/nllLoss',
      size: logits.shape[1],
      ignore: opts.ignoreIndex ?? -100,
      noun: 'target class',
    });
    return fused;
  }
  const d = classDim(logits);
  const C = logits.shape[d];
  const logp = logSoftmax(logits, d);
  const eps = opts.labelSmoothing ?? 0;
  if (eps < 0 || eps > 1)
    throw new ArgumentError(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const r = opts.reduction ?? 'mean';
  const wShape = logits.shape.map((n, i) => (i === d ? n : 1));
  const wlogp = opts.weight ? mul(logp, reshape(opts.weight, wShape)) : logp;
  if (isFloat(target.dtype)) {
    if (target.shape.join() !== logits.shape.join())
      throw new ShapeError(
        `crossEntropy: probability target ${fmtShape(target.shape)} must match input ${fmtShape(logits.shape)}`,
      );
    const t = eps > 0 ? add(mul(target, 1 - eps), eps / C) : target;
    const loss = neg(sum(mul(wlogp, t), d));
    return reduce(loss, r);
  }
  if (target.dtype !== 'int32')
    throw new DTypeError(
      `crossEntropy: target must be int32 class indices or float probabilities, got ${target.dtype}`,
    );
  checkTarget('crossEntropy', logits, target);
  const { loss: nll, weights, valid } = pickNll(logp, target, opts);
  let loss = nll;
  if (eps > 0) {
    const smooth = where(valid, neg(sum(wlogp, d)), 0);
    loss = add(mul(nll, 1 - eps), mul(smooth, eps / C));
  }
  if (r === 'mean') return div(sum(loss), sum(weights));
  return reduce(loss, r);
}

function checkSame(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.join() !== b.shape.join())
    throw new ShapeError(`${op}: input ${fmtShape(a.shape)} and target ${fmtShape(b.shape)} differ in shape`);
}

/**
 * Mean squared error.
 * @example gl.mseLoss(gl.tensor([1, 2]), gl.tensor([1, 4])); // 2
 */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSame('mseLoss', input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), opts.reduction);
}

/**
 * Mean absolute error.
 * @example gl.l1Loss(gl.tensor([1, 2]), gl.tensor([1, 4])); // 1
 */
export function l1Loss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkSame('l1Loss', input, target);
  return reduce(abs(sub(input, target)), opts.reduction);
}

/**
 * Huber-like loss: 0.5 d²/beta where |d| < beta, |d| - beta/2 elsewhere.
 * @example gl.smoothL1Loss(gl.tensor([0, 0]), gl.tensor([0.5, 3])); // (0.125 + 2.5) / 2 = 1.3125
 */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  opts: { reduction?: Reduction; beta?: number } = {},
): Tensor {
  checkSame('smoothL1Loss', input, target);
  const beta = opts.beta ?? 1;
  const d = abs(sub(input, target));
  if (beta === 0) return reduce(d, opts.reduction);
  return reduce(where(lt(d, beta), div(mul(mul(d, d), 0.5), beta), sub(d, beta / 2)), opts.reduction);
}

/**
 * Binary cross-entropy on logits, stable for large |x|; posWeight scales the positive term.
 * @example gl.bceWithLogits(scores, labels.float())
 */
export function bceWithLogits(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  checkSame('bceWithLogits', input, target);
  const softplusNeg = add(log1p(exp(neg(abs(input)))), relu(neg(input)));
  const logWeight = opts.posWeight ? add(mul(sub(opts.posWeight, 1), target), 1) : null;
  let loss = add(mul(sub(1, target), input), logWeight ? mul(logWeight, softplusNeg) : softplusNeg);
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce(loss, opts.reduction);
}

/**
 * KL divergence with `input` as log-probabilities: target * (log target - input). Use reduction
 * 'batchmean' for the mathematical definition.
 * @example
 * const logP = gl.logSoftmax(gl.randn([4, 10]), 1);
 * const q = gl.softmax(gl.randn([4, 10]), 1);
 * gl.klDiv(logP, q, { reduction: 'batchmean' }); // KL(q || p), as F.kl_div
 */
export function klDiv(
  input: Tensor,
  target: Tensor,
  opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {},
): Tensor {
  const pointwise = opts.logTarget
    ? mul(exp(target), sub(target, input))
    : where(gt(target, 0), mul(target, sub(log(where(gt(target, 0), target, 1)), input)), 0);
  if (opts.reduction === 'batchmean') return div(sum(pointwise), input.ndim ? input.shape[0] : 1);
  return reduce(pointwise, opts.reduction ?? 'mean');
}
