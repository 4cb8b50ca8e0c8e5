// Gradient reversal (Ganin & Lempitsky 2015): identity forward, −λ × the gradient backward; DANN's λ and learning-rate schedules.
import { customGrad } from '../core/custom.js';
import { ArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { Module } from './module.js';

function checkLambda(op: string, lambda: number): number {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda))
    throw new ArgumentError(`${op}: lambda must be a finite number, got ${lambda}`);
  return lambda;
}

const reverse = customGrad({
  name: 'gradReverse',
  forward: (_ctx, x: Tensor, lambda: number) => {
    _ctx.lambda = lambda;
    return x;
  },
  backward: (ctx, g) => [g.mul(-(ctx.lambda as number)), null],
});

/**
 * The gradient reversal function: returns `x` unchanged, and in backward multiplies the incoming gradient by −λ
 * (the features learn to fool the head behind it). Differentiable again (its backward is a gradlab op).
 * @example const domainLogits = domainHead.forward(gl.gradReverse(features, 0.5));
 */
export function gradReverse(x: Tensor, lambda = 1): Tensor {
  return reverse(x, checkLambda('gradReverse', lambda));
}

/**
 * The gradient reversal layer as a module; set `lambda` (or call `setLambda`) before each step to follow a
 * schedule such as `dannLambda`.
 * @example
 * const grl = new gl.nn.GradientReversal(0);
 * grl.setLambda(gl.nn.dannLambda(100 / 1000)); // step 100 of 1000
 * const features = grl.forward(gl.randn([2, 3], { requiresGrad: true })); // identity; backward multiplies by -λ
 */
export class GradientReversal extends Module {
  /** The factor of the reversed gradient (the forward pass does not depend on it). */
  lambda: number;
  constructor(lambda = 1) {
    super();
    this.lambda = checkLambda('GradientReversal', lambda);
  }
  /**
   * Sets λ for the following steps; returns this.
   * @example
   * const grl = new gl.nn.GradientReversal(0);
   * for (let step = 0; step < 3; step++) grl.setLambda(gl.nn.dannLambda(step / 3)); // 0 → ~1 over training
   */
  setLambda(lambda: number): this {
    this.lambda = checkLambda('GradientReversal.setLambda', lambda);
    return this;
  }
  override forward(x: Tensor): Tensor {
    return gradReverse(x, this.lambda);
  }
}

function checkProgress(op: string, p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new ArgumentError(`${op}: progress must be a number in [0, 1] (step / total steps), got ${p}`);
  return p;
}

/**
 * DANN's adaptation factor λ_p = 2 / (1 + exp(−γ p)) − 1 at training progress p ∈ [0, 1] (γ = 10 in the paper):
 * 0 at the start, rising to about 1, so the domain signal is ignored while the features are still noise.
 * @example gl.nn.dannLambda(0.5) // 0.9866...
 */
export function dannLambda(progress: number, gamma = 10): number {
  const p = checkProgress('dannLambda', progress);
  return 2 / (1 + Math.exp(-gamma * p)) - 1;
}

/**
 * DANN's learning-rate annealing μ_p = μ₀ / (1 + α p)^β (α = 10, β = 0.75 in the paper).
 * @example gl.nn.dannLearningRate(0.5, 0.01) // 0.01 / 6^0.75
 */
export function dannLearningRate(progress: number, lr0: number, alpha = 10, beta = 0.75): number {
  const p = checkProgress('dannLearningRate', progress);
  return lr0 / Math.pow(1 + alpha * p, beta);
}
