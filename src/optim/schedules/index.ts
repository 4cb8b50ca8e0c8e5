// Learning-rate schedules: PyTorch's schedulers (chainable step semantics) plus a linear warm-up helper.
export { LRScheduler, type Schedule } from './base.js';
export { StepLR, MultiStepLR, ExponentialLR } from './step.js';
export { LambdaLR, type LrLambda } from './lambda.js';
export { CosineAnnealingLR, CosineAnnealingWarmRestarts } from './cosine.js';
export { LinearLR, linearWarmup, type LinearLROptions } from './linear.js';
export { OneCycleLR, type OneCycleOptions } from './one-cycle.js';
export { ReduceLROnPlateau, type PlateauOptions } from './plateau.js';
export { SequentialLR, ChainedScheduler } from './compose.js';
export {
  regimeAdaptation,
  milestoneMultiplier,
  SampleCountLR,
  type Regime,
  type SampleMultiplier,
  type SampleCountOptions,
} from './regime.js';
export { medianFilter1d, refinedSchedule, type RefinedScheduleOptions } from './refined.js';
