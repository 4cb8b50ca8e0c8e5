// gl.rules: learning rules (backprop and the rules that avoid end-to-end backprop), one typed table of them.
import { auglocal } from './auglocal.js';
import { bp } from './bp.js';
import { es } from './es.js';
import { ga } from './ga.js';
import { dgl } from './dgl.js';
import { ffBlackbox } from './ff-blackbox.js';
import { tpsgd } from './tpsgd.js';
import { dfa } from './dfa.js';
import { drtp } from './drtp.js';
import { ff } from './ff.js';
import { gbnn } from './gbnn.js';
import { convexAdmm } from './convex-admm.js';
import { snnk } from './snnk.js';
import type { LearningRule } from './types.js';

export type { TaskSpec, CommonRuleOptions, StepStats, StepResult, Learner, LearningRule } from './types.js';
export { RuleModelError, BlackBoxGradError } from './errors.js';
export { measureStep, type ForwardCounter } from './measure.js';
export { bp, taskLoss } from './bp.js';
export { ga, type GaOptions, type GaLearner } from './ga.js';
export { es, type EsOptions } from './es.js';
export * as population from './population/index.js';
export { auglocal, auglocalDepths, auglocalSample, type AugLocalOptions } from './auglocal.js';
export { dgl, dglAux } from './dgl.js';
export { BlackBox, blackBox } from './blackbox.js';
export { tpsgd, tpsgdProjections, type TpSGDOptions } from './tpsgd.js';
export { ffBlackbox, cosineGoodness, prependLabels, type PhyFFOptions } from './ff-blackbox.js';
export { ff, type FFRule, type FFOptions, type FFLearner, type FFPredict } from './ff.js';
export {
  overlayLabels,
  wrongLabels,
  permutedLabels,
  goodness,
  ffLayerLoss,
  normalizeRows,
} from './ff-parts.js';
export type { Goodness, FFNorm } from './ff-parts.js';
export { dfa, type DFARule, type DFAOptions } from './dfa.js';
export { drtp, type DRTPRule, type DRTPOptions } from './drtp.js';
export {
  feedbackMatrices,
  type FeedbackOptions,
  type FeedbackLearner,
  type FeedbackSignal,
} from './feedback.js';
export { splitBlocks, type BlockModel, type LinearBlock } from './blocks.js';
export { gbnn, type GbnnOptions, type GbnnStage, type GbnnLearner } from './gbnn.js';
export { convexAdmm, type ConvexAdmmOptions, type ConvexAdmmLearner } from './convex-admm.js';
export {
  solveConvexRelu,
  recoverRelu,
  reluObjective,
  convexObjective,
  activationPatterns,
  withBias,
  type ConvexReluOptions,
  type ConvexReluSolution,
  type PatternChoice,
} from './convex-admm-solver.js';
export { snnk, type SnnkOptions } from './snnk.js';
export { SnnkLinear, type SnnkLinearOptions } from './snnk-layer.js';
export {
  randomProjection,
  features,
  exactKernel,
  orthonormalColumns,
  type ProjectionKind,
  type FeatureKind,
} from './snnk-features.js';

/**
 * Every rule by its `gradlab compare --rules` name. The compiler checks this table against `RuleName`.
 * @example for (const name of gl.rules.RULE_NAMES) console.log(name, gl.rules.RULES[name].summary);
 */
export const RULES = {
  bp,
  ff,
  /** PhyFF: forward-forward through forward-only black-box layers (paper 18). */
  'ff-blackbox': ffBlackbox,
  drtp,
  dfa,
  tpsgd,
  auglocal,
  dgl,
  ga,
  es,
  gbnn,
  /** Convex two-layer ReLU training by ADMM (paper 16). */
  'convex-admm': convexAdmm,
  snnk,
} satisfies Record<string, LearningRule<never>>;

/** A rule's name: a key of `RULES`. */
export type RuleName = keyof typeof RULES;

/** The rules' names in table order. */
export const RULE_NAMES = Object.keys(RULES) as RuleName[];
