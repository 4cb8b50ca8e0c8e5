// gradlab's API that runs anywhere (Node and browsers): tensors, ops, autodiff, nn, optim, data, js and webgpu backends.
import { registerBackend } from './core/backend-registry.js';
import { jsBackend } from './backends/js/index.js';
import { createWebGPUBackend } from './backends/webgpu/index.js';
export { webgpuBackend } from './backends/webgpu/index.js';
export type { WebGPUBackend, GpuMemoryStats, KernelTime } from './backends/webgpu/index.js';
import './ops/methods.js';
import './core/vjp.js'; // installs the VJP rule table into the engine (first, before any op is recorded)

registerBackend('js', () => jsBackend, 0);
// lowest priority: only `await gl.setBackend('webgpu')` (or GRADLAB_BACKEND=webgpu + `await gl.ready()`) selects it
registerBackend('webgpu', createWebGPUBackend, -10, true);

export { Tensor, tidy, keep } from './core/tensor.js';
export type { RemovableHandle } from './core/tensor.js';
export type { DType, TypedArray } from './core/dtype.js';
export * from './core/errors.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, detectAnomaly, scope } from './core/state.js';
export {
  setBackend,
  getBackend,
  availableBackends,
  backendNames,
  backendCapabilities,
  registerBackend,
  ready,
} from './core/backend-registry.js';
export type {
  Backend,
  BackendCapabilities,
  BackendName,
  Storage,
  TensorView,
  KernelTable,
} from './core/backend.js';
export { memory, resetPeakMemory } from './core/memory.js';
export type { MemoryInfo } from './core/memory.js';
export { savedTensorHooks, onSaved } from './core/saved.js';
export type { SavedTensorHooks, SavedObserver, SavedEntryInfo, SavedAccount } from './core/saved.js';
export { checkpoint } from './core/grad-checkpoint.js';
export { customGrad, overrideGrad } from './core/custom.js';
export { gradReverse } from './nn/gradient-reversal.js';
export type { CustomContext, CustomGradDef, GradOverrides } from './core/custom.js';
export { grad, valueAndGrad, vjp, jvp, hvp } from './core/functional.js';
export { vmap, type VmapOptions, type VmapDims, type Randomness } from './core/vmap/index.js';
export { onBackward } from './core/autograd.js';
export type { BackwardOptions, GradOptions, BackwardInfo, BackwardObserver } from './core/autograd.js';
export { graph, savedResiduals } from './core/inspect.js';
export { fusedStats, resetFusedStats, type FusedStats } from './core/fused.js';
export type { FusedKernel } from './core/fused-kernels.js';
export type { GraphNode, Residual } from './core/inspect.js';
export { Generator, manualSeed, defaultGenerator } from './core/random/generator.js';
export type { Primitive, PrimitiveParams } from './core/primitives.js';
export type { VjpRule, SaveContext, BackwardContext } from './core/vjp-types.js';
// types the public API refers to (primitive parameters, kernel tables, hooks), exported for the API reference
export type {
  KernelPrimitive,
  ViewPrimitive,
  ReduceParams,
  Conv2dParams,
  UnfoldParams,
  FoldParams,
  MaxPoolParams,
  PadSpec,
  RandomParams,
} from './core/primitives.js';
export type { GradThunk } from './core/vjp-types.js';
export type { FusedSgdHyper } from './core/fused-kernels.js';
export type { GradHook } from './core/node.js';
export type { BackendLoader } from './core/backend-registry.js';

export { tensor } from './ops/tensor-like.js';
export type { TensorLike, NestedArray, CreateOptions } from './ops/tensor-like.js';
export * from './ops/creation.js';
export * from './ops/elementwise.js';
export {
  sum,
  mean,
  prod,
  amax,
  amin,
  max,
  min,
  argmax,
  argmin,
  variance as var,
  variance,
  std,
  logsumexp,
  cumsum,
  norm,
} from './ops/reduce.js';
export type { ValuesIndices, VarOptions, Dims } from './ops/reduce.js';
export * from './ops/matmul.js';
export * from './ops/shape.js';
export * from './ops/nn.js';
export * from './ops/losses.js';
export * from './ops/sort.js';
export * from './ops/unfold.js';
export { interpolate } from './ops/interpolate.js';
export type { InterpolateMode, InterpolateOptions } from './ops/interpolate.js';
export type { TensorMethods } from './ops/methods.js';

export * as data from './data/portable.js';
export { serializeSafetensors, parseSafetensors } from './io/safetensors-format.js';
export type { SafetensorsContent } from './io/safetensors-format.js';
export * as nn from './nn/index.js';
export {
  func,
  type Func,
  perExampleGrads,
  PerExampleError,
  type PerExampleGrads,
  type PerExampleStats,
  type PerExampleOptions,
  type PerExampleLoss,
  type PerExampleTarget,
  type JacOptions,
  type NamedTensors,
} from './nn/func/index.js';
export * as optim from './optim/index.js';
export * as lab from './lab/index.js';
export * as testing from './testing/index.js';
export * as rules from './rules/index.js';
export * as envs from './envs/index.js';
export * as distributions from './distributions/index.js';
export * as linalg from './ops/linalg/index.js';
export * as explain from './lab/explain/index.js';
export * as curvature from './lab/curvature/index.js';
export * as attacks from './lab/attack/index.js';
export * as condense from './lab/condense/index.js';
