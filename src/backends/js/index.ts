// The pure-TypeScript backend: runs everywhere, synchronous, and the correctness oracle for the others.
import type { Backend, BackendCapabilities, KernelTable, Storage, TensorView } from '../backend.js';
import type { BackendFusedTable } from '../../core/fused-kernels.js';
import { itemSize, type DType, type TypedArray } from '../../core/dtype.js';
import {
  ELEMENTWISE_BINARY,
  ELEMENTWISE_UNARY,
  REDUCE_OPS,
  perOp,
  type KernelPrimitive,
  type PrimitiveParams,
} from '../../core/primitives.js';
import { binaryKernel, castKernel, copyKernel, unaryKernel, whereKernel } from './elementwise.js';
import {
  argmaxKernel,
  argminKernel,
  cumsumKernel,
  logSoftmaxGradKernel,
  logSoftmaxKernel,
  reduceKernel,
} from './reduce.js';
import { conv2dKernel, foldKernel, matmulKernel, unfoldKernel } from './linalg.js';
import { catKernel, flipKernel, fullKernel, gatherKernel, padKernel, scatterAddKernel } from './movement.js';
import { lapackKernels } from './lapack/index.js';
import { maxPool2dGradKernel, maxPool2dKernel } from './maxpool.js';
import { randomKernel } from './random.js';
import { argsortKernel } from './sort.js';
import { gatherDense } from './strided.js';
import { ArrayPool } from './array-pool.js';

const EMPTY: { [D in DType]: TypedArray } = {
  float32: new Float32Array(0),
  float64: new Float64Array(0),
  int32: new Int32Array(0),
  bool: new Uint8Array(0),
};

/** JS storage: a typed array of the dtype's kind. */
export interface JsStorage extends Storage {
  data: TypedArray;
}

/** The JS kernel of every primitive (also the native backend's fallback for the cases it leaves to JS). */
export const jsKernels: KernelTable = {
  ...perOp(ELEMENTWISE_UNARY, unaryKernel),
  ...perOp(ELEMENTWISE_BINARY, binaryKernel),
  where: whereKernel,
  cast: castKernel,
  copy: copyKernel,
  ...perOp(REDUCE_OPS, reduceKernel),
  argmax: argmaxKernel,
  argmin: argminKernel,
  cumsum: cumsumKernel,
  argsort: argsortKernel,
  logSoftmax: logSoftmaxKernel,
  logSoftmaxGrad: logSoftmaxGradKernel,
  matmul: matmulKernel,
  ...lapackKernels,
  conv2d: conv2dKernel,
  unfold: unfoldKernel,
  fold: foldKernel,
  maxPool2d: maxPool2dKernel,
  maxPool2dGrad: maxPool2dGradKernel,
  pad: padKernel,
  flip: flipKernel,
  cat: catKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
  full: fullKernel,
  random: randomKernel,
};

/**
 * A synchronous backend whose storage is a typed array in the JS heap; `js` and `native` are both this
 * class with different kernel tables, so their tensors share memory with JS (and with the addon) without copies.
 */
export class TypedArrayBackend implements Backend {
  /** CPU memory: float64, synchronous reads and zero-copy host views; worker threads when the kernels are plain TypeScript. */
  readonly capabilities: BackendCapabilities;

  /** Typed arrays of disposed storages, reused by later allocations of the same dtype and size. */
  readonly pool = new ArrayPool();

  constructor(
    readonly name: 'js' | 'native',
    private readonly kernels: KernelTable,
    /** The fused kernels it has (none on `js`: every fused entry runs its composite there). */
    readonly fused: BackendFusedTable = {},
    /** Whether its kernels may run in several worker threads at once (false for the native addon's process-wide state). */
    workerThreads = true,
  ) {
    this.capabilities = { float64: true, syncRead: true, hostMemory: true, workerThreads };
  }

  allocate(dtype: DType, size: number): JsStorage {
    return {
      backend: this,
      dtype,
      size,
      byteLength: size * itemSize(dtype),
      disposed: false,
      track: undefined,
      data: this.pool.take(dtype, size),
    };
  }

  upload(dtype: DType, data: TypedArray): JsStorage {
    const s = this.allocate(dtype, data.length);
    s.data.set(data as never);
    return s;
  }

  hostArray(storage: Storage): TypedArray {
    return (storage as JsStorage).data;
  }

  readSync(view: TensorView): TypedArray {
    return gatherDense(view).slice() as TypedArray;
  }

  async read(view: TensorView): Promise<TypedArray> {
    return this.readSync(view);
  }

  dispose(storage: Storage): void {
    this.pool.put(storage.dtype, (storage as JsStorage).data);
    (storage as JsStorage).data = EMPTY[storage.dtype];
    storage.disposed = true;
  }

  run<P extends KernelPrimitive>(
    prim: P,
    inputs: readonly TensorView[],
    out: TensorView,
    params: PrimitiveParams[P],
  ): void {
    (this.kernels[prim] as (i: readonly TensorView[], o: TensorView, p: PrimitiveParams[P]) => void)(
      inputs,
      out,
      params,
    );
  }

  async sync(): Promise<void> {}
}

/** The process-wide JS backend instance. */
export const jsBackend: Backend = new TypedArrayBackend('js', jsKernels);
