// GPU time per kernel through timestamp queries: while profiling, each dispatch is its own timed compute pass.
/// <reference types="@webgpu/types" preserve="true" />

/** GPU time spent in one kernel (pipeline key) while profiling. */
export interface KernelTime {
  /** The kernel's pipeline key. */
  kernel: string;
  /** Dispatches timed. */
  calls: number;
  /** Sum of the kernel's pass times, milliseconds. */
  ms: number;
}

/**
 * Collects begin/end timestamps of timed passes, `capacity` passes per submitted batch. The backend
 * asks `passDescriptor(key)` for each dispatch's pass and calls `resolve(encoder)` before each submit;
 * `results()` waits for the batches still being read back.
 */
export class GpuProfiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private keys: string[] = [];
  private readonly pending: Promise<void>[] = [];
  private readonly totals = new Map<string, KernelTime>();

  constructor(
    private readonly device: GPUDevice,
    private readonly capacity: number,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity });
    this.resolveBuf = device.createBuffer({
      size: 16 * capacity,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
  }

  /** The descriptor of a compute pass timing one dispatch of `key`, or null when this batch is full. */
  passDescriptor(key: string): GPUComputePassDescriptor | null {
    if (this.keys.length >= this.capacity) return null;
    const i = this.keys.length;
    this.keys.push(key);
    return {
      timestampWrites: {
        querySet: this.querySet,
        beginningOfPassWriteIndex: 2 * i,
        endOfPassWriteIndex: 2 * i + 1,
      },
    };
  }

  /** Records the resolve of this batch's timestamps into `encoder` (call before submitting it). */
  resolve(encoder: GPUCommandEncoder): (() => void) | null {
    const n = this.keys.length;
    if (n === 0) return null;
    const keys = this.keys;
    this.keys = [];
    const staging = this.device.createBuffer({
      size: 16 * n,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, staging, 0, 16 * n);
    // after the submit: read the stamps back and add each pass's time to its kernel
    return () =>
      void this.pending.push(
        staging.mapAsync(GPUMapMode.READ).then(() => {
          const t = new BigUint64Array(staging.getMappedRange());
          for (let i = 0; i < n; i++) {
            const ns = Number(t[2 * i + 1] - t[2 * i]);
            const e = this.totals.get(keys[i]) ?? { kernel: keys[i], calls: 0, ms: 0 };
            e.calls++;
            e.ms += ns / 1e6;
            this.totals.set(keys[i], e);
          }
          staging.unmap();
          staging.destroy();
        }),
      );
  }

  /** Per-kernel totals, most time first, once every submitted batch has been read back. */
  async results(): Promise<KernelTime[]> {
    await Promise.all(this.pending);
    this.querySet.destroy();
    this.resolveBuf.destroy();
    return [...this.totals.values()].sort((a, b) => b.ms - a.ms);
  }
}
