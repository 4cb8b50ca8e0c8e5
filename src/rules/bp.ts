// Backpropagation, the reference rule: one backward walk over the whole graph per step, one optimizer.
import { ArgumentError } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import { Tensor, tidy } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import { crossEntropy, mseLoss } from '../ops/losses.js';
import { measureStep } from './measure.js';
import { releaseGrads, ruleOptimizer } from './optimizers.js';
import type { CommonRuleOptions, LearningRule, Learner, TaskSpec } from './types.js';
import { RuleModelError } from './errors.js';

/**
 * The training loss of a supervised task: cross-entropy on logits, or mean squared error for regression.
 * @example
 * const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 3, kind: 'classification' };
 * gl.rules.taskLoss(task, gl.randn([2, 3]), gl.tensor([0, 2], { dtype: 'int32' })); // cross-entropy
 */
export function taskLoss(task: TaskSpec, out: Tensor, y: Tensor): Tensor {
  return task.kind === 'classification' ? crossEntropy(out, y) : mseLoss(out, y);
}

/** Throws RuleModelError unless `model` has trainable parameters (every rule that updates parameters needs some). */
export function requireParameters(rule: string, model: Module): void {
  if (model.parameters().filter((p) => p.requiresGrad).length === 0)
    throw new RuleModelError(`${rule}: the model has no trainable parameters`);
}

/**
 * End-to-end backpropagation: forward, the task loss, one `backward()`, one optimizer step (Adam, lr 1e-3 by default).
 * @example
 * const learner = gl.rules.bp.create(model, { inputShape: [64], outputs: 10, kind: 'classification' });
 * await learner.step(x, y);
 */
export const bp: LearningRule<CommonRuleOptions> = {
  name: 'bp',
  summary: 'end-to-end backpropagation (the reference)',
  source: 'Rumelhart, Hinton & Williams 1986',
  check(model: Module, _task: TaskSpec): void {
    if (typeof model?.forward !== 'function') throw new ArgumentError('bp: expected an nn.Module');
    requireParameters('bp', model);
  },
  create(model: Module, task: TaskSpec, options: CommonRuleOptions = {}): Learner {
    bp.check(model, task);
    const params = model.parameters().filter((p) => p.requiresGrad);
    const optimizer = ruleOptimizer(params, options, 1e-3);
    return {
      rule: 'bp',
      async step(x: Tensor, y: Tensor) {
        const { value, stats } = await measureStep(params, (fwd) => {
          releaseGrads(params);
          model.train();
          const loss = tidy(() => {
            fwd.add();
            const l = taskLoss(task, model.forward(x) as Tensor, y);
            l.backward();
            optimizer.step();
            return l.detach();
          });
          return loss;
        });
        const loss = await value.itemAsync();
        value.dispose();
        return { loss, stats };
      },
      predict(x: Tensor): Tensor {
        model.eval();
        return noGrad(() => model.forward(x) as Tensor);
      },
      parameters: () => params,
      dispose(): void {
        releaseGrads(params);
      },
    };
  },
};
