// Direct Random Target Projection (Frenkel et al. 2021): each hidden layer learns from a fixed random projection of the target.
import type { Module } from '../nn/module.js';
import { RuleModelError } from './errors.js';
import {
  createFeedbackLearner,
  feedbackPlan,
  type FeedbackLearner,
  type FeedbackOptions,
} from './feedback.js';
import type { LearningRule, TaskSpec } from './types.js';

/** Options of `gl.rules.drtp`. */
export interface DRTPOptions extends FeedbackOptions {
  /** No update locking: update each hidden layer inside the forward pass, right after it runs (a local backward per layer). */
  inForward?: boolean;
}

function checkTask(task: TaskSpec): void {
  if (task.kind !== 'classification')
    throw new RuleModelError('drtp: needs a classification task (its learning signal is the one-hot target)');
}

/** The `drtp` rule: its learners are FeedbackLearners. */
export interface DRTPRule extends LearningRule<DRTPOptions> {
  create(model: Module, task: TaskSpec, options?: DRTPOptions): FeedbackLearner;
}

/**
 * DRTP: each hidden layer's output gradient is replaced by y*·B_k / N, the one-hot target projected by
 * a fixed random B_k from the seeded `generator` — no error crosses layers, so the signal is known in
 * the forward pass. By default the replacement is a `gl.customGrad` identity and one backward walks
 * the graph (as the paper's code does); `inForward: true` updates each hidden layer during the
 * forward pass. `shallow: true` trains only the output layer. Adam lr 1e-3 by default.
 * @example
 * const learner = gl.rules.drtp.create(model, task, { inForward: true });
 * const { stats } = await learner.step(x, y); // one backward per layer
 */
export const drtp: DRTPRule = {
  name: 'drtp',
  summary: 'direct random target projection: hidden layers learn from a fixed random projection of the label',
  source: 'Frenkel, Lefebvre & Bol 2021, Learning without feedback (arXiv 1909.01311)',
  check(model: Module, task: TaskSpec): void {
    checkTask(task);
    feedbackPlan('drtp', model, task);
  },
  create(model: Module, task: TaskSpec, options: DRTPOptions = {}): FeedbackLearner {
    checkTask(task);
    return createFeedbackLearner('drtp', model, task, 'drtp', options);
  },
};
