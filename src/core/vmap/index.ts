// The vmap transformation's public surface.
export { vmap, type VmapOptions, type VmapDims } from './vmap.js';
export type { Randomness } from './batched.js';
export { batchRules } from './rules.js';
export { leaves, mapLeaves, isNode } from './pytree.js';
export type { BatchRule, BatchRuleTable, BatchArg } from './rule-types.js';
