// Types of gl.train.compare: the arms, the budget, the data, and the per-seed and per-rule results.
import type { Tensor } from '../core/tensor.js';
import type { CommonRuleOptions, LearningRule } from '../rules/types.js';
import type { BUILTIN_MODELS, ModelSpec } from './model-spec.js';

/** Any learning rule, whatever its options type. */
export type AnyRule = LearningRule<any>;

/** One arm of a comparison: a rule (object, or its name in `gl.rules.RULES`), its options and the name shown. */
export interface CompareArm {
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
export type CompareBudget =
  | { kind: 'samples'; samples: number }
  | { kind: 'epochs'; epochs: number }
  | { kind: 'seconds'; seconds: number };

/** The budget kinds, as `--budget` spells them. */
export const BUDGET_KINDS = ['samples', 'epochs', 'seconds'] as const;

/** Train and test sets of a classification task (a `gl.data.loadDataset` result fits). */
export interface CompareData {
  name?: string;
  train: { x: Tensor; y: Tensor };
  test: { x: Tensor; y: Tensor };
  /** Shape of one example without the batch dimension. */
  inputShape: readonly number[];
  numClasses: number;
}

/** Options of `gl.train.compare`. */
export interface CompareOptions {
  /** The arms: rule names, rule objects, or `{ rule, name, options }`. */
  rules: readonly (string | AnyRule | CompareArm)[];
  /** The model every arm trains, built afresh per arm and seed (same seed → same initial weights). */
  model: ModelSpec | keyof typeof BUILTIN_MODELS;
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
export type CompareEvent =
  | { type: 'arm-start'; arm: string; seed: number }
  | {
      type: 'point';
      arm: string;
      seed: number;
      step: number;
      examples: number;
      testAccuracy: number;
      trainLoss: number;
    }
  | { type: 'arm-end'; arm: string; seed: number; result: CompareSeedResult };

/** A learning curve: test accuracy (and mean training loss since the previous point) by examples seen. */
export interface CompareCurve {
  examples: number[];
  testAccuracy: number[];
  /** The rule's own objective (not comparable across rules: FF's goodness loss is not a cross-entropy). */
  trainLoss: number[];
}

/** One arm trained with one seed. */
export interface CompareSeedResult {
  seed: number;
  testAccuracy: number;
  examplesSeen: number;
  steps: number;
  /** Seconds spent in `learner.step` (data loading and evaluation excluded). */
  trainSeconds: number;
  /** examplesSeen / train size. */
  epochs: number;
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
  curve: CompareCurve;
}

/** Mean and sample standard deviation over seeds (sd 0 with one seed). */
export interface MeanSd {
  mean: number;
  sd: number;
}

/** One arm over all seeds. */
export interface CompareRow {
  rule: string;
  summary: string;
  testAccuracy: MeanSd;
  secondsPerEpoch: MeanSd;
  peakSavedBytes: number;
  backwardCallsPerStep: number;
  largestBackwardOps: number;
  paramsUpdatedPerStep: number;
  forwardPassesPerStep: number;
  /** Forward passes per seed (mean over seeds). */
  forwardPasses: number;
  /** Examples seen per seed (mean over seeds). */
  examplesSeen: number;
  /**
   * Relative to the arm named `bp` (null when there is none): accuracy difference (this − bp), and the
   * ratios this / bp of time per epoch, peak saved bytes and backward calls per step (null where bp's is 0).
   */
  vsBp: {
    testAccuracy: number;
    secondsPerEpoch: number | null;
    peakSavedBytes: number | null;
    backwardCallsPerStep: number | null;
  } | null;
  seeds: CompareSeedResult[];
}

/** What `gl.train.compare` returns. */
export interface CompareResult {
  rows: CompareRow[];
  budget: CompareBudget;
  seeds: number[];
  batchSize: number;
  trainSize: number;
  testSize: number;
  data: string | null;
}
