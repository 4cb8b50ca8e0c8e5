// The vmap transformation's public surface.
export { vmap, type VmapOptions, type Dims } from './vmap.js';
export type { Randomness } from './batched.js';
export { batchRules } from './rules.js';
export type { BatchRule, BatchRuleTable, BatchArg } from './rule-types.js';
