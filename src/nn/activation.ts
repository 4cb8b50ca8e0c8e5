// The core's activations as modules: ReLU, Tanh, Sigmoid, GELU, SiLU, LeakyReLU, ELU, Softplus, Softmax, LogSoftmax.
import type { Tensor } from '../core/tensor.js';
import { elu, gelu, leakyRelu, relu, sigmoid, silu, softplus, tanh } from '../ops/elementwise.js';
import { logSoftmax, softmax } from '../ops/nn.js';
import { Module } from './module.js';

/** max(0, x). @example new gl.nn.ReLU().forward(gl.tensor([-1, 2])); // [0, 2] */
export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/**
 * tanh(x).
 * @example new gl.nn.Tanh().forward(gl.tensor([0, 1])); // [0, 0.762]
 */
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/**
 * 1 / (1 + exp(-x)).
 * @example new gl.nn.Sigmoid().forward(gl.tensor([0])); // [0.5]
 */
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** GELU, exact (erf) or with the tanh approximation. @example new gl.nn.GELU({ approximate: 'tanh' }).forward(gl.tensor([-1, 0, 1])) */
export class GELU extends Module {
  /** 'none': x Φ(x) with the exact erf; 'tanh': the tanh approximation. */
  readonly approximate: 'none' | 'tanh';
  constructor(opts: { approximate?: 'none' | 'tanh' } = {}) {
    super();
    this.approximate = opts.approximate ?? 'none';
  }
  override forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
}

/**
 * x * sigmoid(x) (swish).
 * @example new gl.nn.SiLU().forward(gl.tensor([0, 1])); // [0, 0.731]
 */
export class SiLU extends Module {
  override forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/**
 * max(0, x) + negativeSlope * min(0, x).
 * @example new gl.nn.LeakyReLU(0.2).forward(gl.tensor([-1, 1])); // [-0.2, 1]
 */
export class LeakyReLU extends Module {
  /** @param negativeSlope - Slope for negative inputs. */
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
}

/**
 * x for x > 0, alpha * (exp(x) - 1) otherwise.
 * @example new gl.nn.ELU().forward(gl.tensor([-1, 1])); // [-0.632, 1]
 */
export class ELU extends Module {
  /** @param alpha - Scale of the negative branch. */
  constructor(readonly alpha = 1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
}

/**
 * log(1 + exp(beta x)) / beta, linear above `threshold`.
 * @example new gl.nn.Softplus().forward(gl.tensor([0])); // [0.693]
 */
export class Softplus extends Module {
  /**
   * @param beta - Sharpness: larger is closer to relu.
   * @param threshold - Above beta x = threshold the output is x itself (for stability).
   */
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
}

/** softmax along `dim`. @example new gl.nn.Softmax(-1).forward(gl.tensor([[1, 2, 3]])); // a row that sums to 1 */
export class Softmax extends Module {
  /** @param dim - The dim normalised over (negative counts from the end). */
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
}

/**
 * log(softmax(x)) along `dim`, computed stably.
 * @example new gl.nn.LogSoftmax(1).forward(gl.randn([4, 10])).exp().sum(1); // [1, 1, 1, 1]
 */
export class LogSoftmax extends Module {
  /** @param dim - The dim normalised over (negative counts from the end). */
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
}
