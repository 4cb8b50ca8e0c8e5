// gl.train: the Trainer and fit() helper, metrics, callbacks (early stopping), checkpoint files and compare().
export { Trainer, fit } from './trainer.js';
export { DANN, fitDann } from './dann.js';
export type { DannParts, DannLosses, FitDannOptions, DannHistory } from './dann.js';
export type {
  TrainerOptions,
  FitOptions,
  FitResult,
  CheckpointOptions,
  TrainLoader,
  EvalLoader,
} from './trainer.js';
export { LossMetric, Accuracy, resolveMetrics } from './metrics.js';
export type { Metric, JsonValue } from './metrics.js';
export { calibration, ExpectedCalibrationError, NegativeLogLikelihood, AURC } from './calibration.js';
export type { CalibrationReport, ReliabilityBin } from './calibration.js';
export { SelfDistillation } from './pskd.js';
export type { SelfDistillationOptions } from './pskd.js';
export { EarlyStopping } from './callbacks.js';
export type {
  Callback,
  TrainerControl,
  StepInfo,
  EpochInfo,
  CheckpointInfo,
  EarlyStoppingOptions,
} from './callbacks.js';
export {
  CHECKPOINT_FORMAT,
  LATEST_FILE,
  checkpointFileName,
  writeCheckpoint,
  readCheckpoint,
  listCheckpoints,
  resolveCheckpoint,
} from './checkpoint-file.js';
export type { TrainerState, EpochRecord, CheckpointContent } from './checkpoint-file.js';
export { buildModel, parseModelSpec, BUILTIN_MODELS } from './model-spec.js';
export type { ModelSpec, LayerSpec, Width } from './model-spec.js';
export { parseSchedule, SCHEDULE_SYNTAX } from './schedule-spec.js';
export type { BuiltSchedule } from './schedule-spec.js';
export { compare, planCompare, checkBudget, ruleByName } from './compare.js';
export type { ComparePlan, ResolvedArm } from './compare.js';
export { meanSd, summarizeArm } from './compare-stats.js';
export { BUDGET_KINDS } from './compare-types.js';
export type {
  AnyRule,
  CompareArm,
  CompareBudget,
  SamplesBudget,
  EpochsBudget,
  SecondsBudget,
  CompareData,
  LabelledSet,
  CompareOptions,
  CompareEvent,
  ArmStartEvent,
  CurvePointEvent,
  ArmEndEvent,
  CompareCurve,
  CompareSeedResult,
  CompareRow,
  CompareResult,
  MeanSd,
  VsBp,
} from './compare-types.js';
