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
  private readonly free = new Map<number, GPUBuffer[]>();
  pooledBytes = 0;
  liveBytes = 0;
  liveBuffers = 0;
  created = 0;

  constructor(private readonly device: GPUDevice) {}

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
      this.created++;
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
      buf.destroy();
      return;
    }
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(buf);
    this.pooledBytes += size;
  }

  /** Destroys every pooled buffer (live ones stay). */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
