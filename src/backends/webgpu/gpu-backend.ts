// The WebGPU backend: GPUBuffer storage (pooled), cached pipelines, batched command encoding, async reads.
/// <reference types="@webgpu/types" preserve="true" />
import type { Backend, BackendCapabilities, Storage, TensorView } from '../backend.js';
import type { BackendFusedTable } from '../../core/fused-kernels.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { BackendError, DTypeError } from '../../core/errors.js';
import type { KernelPrimitive, PrimitiveParams } from '../../core/primitives.js';
import { BufferPool, sizeClass } from './buffer-pool.js';
import { BindCache, type CachedPipeline } from './bind-cache.js';
import { GpuProfiler, type KernelTime } from './profiler.js';
import { gpuKernels } from './kernels.js';
import { copyInto } from './elementwise.js';
import { contiguousView } from './views.js';
import { isDenseView } from './wgsl.js';
import { webgpuOptimizerSteps } from './fused-optim.js';
import { webgpuCrossEntropy } from './fused-cross-entropy.js';
import { webgpuExpression } from './fused-map.js';
import { webgpuEpilogues } from './fused-epilogue.js';

/** WebGPU storage: a pooled GPUBuffer holding 4 bytes per element (bool as u32); float64 has none. */
export interface GpuStorage extends Storage {
  buffer: GPUBuffer | null;
}

/**
 * Dispatches recorded before the batch is submitted without waiting for a read. 16: the GPU starts on a
 * step's first kernels while the host still records the rest; a submit costs ~14 µs of host time on an
 * H100 machine, so a 50-kernel step pays ~4 of them.
 */
const MAX_BATCH = 16;
/** Bytes of per-dispatch parameters one batch may hold. */
const META_BYTES = 1 << 18;
/** Storage-buffer offsets must be multiples of this. */
const META_ALIGN = 256;
/** The largest parameter block one dispatch may bind (bytes; the meta buffer has this much slack past META_BYTES). */
const MAX_META_WINDOW = 1 << 16;
/** Read-back staging buffers up to this size are kept for the next read. */
const MAX_POOLED_STAGING = 1 << 20;

/** The bytes bound for a parameter block of `bytes`: a power of two from 256, so few bind groups serve all. */
function metaWindow(bytes: number): number {
  let w = 256;
  while (w < bytes) w *= 2;
  return w;
}

/** Buffer statistics of the webgpu backend (what a memory test watches). */
export interface GpuMemoryStats {
  /** Buffers created since start (flat in a steady training loop: buffers are reused). */
  createdBuffers: number;
  /** Buffers held by live storages. */
  liveBuffers: number;
  /** Bytes of the buffers held by live storages. */
  liveBytes: number;
  /** Bytes kept in the pool for reuse. */
  pooledBytes: number;
  /** Submits since start. */
  submits: number;
  /** Compute dispatches queued since start (a kernel-count probe for tests: one per kernel launch). */
  dispatches: number;
  /** Bind groups created since start (flat in a steady loop: they are cached by the buffers they bind). */
  bindGroups: number;
}

/** Refuses float64 with the op's name and the CPU backends that have it. */
export function noFloat64(op: string): never {
  throw new DTypeError(
    `webgpu: ${op} with float64 is not supported (WGSL has no float64); use the 'native' or 'js' backend for float64, or cast to float32`,
  );
}

/**
 * A WebGPU device as a gradlab backend. Kernels are queued into one command encoder and submitted
 * every few dozen dispatches or when data is read; `read` is the only way back (asynchronous).
 */
export class WebGPUBackend implements Backend {
  readonly name = 'webgpu' as const;
  /** WGSL has no float64; reads are asynchronous; storages are GPU buffers. */
  readonly capabilities: BackendCapabilities = {
    float64: false,
    syncRead: false,
    hostMemory: false,
    workerThreads: false, // population workers are processes, each with its own GPU device
  };
  /** The device's queue (work is submitted here). */
  readonly queue: GPUQueue;
  /**
   * Its fused kernels: float32 elementwise expressions in one dispatch (relu's backward uses it), SGD and
   * Adam/AdamW in one dispatch per parameter, crossEntropy's rows, reduction and backward in one each,
   * and the matmul/conv2d epilogues (bias and activation stored by the matmul shader itself).
   */
  readonly fused: BackendFusedTable = {
    expression: webgpuExpression(this),
    ...webgpuEpilogues(this),
    ...webgpuOptimizerSteps(this),
    crossEntropy: webgpuCrossEntropy(this),
  };
  private readonly pool: BufferPool;
  private readonly pipelines = new Map<string, CachedPipeline>();
  private readonly binds: BindCache;
  /** MAP_READ buffers of finished reads, by size, for the next read of that size. */
  private readonly staging = new Map<number, GPUBuffer[]>();
  /** The pipeline last set on the open pass (a repeat is not set again). */
  private passPipeline: GPUComputePipeline | null = null;
  private readonly dynamicOffset = new Uint32Array(1);
  private profiler: GpuProfiler | null = null;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private pending = 0;
  /** Buffers released while commands that may read them are still unsubmitted. */
  private quarantine: GPUBuffer[] = [];
  private readonly metaCpu = new ArrayBuffer(META_BYTES);
  private readonly metaI32 = new Int32Array(this.metaCpu);
  private readonly metaGpu: GPUBuffer;
  private metaUsed = 0;
  private submits = 0;
  private dispatches = 0;
  /** The first device error not yet reported (shader or validation errors surface on the next read). */
  private deviceError: string | null = null;

  /**
   * @param device - The GPU device computed on.
   * @param adapterInfo - The adapter's vendor, architecture and description, for messages.
   */
  constructor(
    readonly device: GPUDevice,
    readonly adapterInfo: string,
  ) {
    this.queue = device.queue;
    device.addEventListener('uncapturederror', (ev) => {
      this.deviceError ??= (ev as GPUUncapturedErrorEvent).error.message;
    });
    this.metaGpu = device.createBuffer({
      size: META_BYTES + MAX_META_WINDOW,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    this.binds = new BindCache(device, this.metaGpu);
    this.pool = new BufferPool(device, () => this.binds.forgetGroups());
  }

  allocate(dtype: DType, size: number): GpuStorage {
    const buffer = dtype === 'float64' ? null : this.pool.take(size * 4);
    return { backend: this, dtype, size, byteLength: size * 4, disposed: false, buffer };
  }

  upload(dtype: DType, data: TypedArray): GpuStorage {
    if (dtype === 'float64') noFloat64('creating a tensor');
    const s = this.allocate(dtype, data.length);
    if (data.length) {
      const words = dtype === 'bool' ? Uint32Array.from(data as Uint8Array) : data;
      this.queue.writeBuffer(s.buffer!, 0, words.buffer, words.byteOffset, data.length * 4);
    }
    return s;
  }

  readSync(): TypedArray {
    throw new BackendError(
      "webgpu: tensors cannot be read synchronously (the GPU answers asynchronously); use 'await t.data()' or 'await t.itemAsync()'",
    );
  }

  async read(view: TensorView): Promise<TypedArray> {
    if (view.dtype === 'float64') noFloat64('reading');
    let n = 1;
    for (const d of view.shape) n *= d;
    const out = (bytes: ArrayBuffer): TypedArray =>
      view.dtype === 'float32'
        ? new Float32Array(bytes)
        : view.dtype === 'int32'
          ? new Int32Array(bytes)
          : Uint8Array.from(new Uint32Array(bytes));
    if (n === 0) return out(new ArrayBuffer(0));
    let src = view;
    let tmp: GpuStorage | null = null;
    if (!isDenseView(view)) {
      tmp = this.allocate(view.dtype, n);
      src = contiguousView(tmp, view.shape);
      copyInto(this, view, src);
    }
    const staging = this.takeStaging(n * 4);
    this.endPass();
    this.encoderNow().copyBufferToBuffer(this.bufferOf(src), src.offset * 4, staging, 0, n * 4);
    this.pending++;
    if (tmp) this.dispose(tmp);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = staging.getMappedRange(0, n * 4).slice(0);
    staging.unmap();
    this.putStaging(staging);
    this.throwDeviceError();
    return out(bytes);
  }

  dispose(storage: Storage): void {
    const s = storage as GpuStorage;
    if (s.disposed) return;
    s.disposed = true;
    if (!s.buffer) return;
    this.pool.retire(s.buffer);
    if (this.pending) this.quarantine.push(s.buffer);
    else this.pool.put(s.buffer);
    s.buffer = null;
  }

  run<P extends KernelPrimitive>(
    prim: P,
    inputs: readonly TensorView[],
    out: TensorView,
    params: PrimitiveParams[P],
  ): void {
    if (out.dtype === 'float64' || inputs.some((x) => x.dtype === 'float64')) noFloat64(prim);
    (gpuKernels[prim] as (b: WebGPUBackend, i: readonly TensorView[], o: TensorView, p: unknown) => void)(
      this,
      inputs,
      out,
      params,
    );
  }

  async sync(): Promise<void> {
    this.flush();
    await this.queue.onSubmittedWorkDone();
    this.throwDeviceError();
  }

  /** Raises (once) the device error reported since the last check, as a BackendError. */
  private throwDeviceError(): void {
    const msg = this.deviceError;
    if (msg === null) return;
    this.deviceError = null;
    throw new BackendError(`webgpu: the device reported an error: ${msg}`);
  }

  /** Buffer counts and bytes (see GpuMemoryStats). */
  stats(): GpuMemoryStats {
    return {
      createdBuffers: this.pool.created,
      liveBuffers: this.pool.liveBuffers,
      liveBytes: this.pool.liveBytes,
      pooledBytes: this.pool.pooledBytes,
      submits: this.submits,
      dispatches: this.dispatches,
      bindGroups: this.binds.created,
    };
  }

  /**
   * The cache keys of the compute pipelines compiled so far: which shader variants this device has used.
   *
   * @example
   * (backendByName('webgpu') as WebGPUBackend).compiledKernels().filter((k) => k.startsWith('matmul'));
   */
  compiledKernels(): string[] {
    return [...this.pipelines.keys()];
  }

  /**
   * Starts timing every kernel on the GPU (timestamp queries; each dispatch then runs in its own compute
   * pass, which costs a little). Needs the adapter's 'timestamp-query' feature.
   *
   * @example
   * gpu.startProfile(); await step(); const top = await gpu.stopProfile(); // [{ kernel, calls, ms }, ...]
   */
  startProfile(): void {
    if (!this.device.features.has('timestamp-query'))
      throw new BackendError(
        "webgpu: this adapter has no 'timestamp-query' feature, so kernels cannot be timed",
      );
    if (this.profiler) return;
    this.flush();
    this.profiler = new GpuProfiler(this.device, MAX_BATCH);
  }

  /** Ends profiling: GPU milliseconds and calls per kernel since `startProfile`, most time first. */
  async stopProfile(): Promise<KernelTime[]> {
    const p = this.profiler;
    if (!p) throw new BackendError('webgpu: stopProfile() without startProfile()');
    this.flush();
    this.profiler = null;
    return p.results();
  }

  // ------------------------------------------------------------------ used by the kernels

  /** The GPUBuffer behind a view (throws for disposed or float64 storage). */
  bufferOf(v: TensorView): GPUBuffer {
    const b = (v.storage as GpuStorage).buffer;
    if (!b) throw new BackendError(`webgpu: a kernel was given a released or float64 storage`);
    return b;
  }

  /** The compute pipeline of a WGSL source, compiled once (with an explicit layout read off its bindings). */
  pipeline(key: string, source: () => string): CachedPipeline {
    let p = this.pipelines.get(key);
    if (!p) this.pipelines.set(key, (p = this.binds.compile(source(), key)));
    return p;
  }

  /**
   * Queues one dispatch: binding 0 is `meta` (i32 parameters), then `buffers` in order.
   * `groups` is the workgroup grid.
   */
  dispatch(
    key: string,
    source: () => string,
    meta: ArrayLike<number>,
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number, number],
  ): void {
    if (groups[0] === 0 || groups[1] === 0 || groups[2] === 0) return;
    const p = this.pipeline(key, source);
    const bytes = Math.max(4, meta.length * 4);
    const window = metaWindow(bytes);
    if (window > MAX_META_WINDOW)
      throw new BackendError(
        `webgpu: kernel '${key}' has ${bytes} bytes of parameters (at most ${MAX_META_WINDOW})`,
      );
    let at = Math.ceil(this.metaUsed / META_ALIGN) * META_ALIGN;
    if (at + bytes > META_BYTES) {
      this.flush();
      at = 0;
    }
    this.metaI32.set(meta as ArrayLike<number>, at / 4);
    this.metaUsed = at + bytes;
    const bind = this.binds.group(p, window, buffers);
    if (this.profiler) {
      // one timed pass per dispatch; a batch flushes at MAX_BATCH dispatches, so the query set never fills
      this.endPass();
      this.pass = this.encoderNow().beginComputePass(this.profiler.passDescriptor(key) ?? undefined);
    }
    if (!this.pass) this.pass = this.encoderNow().beginComputePass();
    if (this.passPipeline !== p.pipeline) this.pass.setPipeline((this.passPipeline = p.pipeline));
    this.dynamicOffset[0] = at;
    this.pass.setBindGroup(0, bind, this.dynamicOffset, 0, 1);
    this.pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    this.dispatches++;
    if (++this.pending >= MAX_BATCH) this.flush();
  }

  /** Submits everything queued so far. */
  flush(): void {
    this.endPass();
    if (!this.encoder) return;
    if (this.metaUsed)
      this.queue.writeBuffer(this.metaGpu, 0, this.metaCpu, 0, Math.ceil(this.metaUsed / 4) * 4);
    const readStamps = this.profiler?.resolve(this.encoder);
    this.queue.submit([this.encoder.finish()]);
    readStamps?.();
    this.submits++;
    this.encoder = null;
    this.metaUsed = 0;
    this.pending = 0;
    for (const b of this.quarantine) this.pool.put(b);
    this.quarantine = [];
  }

  private encoderNow(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
      this.passPipeline = null;
    }
  }

  /** A MAP_READ buffer of at least `bytes` (a pooled one when a read of that size finished before). */
  private takeStaging(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    return (
      this.staging.get(size)?.pop() ??
      this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
    );
  }

  /** Keeps a small unmapped staging buffer for the next read; large ones are destroyed. */
  private putStaging(b: GPUBuffer): void {
    if (b.size > MAX_POOLED_STAGING) return b.destroy();
    let list = this.staging.get(b.size);
    if (!list) this.staging.set(b.size, (list = []));
    if (list.length < 4) list.push(b);
    else b.destroy();
  }
}

export { contiguousView };
