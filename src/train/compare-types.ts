// Types of gl.train.compare: the arms, the budget, the data, and the per-seed and per-rule results.
import type { Tensor } from '../core/tensor.js';
import type { CommonRuleOptions, LearningRule } from '../rules/types.js';
import type { BUILTIN_MODELS, ModelSpec } from './model-spec.js';

/** Any learning rule, whatever its options type. */
export type AnyRule = LearningRule<any>;

/** One arm of a comparison: a rule (object, or its name in `gl.rules.RULES`), its options and the name shown. */
export interface CompareArm {
  /** The rule, or its name in `gl.rules.RULES`. */
  rule: AnyRule | string;
  /** Name in the results (default: the rule's name); arms' names must differ. */
  name?: string;
  /** The rule's options (its `generator` is set by compare: one per seed, so draws are paired too). */
  options?: Omit<CommonRuleOptions, 'generator'> & Record<string, unknown>;
}

/**
 * How much training every arm gets, the same for all: a number of training examples (`samples`,
 * the default: epochs × train size), of passes over the training set (`epochs`), or of seconds of
 * training steps (`seconds`; evaluation excluded).
 */
export type CompareBudget = SamplesBudget | EpochsBudget | SecondsBudget;

/** Every arm sees exactly `samples` training examples (the last batch is cut to fit). */
export interface SamplesBudget {
  /** The budget's kind. */
  kind: 'samples';
  /** Training examples per arm and seed (an integer >= 1). */
  samples: number;
}

/** Every arm makes `epochs` whole passes over the training set. */
export interface EpochsBudget {
  /** The budget's kind. */
  kind: 'epochs';
  /** Passes per arm and seed (an integer >= 1). */
  epochs: number;
}

/** Every arm trains until its steps have taken `seconds` (the crossing step completes). */
export interface SecondsBudget {
  /** The budget's kind. */
  kind: 'seconds';
  /** Seconds of training steps per arm and seed (> 0). */
  seconds: number;
}

/** The budget kinds, as `--budget` spells them. */
export const BUDGET_KINDS = ['samples', 'epochs', 'seconds'] as const;

/** Train and test sets of a classification task (a `gl.data.loadDataset` result fits). */
export interface CompareData {
  /** The dataset's name, reported in the result. */
  name?: string;
  /** The training set. */
  train: LabelledSet;
  /** The test set (the accuracy is measured on all of it). */
  test: LabelledSet;
  /** Shape of one example without the batch dimension. */
  inputShape: readonly number[];
  /** Number of classes (labels are 0 … numClasses − 1). */
  numClasses: number;
}

/** Examples and their labels. */
export interface LabelledSet {
  /** Examples, [N, ...inputShape]. */
  x: Tensor;
  /** Integer class labels, [N]. */
  y: Tensor;
}

/** Options of `gl.train.compare`. */
export interface CompareOptions {
  /** The arms: rule names, rule objects, or `{ rule, name, options }`. */
  rules: readonly (string | AnyRule | CompareArm)[];
  /** The model every arm trains, built afresh per arm and seed (same seed → same initial weights). */
  model: ModelSpec | keyof typeof BUILTIN_MODELS;
  /** The train and test sets. */
  data: CompareData;
  /** Default: `{ kind: 'samples', samples: 5 × train size }`. */
  budget?: CompareBudget;
  /** Seeds; each seed gives every arm the same initial weights, batch order and rule random stream. Default [0]. */
  seeds?: readonly number[];
  /** Examples per step (default 64). */
  batchSize?: number;
  /** Points of each learning curve (test accuracy at evenly spaced fractions of the budget; default 10). */
  curvePoints?: number;
  /** One untimed step of every arm on a throw-away model before timing, so no arm pays the JIT's warm-up (default true). */
  warmup?: boolean;
  /** Called as the comparison goes (progress, logging); errors it throws stop the comparison. */
  onEvent?: (event: CompareEvent) => void;
}

/** What `onEvent` receives. */
export type CompareEvent = ArmStartEvent | CurvePointEvent | ArmEndEvent;

/** An arm starts training with one seed. */
export interface ArmStartEvent {
  /** The event's kind. */
  type: 'arm-start';
  /** The arm's name. */
  arm: string;
  /** The seed. */
  seed: number;
}

/** A point of an arm's learning curve was measured. */
export interface CurvePointEvent {
  /** The event's kind. */
  type: 'point';
  /** The arm's name. */
  arm: string;
  /** The seed. */
  seed: number;
  /** Steps taken so far. */
  step: number;
  /** Training examples seen so far. */
  examples: number;
  /** Test accuracy now. */
  testAccuracy: number;
  /** Mean of the rule's training loss since the previous point (NaN when none was finite). */
  trainLoss: number;
}

/** An arm finished its budget with one seed. */
export interface ArmEndEvent {
  /** The event's kind. */
  type: 'arm-end';
  /** The arm's name. */
  arm: string;
  /** The seed. */
  seed: number;
  /** What it measured. */
  result: CompareSeedResult;
}

/** A learning curve: test accuracy (and mean training loss since the previous point) by examples seen. */
export interface CompareCurve {
  /** Training examples seen at each point. */
  examples: number[];
  /** Test accuracy at each point. */
  testAccuracy: number[];
  /** The rule's own objective (not comparable across rules: FF's goodness loss is not a cross-entropy). */
  trainLoss: number[];
}

/** One arm trained with one seed. */
export interface CompareSeedResult {
  /** The seed. */
  seed: number;
  /** Test accuracy after the budget. */
  testAccuracy: number;
  /** Training examples the arm saw. */
  examplesSeen: number;
  /** Steps (`learner.step` calls) it made. */
  steps: number;
  /** Seconds spent in `learner.step` (data loading and evaluation excluded). */
  trainSeconds: number;
  /** examplesSeen / train size. */
  epochs: number;
  /** trainSeconds / epochs. */
  secondsPerEpoch: number;
  /** Forward passes over a batch, summed over the steps. */
  forwardPasses: number;
  /** Backward walks, summed over the steps. */
  backwardCalls: number;
  /** The largest per-step peak of saved-for-backward bytes. */
  peakSavedBytes: number;
  /** The largest sub-graph (nodes) one backward walk differentiated. */
  largestBackwardOps: number;
  /** Parameter tensors changed per step (the largest count of a step). */
  paramsUpdated: number;
  /** Test accuracy along the way. */
  curve: CompareCurve;
}

/** Mean and sample standard deviation over seeds (sd 0 with one seed). */
export interface MeanSd {
  /** The mean. */
  mean: number;
  /** The sample standard deviation. */
  sd: number;
}

/** One arm over all seeds. */
export interface CompareRow {
  /** The arm's name (the rule's name unless the arm was given another). */
  rule: string;
  /** The rule's one-line summary. */
  summary: string;
  /** Test accuracy over seeds. */
  testAccuracy: MeanSd;
  /** Seconds of training steps per epoch over seeds. */
  secondsPerEpoch: MeanSd;
  /** The largest per-step peak of saved-for-backward bytes over all steps and seeds. */
  peakSavedBytes: number;
  /** Backward walks per step, averaged over all steps. */
  backwardCallsPerStep: number;
  /** The largest sub-graph (nodes) one backward walk differentiated. */
  largestBackwardOps: number;
  /** The most parameter tensors one step changed. */
  paramsUpdatedPerStep: number;
  /** Forward passes per step, averaged over all steps. */
  forwardPassesPerStep: number;
  /** Forward passes per seed (mean over seeds). */
  forwardPasses: number;
  /** Examples seen per seed (mean over seeds). */
  examplesSeen: number;
  /**
   * Relative to the arm named `bp` (null when there is none): accuracy difference (this − bp), and the
   * ratios this / bp of time per epoch, peak saved bytes and backward calls per step (null where bp's is 0).
   */
  vsBp: VsBp | null;
  /** Per seed, in the order of the seeds. */
  seeds: CompareSeedResult[];
}

/** A row relative to bp's. */
export interface VsBp {
  /** Mean test accuracy minus bp's. */
  testAccuracy: number;
  /** Time per epoch over bp's (null when bp's is 0). */
  secondsPerEpoch: number | null;
  /** Peak saved bytes over bp's (null when bp's is 0). */
  peakSavedBytes: number | null;
  /** Backward calls per step over bp's (null when bp's is 0). */
  backwardCallsPerStep: number | null;
}

/** What `gl.train.compare` returns. */
export interface CompareResult {
  /** One row per arm, in the order of `rules`. */
  rows: CompareRow[];
  /** The budget every arm got. */
  budget: CompareBudget;
  /** The seeds. */
  seeds: number[];
  /** Examples per step. */
  batchSize: number;
  /** Training examples. */
  trainSize: number;
  /** Test examples. */
  testSize: number;
  /** The data's name, if it had one. */
  data: string | null;
}
