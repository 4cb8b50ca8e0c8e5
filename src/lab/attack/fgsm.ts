// FGSM (Goodfellow et al. 2015) with torchattacks' semantics: one signed-gradient step of size ε, clamped to [0, 1].
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { crossEntropy } from '../../ops/losses.js';
import {
  attackForward,
  inputGradient,
  nonNegative,
  withEvalMode,
  type AttackModel,
  type CommonAttackOptions,
} from './model.js';
import { resolveTargets, type TargetOptions } from './targets.js';

/** The valid input range adversarial inputs are clamped to (default [0, 1]). */
export interface ClampRange {
  /** Smallest valid input value. */
  min: number;
  /** Largest valid input value. */
  max: number;
}

/** Options of `fgsm`. */
export interface FgsmOptions extends CommonAttackOptions, TargetOptions {
  /** L∞ step size (default 8/255, torchattacks' default). */
  eps?: number;
  /** The range adversarial inputs are clamped to (default { min: 0, max: 1 }). */
  clamp?: ClampRange;
}

/**
 * The fast gradient sign method: `x_adv = clamp(x + ε · sign(∇ₓ CE(f(x), y)))`, or for a targeted attack
 * `clamp(x − ε · sign(∇ₓ CE(f(x), target)))`. The model runs in eval mode (its mode is restored) and the
 * parameters' `.grad` are not touched.
 * @example
 * const xAdv = gl.attacks.fgsm(model, x, y, { eps: 0.1 });
 */
export function fgsm(model: AttackModel, x: Tensor, y: Tensor, opts: FgsmOptions = {}): Tensor {
  const eps = nonNegative('fgsm', 'eps', opts.eps ?? 8 / 255);
  const range = opts.clamp ?? { min: 0, max: 1 };
  const f = attackForward('fgsm', model, x, y, opts);
  const target = resolveTargets('fgsm', model, f, x, y, opts.target, opts.generator);
  return withEvalMode(model, () => {
    const g = inputGradient(f, x, (z) => crossEntropy(z, target ?? y));
    return noGrad(() => x.add(g.sign().mul(target ? -eps : eps)).clamp(range.min, range.max));
  });
}
