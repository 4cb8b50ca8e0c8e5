// Direct Feedback Alignment (Nøkland 2016) and its sign-concordant variant: the output error reaches each hidden layer through a fixed random matrix.
import type { Module } from '../nn/module.js';
import {
  createFeedbackLearner,
  feedbackPlan,
  type FeedbackLearner,
  type FeedbackOptions,
} from './feedback.js';
import type { LearningRule, TaskSpec } from './types.js';

/** Options of `gl.rules.dfa`. */
export interface DFAOptions extends FeedbackOptions {
  /** sDFA: project sign(E) / N instead of the error E itself. */
  sign?: boolean;
}

/** The `dfa` rule: its learners are FeedbackLearners. */
export interface DFARule extends LearningRule<DFAOptions> {
  create(model: Module, task: TaskSpec, options?: DFAOptions): FeedbackLearner;
}

/**
 * DFA: one forward pass; each hidden layer's output gradient is replaced (a `gl.customGrad` identity)
 * by the output error E = ∂L/∂logits (read by a `registerHook` on the logits) times a fixed random
 * B_k drawn from the seeded `generator`; the output layer gets its true gradient. `sign: true` gives
 * sDFA, `shallow: true` the frozen-hidden baseline. Adam lr 1e-3 by default.
 * @example
 * const learner = gl.rules.dfa.create(model, task, { generator: new gl.Generator(7) });
 * await learner.step(x, y);
 */
export const dfa: DFARule = {
  name: 'dfa',
  summary: 'direct feedback alignment: output error sent to every hidden layer by fixed random matrices',
  source:
    'Nøkland 2016, Direct Feedback Alignment Provides Learning in Deep Neural Networks (arXiv 1609.01596)',
  check(model: Module, task: TaskSpec): void {
    feedbackPlan('dfa', model, task);
  },
  create(model: Module, task: TaskSpec, options: DFAOptions = {}): FeedbackLearner {
    return createFeedbackLearner('dfa', model, task, options.sign ? 'sdfa' : 'dfa', options);
  },
};
