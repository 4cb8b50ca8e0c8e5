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
  constructor(readonly opts: CrossEntropyOptions = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.opts);
  }
}

/** Negative log-likelihood of log-probabilities against class indices. */
export class NLLLoss extends Module {
  constructor(readonly opts: NllOptions = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.opts);
  }
}

/** Mean squared error. */
export class MSELoss extends Module {
  constructor(readonly opts: { reduction?: Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.opts);
  }
}

/** Mean absolute error. */
export class L1Loss extends Module {
  constructor(readonly opts: { reduction?: Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.opts);
  }
}

/** Smooth L1 (Huber-like) loss. */
export class SmoothL1Loss extends Module {
  constructor(readonly opts: { reduction?: Reduction; beta?: number } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, this.opts);
  }
}

/** Binary cross-entropy on logits. */
export class BCEWithLogitsLoss extends Module {
  constructor(
    readonly opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
  ) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return bceWithLogits(input, target, this.opts);
  }
}

/** KL divergence with log-probability input. */
export class KLDivLoss extends Module {
  constructor(readonly opts: { reduction?: Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, this.opts);
  }
}
