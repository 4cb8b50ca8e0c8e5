// The Backend interface (allocate, upload, read, free, run one primitive kernel on strided views) and
// the capability record that code above the backends consults instead of backend names.
import type { DType, TypedArray } from './dtype.js';
import type { BackendFusedTable } from './fused-kernels.js';
import type { KernelPrimitive, PrimitiveParams } from './primitives.js';

/** Names of the backends gradlab knows. */
export type BackendName = 'js' | 'native' | 'webgpu';

/**
 * A block of device memory holding `size` elements of `dtype`. Backends subclass or extend it with
 * their own handle (a typed array for `js`, a GPUBuffer for `webgpu`...).
 */
export interface Storage {
  /** The backend that owns the memory. */
  readonly backend: Backend;
  /** The element type. */
  readonly dtype: DType;
  /** Number of elements. */
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
  /** The memory viewed. */
  readonly storage: Storage;
  /** Size of each dim. */
  readonly shape: readonly number[];
  /** Step in elements between neighbours along each dim (0 for a broadcast dim). */
  readonly strides: readonly number[];
  /** Index of the first element in the storage, in elements. */
  readonly offset: number;
  /** The element type (the storage's). */
  readonly dtype: DType;
}

/**
 * One kernel: reads `inputs` (arbitrary strides, already broadcast to the output shape for elementwise
 * ops), writes `out`. `out` is a fresh contiguous view, except for `copy`, whose `out` may be any
 * strided view (in-place writes go through it).
 */
export type KernelFn<Params> = (inputs: readonly TensorView[], out: TensorView, params: Params) => void;
/** The kernel of primitive `P`, taking that primitive's parameters. */
export type Kernel<P extends KernelPrimitive> = KernelFn<PrimitiveParams[P]>;

/** Every backend implements every kernel primitive: a missing kernel is a compile error. */
export type KernelTable = { [P in KernelPrimitive]: Kernel<P> };

export type {
  ElementwiseExpr,
  FusedAdamHyper,
  FusedCrossEntropyParams,
  FusedSgdHyper,
} from './fused-kernels.js';

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
  /**
   * Several worker threads of one process may each compute on it at once (no process-wide state such
   * as a native addon's parameter block and thread pool): population workers are then threads, else processes.
   */
  readonly workerThreads: boolean;
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
  /**
   * Reads a view back at once, as `read` does. Throws a `BackendError` where the device cannot block
   * (`capabilities.syncRead` false).
   */
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
  /** Fused kernels, where the backend has them (see core/fused.ts); an absent entry runs its composite. */
  readonly fused?: BackendFusedTable;
  /** Waits until queued work has finished (no-op on synchronous backends). */
  sync(): Promise<void>;
}
