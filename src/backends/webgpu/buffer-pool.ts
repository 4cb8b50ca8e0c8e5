// Free lists of GPU buffers by byte size, so training loops reuse the buffers of disposed tensors.
/// <reference types="@webgpu/types" preserve="true" />
import { MinHeap } from './min-heap.js';

/** Most bytes kept for reuse; beyond that released buffers are destroyed at once. */
const MAX_POOLED_BYTES = 1024 * 1024 * 1024;

/** Rounds a request to the size class buffers are pooled by (16-byte multiples, at least 16). */
export function sizeClass(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/** Buffer reuse and the counts behind `stats()`: created, live (handed out) and pooled. */
export class BufferPool {
  /**
   * Free buffers per size class, oldest (lowest creation number) first: the same set of free buffers is
   * always handed out in the same order, so a training loop's kernels see the same buffers every step
   * and their bind groups are reused.
   */
  private readonly free = new Map<number, MinHeap<GPUBuffer>>();
  /** Creation numbers. */
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
    let heap = this.free.get(size);
    if (!heap) this.free.set(size, (heap = new MinHeap()));
    heap.push(buf, this.order.get(buf) ?? 0);
    this.pooledBytes += size;
  }

  /** Destroys every pooled buffer (live ones stay). */
  clear(): void {
    this.beforeDestroy();
    for (const heap of this.free.values()) for (const b of heap.values()) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
