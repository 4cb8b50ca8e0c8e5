// The one entry point of fused kernels: off-tape check, capability lookup, allocation, version bumps, statistics.
import type { TensorView } from './backend.js';
import type { DType } from './dtype.js';
import type { FusedKernel, FusedKernelTypes, MapKernel, UpdateKernel } from './fused-kernels.js';
import { contiguousStrides, numel } from './shape.js';
import { state } from './state.js';
import { Tensor } from './tensor.js';
import { BatchedTensor } from './vmap/batched.js';

/** Entries whose kernel makes one new tensor. */
export type MapFused = {
  [K in FusedKernel]: FusedKernelTypes[K] extends MapKernel<any> ? K : never;
}[FusedKernel];
/** Entries whose kernel updates inputs in place. */
export type UpdateFused = {
  [K in FusedKernel]: FusedKernelTypes[K] extends UpdateKernel<any> ? K : never;
}[FusedKernel];
/** The parameters of an entry. */
export type FusedParams<K extends FusedKernel> =
  FusedKernelTypes[K] extends MapKernel<infer P>
    ? P
    : FusedKernelTypes[K] extends UpdateKernel<infer P>
      ? P
      : never;

/** A map entry: its result's shape and dtype (the infer step) and its composite, built from differentiable ops. */
export interface MapEntry<P> {
  infer(inputs: readonly Tensor[], params: P): { shape: number[]; dtype: DType };
  composite(inputs: readonly Tensor[], params: P): Tensor;
}

/** An update entry: which inputs it writes, and its composite (in-place ops, run off the tape). */
export interface UpdateEntry<P> {
  writes(inputs: readonly Tensor[], params: P): readonly Tensor[];
  composite(inputs: readonly Tensor[], params: P): void;
}

/** How often each entry ran its backend kernel and how often its composite. */
export type FusedStats = {
  [K in FusedKernel]: {
    /** Runs through the backend's fused kernel. */
    kernel: number;
    /** Runs through the composite of primitives (no kernel on the backend, or declined). */
    composite: number;
  };
};

const counts = (): FusedStats => ({
  expression: { kernel: 0, composite: 0 },
  conv2dInputGrad: { kernel: 0, composite: 0 },
  conv2dWeightGrad: { kernel: 0, composite: 0 },
  matmulEpilogue: { kernel: 0, composite: 0 },
  conv2dEpilogue: { kernel: 0, composite: 0 },
  sgdStep: { kernel: 0, composite: 0 },
  adamStep: { kernel: 0, composite: 0 },
  crossEntropy: { kernel: 0, composite: 0 },
});
let stats = counts();

/**
 * A snapshot of how often each fused entry ran its backend kernel and how often its composite.
 * @example const before = gl.fusedStats().crossEntropy.kernel
 */
export function fusedStats(): FusedStats {
  return JSON.parse(JSON.stringify(stats)) as FusedStats;
}

/** Sets every fused-entry counter back to 0. @example gl.resetFusedStats() */
export function resetFusedStats(): void {
  stats = counts();
}

/** Counts one run of entry `k` by its kernel or by its composite. */
export function countFused(k: FusedKernel, by: 'kernel' | 'composite'): void {
  stats[k][by]++;
}

/** True when an op on these inputs would not be recorded: grad mode is off or no input requires grad. */
export function offTape(inputs: readonly Tensor[]): boolean {
  // inside vmap a fused kernel would see one example's view: the composite runs the batching rules
  for (const t of inputs) if (t instanceof BatchedTensor) return false;
  if (!state.gradEnabled) return true;
  for (const t of inputs) if (t.requiresGrad) return false;
  return true;
}

/** The backend kernel for `k` shared by all inputs, or null (inputs on several backends, or none there). */
export function kernelFor<K extends FusedKernel>(
  k: K,
  inputs: readonly Tensor[],
): FusedKernelTypes[K] | null {
  const backend = inputs[0].storage.backend;
  for (const t of inputs) {
    t._assertAlive(`fused ${k}`);
    if (t.storage.backend !== backend) return null;
  }
  return (backend.fused?.[k] as FusedKernelTypes[K] | undefined) ?? null;
}

/** A fresh dense tensor of `shape` on `like`'s backend. */
export function freshLike(like: Tensor, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(
    like.storage.backend.allocate(dtype, numel(shape)),
    [...shape],
    contiguousStrides(shape),
    0,
    dtype,
  );
}

/**
 * Runs map entry `k`: its backend kernel when nothing is recorded, the backend has one and it accepts
 * these views; its (differentiable) composite otherwise. Same values either way.
 * @example const dx = runMap('conv2dInputGrad', entry, [g, w], { ...p, outShape: x.shape })
 */
export function runMap<K extends MapFused>(
  k: K,
  entry: MapEntry<FusedParams<K>>,
  inputs: readonly Tensor[],
  params: FusedParams<K>,
): Tensor {
  if (offTape(inputs)) {
    const kernel = kernelFor(k, inputs) as MapKernel<FusedParams<K>> | null;
    const views: readonly TensorView[] = inputs;
    if (kernel && kernel.accepts(views, params)) {
      const { shape, dtype } = entry.infer(inputs, params);
      const out = freshLike(inputs[0], shape, dtype);
      kernel.run(views, out, params);
      countFused(k, 'kernel');
      return out;
    }
  }
  countFused(k, 'composite');
  return entry.composite(inputs, params);
}

/**
 * Runs update entry `k` (off the tape): the backend kernel where it has one that accepts these views,
 * then marks the written tensors modified; the composite (in-place ops, which mark them) otherwise.
 * @example runUpdate('sgdStep', sgdEntry, [p, g], hyper)
 */
export function runUpdate<K extends UpdateFused>(
  k: K,
  entry: UpdateEntry<FusedParams<K>>,
  inputs: readonly Tensor[],
  params: FusedParams<K>,
): void {
  const kernel = offTape(inputs) ? (kernelFor(k, inputs) as UpdateKernel<FusedParams<K>> | null) : null;
  if (kernel && kernel.accepts(inputs, params)) {
    kernel.run(inputs, params);
    for (const t of entry.writes(inputs, params)) t._version.value++;
    countFused(k, 'kernel');
    return;
  }
  countFused(k, 'composite');
  entry.composite(inputs, params);
}
