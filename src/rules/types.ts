// The LearningRule interface: how a model's parameters get their update from a batch, and what one step costs.
import type { Generator } from '../core/random/generator.js';
import type { Tensor } from '../core/tensor.js';
import type { Module } from '../nn/module.js';
import type { Parameter } from '../nn/parameter.js';

/** What a learner is asked to learn: supervised classification or regression on fixed-size inputs. */
export interface TaskSpec {
  /** Shape of one input example, without the batch dimension (`[64]` for flat 8×8 digits, `[1, 28, 28]` for images). */
  inputShape: readonly number[];
  /** Number of classes (classification) or output values (regression). */
  outputs: number;
  /** Supervised classification (int labels) or regression (float targets). */
  kind: 'classification' | 'regression';
}

/** Options every rule takes; rules add their own (see each rule's options type). */
export interface CommonRuleOptions {
  /** Learning rate of the rule's optimizer(s) (each rule documents its default). */
  lr?: number;
  /** Optimizer of the rule's gradient-like updates: `'adam'` (default) or `'sgd'`. */
  optimizer?: 'adam' | 'sgd';
  /** Random stream of the rule's own draws (feedback matrices, negatives, mutations); replayable. Default: a fresh `Generator(0)`. */
  generator?: Generator;
}

/** What one step did, measured while it ran (see `measureStep`). */
export interface StepStats {
  /** Backward walks started by the step (`backward()` and `gl.grad` calls). 0 for backprop-free rules. */
  backwardCalls: number;
  /** The largest number of graph nodes one of those walks differentiated. */
  largestBackwardOps: number;
  /** Peak bytes the autograd tape held for backward during the step (the memory timeline's saved bytes). */
  peakSavedBytes: number;
  /** Parameter tensors the step changed. */
  paramsUpdated: number;
  /** Forward passes over the batch the step made (FF: positive + negative passes; GA: one per genome). */
  forwardPasses: number;
}

/** What `learner.step(x, y)` returns. */
export interface StepResult {
  /** The rule's own training objective on the batch (FF: goodness loss; BP: cross-entropy), read back from the device. */
  loss: number;
  /** What the step did (see StepStats). */
  stats: StepStats;
}

/**
 * A model being trained by one rule: created by `rule.create(model, task, options)`.
 * @example
 * const learner = gl.rules.bp.create(model, { inputShape: [64], outputs: 10, kind: 'classification' });
 * const { loss, stats } = await learner.step(x, y);
 * const scores = learner.predict(xTest); // [N, 10]; argmax is the predicted class
 */
export interface Learner {
  /** The rule's name (its key in `gl.rules.RULES`). */
  readonly rule: string;
  /** One update from the batch `x` ([N, ...inputShape]) with targets `y` (int class labels [N], or [N, outputs] for regression). */
  step(x: Tensor, y: Tensor): Promise<StepResult>;
  /** Scores for every class ([N, outputs]) under the rule's own prediction mode; no graph is recorded. */
  predict(x: Tensor): Tensor;
  /** The parameters the rule trains (of the model and of any auxiliary networks it owns). */
  parameters(): Parameter[];
  /** Frees what the rule owns besides the model (auxiliary nets, feedback matrices, optimizer state). */
  dispose(): void;
}

/**
 * A learning rule: checks a model before training and builds a learner for it.
 * @example
 * gl.rules.dfa.check(model, task); // throws RuleModelError when DFA cannot train this model
 * const learner = gl.rules.dfa.create(model, task, { lr: 1e-3 });
 */
export interface LearningRule<O extends CommonRuleOptions = CommonRuleOptions> {
  /** The rule's name, as `gradlab compare --rules` spells it. */
  readonly name: string;
  /** One line: what the rule does. */
  readonly summary: string;
  /** The paper it comes from (`papers.ts` id or a citation). */
  readonly source: string;
  /** Throws a RuleModelError (one line: what the rule needs, what the model has) when it cannot train this model on this task. */
  check(model: Module, task: TaskSpec): void;
  /** A learner for `model` (trained in place). Calls `check` first. */
  create(model: Module, task: TaskSpec, options?: O): Learner;
}
