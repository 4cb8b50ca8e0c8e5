// The core layer's fused entries (gradients the VJP rules use), one per name: a missing entry does not compile.
import { conv2dInputGradEntry, conv2dWeightGradEntry } from './conv-grad.js';
import type { FusedKernelTypes, MapKernel } from './fused-kernels.js';
import type { MapEntry } from './fused.js';
import { expressionEntry } from './fused-map.js';
import { matmulEpilogueEntry } from './matmul-epilogue.js';
import { conv2dEpilogueEntry } from './conv2d-epilogue.js';

/** The entries defined in core; ops/fused-cross-entropy.ts and optim/updates.ts hold the others. */
export type CoreFused =
  'expression' | 'conv2dInputGrad' | 'conv2dWeightGrad' | 'matmulEpilogue' | 'conv2dEpilogue';

/** Every core entry: its infer step and its composite (the kernels are the backends'). */
export const coreFusedTable: {
  [K in CoreFused]: FusedKernelTypes[K] extends MapKernel<infer P> ? MapEntry<P> : never;
} = {
  expression: expressionEntry,
  conv2dInputGrad: conv2dInputGradEntry,
  conv2dWeightGrad: conv2dWeightGradEntry,
  matmulEpilogue: matmulEpilogueEntry,
  conv2dEpilogue: conv2dEpilogueEntry,
};
