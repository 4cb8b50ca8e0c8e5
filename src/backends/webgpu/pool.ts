// Free lists of GPU buffers by byte size, so training loops reuse the buffers of disposed tensors.
/// <reference types="@webgpu/types" />

/** Most bytes kept for reuse; beyond that released buffers are destroyed at once. */
const MAX_POOLED_BYTES = 1024 * 1024 * 1024;

/** Rounds a request to the size class buffers are pooled by (16-byte multiples, at least 16). */
export function sizeClass(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/** Buffer reuse and the counts behind `stats()`: created, live (handed out) and pooled. */
export class BufferPool {
  /** Free buffers per size class, highest creation number first, so `take` hands out the oldest. */
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Creation numbers: handing out free buffers in this order gives each step of a loop the same buffers as the last. */
  private readonly order = new WeakMap<GPUBuffer, number>();
  pooledBytes = 0;
  liveBytes = 0;
  liveBuffers = 0;
  created = 0;

  /** `beforeDestroy` runs before a pooled buffer is destroyed (the backend drops bind groups that hold it). */
  constructor(
    private readonly device: GPUDevice,
    private readonly beforeDestroy: () => void = () => {},
  ) {}

  /** A storage buffer of at least `bytes` bytes (contents undefined). */
  take(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) this.pooledBytes -= size;
    else {
      buf = this.device.createBuffer({
        size,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      this.order.set(buf, this.created++);
    }
    this.liveBytes += size;
    this.liveBuffers++;
    return buf;
  }

  /** Counts a buffer as no longer live (its storage was disposed); `put` it once no queued command uses it. */
  retire(buf: GPUBuffer): void {
    this.liveBytes -= buf.size;
    this.liveBuffers--;
  }

  /** Takes back a retired buffer that no queued or future command references. */
  put(buf: GPUBuffer): void {
    const size = buf.size;
    if (this.pooledBytes + size > MAX_POOLED_BYTES) {
      this.beforeDestroy();
      buf.destroy();
      return;
    }
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    // sorted insert (lists are short): the same set of free buffers is always handed out in the same
    // order, so a training loop's kernels see the same buffers every step and their bind groups are reused
    const n = this.order.get(buf) ?? 0;
    let i = list.length;
    while (i > 0 && (this.order.get(list[i - 1]) ?? 0) < n) i--;
    list.splice(i, 0, buf);
    this.pooledBytes += size;
  }

  /** Destroys every pooled buffer (live ones stay). */
  clear(): void {
    this.beforeDestroy();
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
