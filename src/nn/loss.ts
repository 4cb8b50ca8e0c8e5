// Loss functions as modules (CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, BCEWithLogitsLoss, KLDivLoss).
import type { Tensor } from '../core/tensor.js';
import {
  bceWithLogits,
  crossEntropy,
  klDiv,
  l1Loss,
  mseLoss,
  nllLoss,
  smoothL1Loss,
  type CrossEntropyOptions,
  type NllOptions,
  type Reduction,
} from '../ops/losses.js';
import { Module } from './module.js';

/**
 * Cross-entropy of logits against class indices (int32) or probabilities.
 * @example const loss = new gl.nn.CrossEntropyLoss().forward(logits, labels);
 */
export class CrossEntropyLoss extends Module {
  /** @param opts - Options passed to `gl.crossEntropy` (reduction, ignoreIndex, labelSmoothing, weight...). */
  constructor(readonly opts: CrossEntropyOptions = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.opts);
  }
}

/**
 * Negative log-likelihood of log-probabilities against class indices.
 * @example
 * const logProbs = gl.logSoftmax(gl.randn([4, 10]), 1);
 * new gl.nn.NLLLoss().forward(logProbs, gl.tensor([1, 0, 4, 9], { dtype: 'int32' }));
 */
export class NLLLoss extends Module {
  /** @param opts - Options passed to `gl.nllLoss`. */
  constructor(readonly opts: NllOptions = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.opts);
  }
}

/**
 * Mean squared error.
 * @example new gl.nn.MSELoss().forward(gl.tensor([1, 2]), gl.tensor([1, 4])); // 2
 */
export class MSELoss extends Module {
  /** @param opts - Options passed to `gl.mseLoss`. */
  constructor(
    readonly opts: {
      /** 'mean' (default), 'sum' or 'none'. */
      reduction?: Reduction;
    } = {},
  ) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.opts);
  }
}

/**
 * Mean absolute error.
 * @example new gl.nn.L1Loss({ reduction: 'sum' }).forward(gl.tensor([1, 2]), gl.tensor([1, 4])); // 2
 */
export class L1Loss extends Module {
  /** @param opts - Options passed to `gl.l1Loss`. */
  constructor(
    readonly opts: {
      /** 'mean' (default), 'sum' or 'none'. */
      reduction?: Reduction;
    } = {},
  ) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.opts);
  }
}

/**
 * Smooth L1 (Huber-like) loss.
 * @example new gl.nn.SmoothL1Loss({ beta: 1 }).forward(gl.tensor([0, 0]), gl.tensor([0.5, 3])); // 1.3125
 */
export class SmoothL1Loss extends Module {
  /** @param opts - Options passed to `gl.smoothL1Loss`. */
  constructor(
    readonly opts: {
      /** 'mean' (default), 'sum' or 'none'. */
      reduction?: Reduction;
      /** Where the loss turns from quadratic to linear (default 1; 0 gives L1). */
      beta?: number;
    } = {},
  ) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, this.opts);
  }
}

/**
 * Binary cross-entropy on logits.
 * @example new gl.nn.BCEWithLogitsLoss().forward(gl.tensor([0, 2]), gl.tensor([1, 1])); // mean(log 2, log(1 + e^-2))
 */
export class BCEWithLogitsLoss extends Module {
  /** @param opts - Options passed to `gl.bceWithLogits`. */
  constructor(
    readonly opts: {
      /** Weight of each element's loss (broadcast against the input). */
      weight?: Tensor | null;
      /** Weight of the positive term (broadcast against the target; e.g. one per class). */
      posWeight?: Tensor | null;
      /** 'mean' (default), 'sum' or 'none'. */
      reduction?: Reduction;
    } = {},
  ) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return bceWithLogits(input, target, this.opts);
  }
}

/**
 * KL divergence with log-probability input.
 * @example
 * const logP = gl.logSoftmax(gl.randn([4, 10]), 1);
 * new gl.nn.KLDivLoss({ reduction: 'batchmean' }).forward(logP, gl.softmax(gl.randn([4, 10]), 1));
 */
export class KLDivLoss extends Module {
  /** @param opts - Options passed to `gl.klDiv`. */
  constructor(
    readonly opts: {
      /** 'mean' (default, over elements), 'sum', 'none', or 'batchmean' (sum / batch size: the true KL). */
      reduction?: Reduction | 'batchmean';
      /** The target holds log-probabilities (else probabilities). */
      logTarget?: boolean;
    } = {},
  ) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, this.opts);
  }
}
