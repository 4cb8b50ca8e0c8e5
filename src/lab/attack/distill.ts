// Defensive distillation (Papernot et al. 2016): temperature softmax training, soft labels, the soft-target cross-entropy.
import { noGrad } from '../../core/state.js';
import { fmtShape } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { crossEntropy } from '../../ops/losses.js';
import { softmax } from '../../ops/nn.js';
import { isFloat } from '../../core/dtype.js';
import { AttackOptionError } from './errors.js';
import { positive, withEvalMode, type AttackModel } from './model.js';
import { ShapeError } from '../../core/errors.js';

/**
 * The soft-target cross-entropy at temperature T: mean over the batch of −Σ_j t_j log softmax(z / T)_j
 * (no T² factor: Papernot's distillation trains with exactly this loss).
 * @example const loss = gl.attacks.softTargetCrossEntropy(logits, softLabels, { temperature: 20 });
 */
export function softTargetCrossEntropy(
  logits: Tensor,
  targets: Tensor,
  opts: { temperature?: number } = {},
): Tensor {
  const T = positive('softTargetCrossEntropy', 'temperature', opts.temperature ?? 1);
  if (!isFloat(targets.dtype) || targets.shape.join() !== logits.shape.join())
    throw new ShapeError(
      `softTargetCrossEntropy: targets must be float probabilities of the logits' shape ${fmtShape(logits.shape)}, got ${targets.dtype} ${fmtShape(targets.shape)}`,
    );
  return crossEntropy(T === 1 ? logits : logits.div(T), targets);
}

/**
 * The loss of training at temperature T, for `gl.train` (`loss:` option): cross-entropy of softmax(z / T)
 * against int32 labels (the teacher) or against soft labels given as float probabilities (the student).
 * @example const trainer = new gl.train.Trainer({ model, optimizer, loss: gl.attacks.temperatureLoss(50) });
 */
export function temperatureLoss(temperature: number): (logits: Tensor, target: Tensor) => Tensor {
  const T = positive('temperatureLoss', 'temperature', temperature);
  return (z, t) =>
    isFloat(t.dtype) ? softTargetCrossEntropy(z, t, { temperature: T }) : crossEntropy(z.div(T), t);
}

/**
 * The teacher's soft labels softmax(Z(x) / T), computed in eval mode without gradients.
 * @example const soft = gl.attacks.softLabels(teacher, xTrain, 50);
 */
export function softLabels(teacher: AttackModel, x: Tensor, temperature: number): Tensor {
  const T = positive('softLabels', 'temperature', temperature);
  const call = typeof teacher === 'function' ? teacher : (t: Tensor) => teacher.forward(t) as Tensor;
  return withEvalMode(teacher, () => noGrad(() => softmax(call(x).div(T), 1)));
}

/**
 * Fraction of the entries of an input gradient that are exactly zero: the float32 saturation (gradient
 * masking) of a distilled network deployed at T = 1 shows up here.
 * @example const frac = gl.attacks.zeroFraction(gl.attacks.inputGradient(model, x, (z) => gl.crossEntropy(z, y)));
 */
export function zeroFraction(g: Tensor): number {
  if (g.numel === 0) throw new AttackOptionError('zeroFraction: the tensor is empty');
  const d = g.dataSync();
  let zeros = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === 0) zeros++;
  return zeros / d.length;
}
