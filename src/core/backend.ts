// The Backend interface (allocate, upload, read, free, run one primitive kernel on strided views) and
// the capability record that code above the backends consults instead of backend names.
import type { DType, TypedArray } from './dtype.js';
import type { Conv2dParams, KernelPrimitive, PrimitiveParams } from './primitives.js';

/** Names of the backends gradlab knows. */
export type BackendName = 'js' | 'native' | 'webgpu';

/**
 * A block of device memory holding `size` elements of `dtype`. Backends subclass or extend it with
 * their own handle (a typed array for `js`, a GPUBuffer for `webgpu`...).
 */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  /** Bytes the storage occupies on its device. */
  readonly byteLength: number;
  /** Set once the memory was released; kernels must never see a disposed storage. */
  disposed: boolean;
  /** @internal memory accounting record (src/core/memory.ts); a plain field, cheaper for the GC than a WeakMap. */
  track?: unknown;
}

/** A strided window into a storage: what kernels read and write. */
export interface TensorView {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

/**
 * One kernel: reads `inputs` (arbitrary strides, already broadcast to the output shape for elementwise
 * ops), writes `out`. `out` is a fresh contiguous view, except for `copy`, whose `out` may be any
 * strided view (in-place writes go through it).
 */
export type KernelFn<Params> = (inputs: readonly TensorView[], out: TensorView, params: Params) => void;
export type Kernel<P extends KernelPrimitive> = KernelFn<PrimitiveParams[P]>;

/** Every backend implements every kernel primitive: a missing kernel is a compile error. */
export type KernelTable = { [P in KernelPrimitive]: Kernel<P> };

/** Hyper-parameters of a fused SGD step (PyTorch 1.13 semantics, as src/optim/kernels.ts). */
export interface FusedSgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** Hyper-parameters of a fused Adam/AdamW step; `step` is the step count after this update. */
export interface FusedAdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** AdamW's decoupled decay instead of Adam's L2 term */
  decoupled: boolean;
  maximize: boolean;
  step: number;
}

/**
 * Optimizer updates in one pass per parameter, with the same results as the unfused op sequence.
 * Each returns false when it cannot take these views (the optimizer then runs the unfused ops).
 */
export interface FusedOptimizerKernels {
  sgd(p: TensorView, g: TensorView, momentumBuffer: TensorView | null, h: FusedSgdHyper): boolean;
  adam(p: TensorView, g: TensorView, expAvg: TensorView, expAvgSq: TensorView, h: FusedAdamHyper): boolean;
}

/**
 * The two gradients of conv2d as one kernel each (instead of unfold, permutes, a GEMM and fold). They
 * are not differentiable themselves, so gradlab uses them only where no tape is recorded (see
 * core/conv-grad.ts). Each returns false when it cannot take these views (gradlab then composes the
 * gradient from primitives).
 */
export interface FusedConvGradKernels {
  /** out [N, C, H, W] = gradient of conv2d w.r.t. its input, from g [N, O, Ho, Wo] and w [O, C/groups, kh, kw]. */
  inputGrad(g: TensorView, w: TensorView, out: TensorView, p: Conv2dParams): boolean;
  /** out [O, C/groups, kh, kw] = gradient of conv2d w.r.t. its weight, from x [N, C, H, W] and g. */
  weightGrad(x: TensorView, g: TensorView, out: TensorView, p: Conv2dParams): boolean;
}

/** The options of a fused cross-entropy over int32 class targets (see FusedCrossEntropyKernels). */
export interface FusedCrossEntropyParams {
  ignoreIndex: number;
  /** float32-rounded 1 - labelSmoothing (1 without smoothing) */
  keep: number;
  /** float32-rounded labelSmoothing / C (0 without smoothing) */
  spread: number;
}

/**
 * Cross-entropy of logits [N, C] against int32 targets [N] (optional class weights [C]) in few kernels.
 * `stats` is a float32 workspace of 3N + 1 elements that `rows` fills, `reduce` completes and
 * `backward` reads; its layout is the backend's own. Each returns false when it cannot take these views.
 */
export interface FusedCrossEntropyKernels {
  /** Per-row losses into `rowLoss` [N] (the composite's unreduced loss) and the row statistics. */
  rows(
    logits: TensorView,
    target: TensorView,
    weight: TensorView | null,
    p: FusedCrossEntropyParams,
    rowLoss: TensorView,
    stats: TensorView,
  ): boolean;
  /**
   * rows and reduce in one kernel, without the per-row losses (out is 0-d); false where the backend
   * prefers the two (gradlab then calls rows and reduce).
   */
  rowsReduced(
    logits: TensorView,
    target: TensorView,
    weight: TensorView | null,
    p: FusedCrossEntropyParams,
    stats: TensorView,
    out: TensorView,
    mean: boolean,
  ): boolean;
  /** out (0-d) = sum of rowLoss, divided by the summed row weights when `mean`. */
  reduce(rowLoss: TensorView, stats: TensorView, out: TensorView, mean: boolean): boolean;
  /** out [N, C] = gradient of the loss w.r.t. the logits for upstream gradient g (0-d, or [N] for 'none'). */
  backward(
    logits: TensorView,
    target: TensorView,
    weight: TensorView | null,
    stats: TensorView,
    g: TensorView,
    p: FusedCrossEntropyParams & { reduction: 'mean' | 'sum' | 'none' },
    out: TensorView,
  ): boolean;
}

/** One node of an elementwise expression: an input (by position), a constant, or an op on nodes. */
export type ElementwiseExpr =
  | { input: number }
  | { value: number }
  | { op: 'relu' | 'neg' | 'exp' | 'log' | 'sigmoid' | 'tanh' | 'abs'; args: [ElementwiseExpr] }
  | {
      op: 'add' | 'sub' | 'mul' | 'div' | 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';
      args: [ElementwiseExpr, ElementwiseExpr];
    }
  | { op: 'where'; args: [ElementwiseExpr, ElementwiseExpr, ElementwiseExpr] };

/** Elementwise chains in one kernel (float32 only; inputs already broadcast to the output's shape). */
export interface FusedElementwiseKernels {
  /** out = expr(inputs...); false when it cannot take these views or dtypes. */
  map(expr: ElementwiseExpr, inputs: readonly TensorView[], out: TensorView): boolean;
}

/**
 * What a backend can do. Code above the backends (ops, nn, optim, data) decides by these, so that the
 * same program means the same thing, and raises the same errors, on every backend.
 */
export interface BackendCapabilities {
  /** Holds and computes float64 tensors (else creating one is a DTypeError naming the op). */
  readonly float64: boolean;
  /** `readSync` works: `dataSync()` / `item()` return at once (else only `await t.data()` reads). */
  readonly syncRead: boolean;
  /** Storages live in host memory that `hostArray` exposes without a copy (CPU backends). */
  readonly hostMemory: boolean;
}

/**
 * A compute device. Work may be queued (asynchronous devices): `run` returns immediately, `read`
 * resolves when the data is back, and `readSync` may throw where the device cannot block.
 */
export interface Backend {
  /** The backend's name: for messages and for users choosing a backend, never for branching on. */
  readonly name: BackendName;
  /** What this backend can do; code above the backends asks these, never the name. */
  readonly capabilities: BackendCapabilities;
  /**
   * The storage's elements as a typed array over the backend's own memory (no copy; writes show
   * through). Present exactly when `capabilities.hostMemory` is true.
   */
  hostArray?(storage: Storage): TypedArray;
  /** Allocates uninitialized (or zeroed) memory for `size` elements. */
  allocate(dtype: DType, size: number): Storage;
  /** Allocates memory and copies `data` (of the dtype's typed array) into it. */
  upload(dtype: DType, data: TypedArray): Storage;
  /** Reads a view back as a new contiguous typed array in row-major order. */
  read(view: TensorView): Promise<TypedArray>;
  readSync(view: TensorView): TypedArray;
  /** Releases the storage's memory now. */
  dispose(storage: Storage): void;
  /** Runs a primitive kernel. */
  run<P extends KernelPrimitive>(
    prim: P,
    inputs: readonly TensorView[],
    out: TensorView,
    params: PrimitiveParams[P],
  ): void;
  /** Fused optimizer updates, where the backend has them. */
  readonly fusedOptimizer?: FusedOptimizerKernels;
  /** Fused conv2d gradients, where the backend has them. */
  readonly fusedConvGrad?: FusedConvGradKernels;
  /** Fused cross-entropy over class indices, where the backend has it (see ops/fused-cross-entropy.ts). */
  readonly fusedCrossEntropy?: FusedCrossEntropyKernels;
  /** Elementwise expressions in one kernel, where the backend has them (see core/fused-map.ts). */
  readonly fusedElementwise?: FusedElementwiseKernels;
  /** Waits until queued work has finished (no-op on synchronous backends). */
  sync(): Promise<void>;
}
