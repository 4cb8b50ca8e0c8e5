// gl.optim: optimizers, gradient transforms, gradient accumulation and learning-rate schedules.
export { Optimizer, type Params, type OptimizerExtras } from './optimizer.js';
export type {
  BaseHyper,
  GradTransform,
  Json,
  OptimizerStateDict,
  ParamGroup,
  ParamGroupSpec,
  ParamState,
} from './types.js';
export { SGD, type SGDOptions, type SGDHyper } from './sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamHyper } from './adam.js';
export { RMSprop, type RMSpropOptions, type RMSpropHyper } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradHyper } from './adagrad.js';
export { Adamax, type AdamaxOptions, type AdamaxHyper } from './adamax.js';
export { updates, type OptimizerUpdates, type UpdateKernel } from './updates.js';
export {
  clipGradNorm,
  clipGradNormTensor,
  clipGradValue,
  addGradNoise,
  type ClipGradNormOptions,
} from './clip.js';
export {
  chain,
  clipByNorm,
  clipByValue,
  gradNoise,
  gradHook,
  type ClipByNorm,
  type GradNoiseOptions,
  type AnnealedNoiseOptions,
  type GradNoise,
} from './transforms.js';
export { GradientAccumulator, type AccumulateOptions } from './accumulate.js';
export { flattenStateDict, unflattenStateDict, type FlatStateDict } from './state-io.js';
export * from './schedules/index.js';
export { orthogonalPart, projectConflicting, type GradVector } from './surgery.js';
export type { AnyOptimizer } from './schedules/base.js';
