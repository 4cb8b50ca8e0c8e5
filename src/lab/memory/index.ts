// gl.lab.memory: the memory timeline of a step, module labels, and policies that keep less for backward.
export { profile, MemoryTimeline } from './profile.js';
export type { TimelineEvent, Holder, ModuleRow, TimelineJSON, ProfileOptions } from './profile.js';
export { labelModules } from './labels.js';
export { formatBytes, formatTable } from './table.js';
export {
  segments,
  sqrtSegments,
  everyKth,
  wherePredicate,
  planSegments,
  checkpointSequence,
  applyCheckpointPolicy,
} from './policies.js';
export type { CheckpointPolicy, Segment } from './policies.js';
export { Mesa, mesa, applyMesa } from './mesa.js';
export type { MesaOptions, MesaStats } from './mesa.js';
export { f32ToBf16, bf16ToF32, f32ToF16, f16ToF32 } from './half.js';
export { residentMemory } from './resident.js';
export type { ResidentMemory, ResidentOptions } from './resident.js';
export { logLogSlope, depthSweep } from './scaling.js';
export type { DepthPeak } from './scaling.js';
export { relativeError, policyGradientError, headwiseVsOneGroup, roundingBias } from './mesa-checks.js';
