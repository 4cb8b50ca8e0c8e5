// A free list of typed arrays by dtype and length, so training loops reuse the memory of disposed tensors.
import { allocArray, type DType, type TypedArray } from '../../core/dtype.js';

/** Most arrays kept per (dtype, length), and most bytes kept in all. */
const PER_SIZE = 32;
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * Reuses the typed arrays of disposed storages. Only arrays released by `dispose()` come back here
 * (never ones still reachable). A reused array keeps its old contents: storages from `allocate` are
 * kernel outputs, and every kernel writes all of its output (test/backends/pool.test.ts checks this
 * for every primitive on every CPU backend).
 */
export class ArrayPool {
  private readonly free = new Map<string, TypedArray[]>();
  private bytes = 0;
  /** Testing aid: fill every array handed out with garbage (NaN, or 0xAB bytes for int32/bool). */
  poison = false;

  /** An array of `size` elements of `dtype`: a reused one (old contents) or a new zero-filled one. */
  take(dtype: DType, size: number): TypedArray {
    const list = this.free.get(key(dtype, size));
    let arr = list?.pop();
    if (arr) this.bytes -= arr.byteLength;
    else arr = allocArray(dtype, size);
    if (this.poison) {
      if (dtype === 'float32' || dtype === 'float64') arr.fill(NaN);
      else new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength).fill(0xab);
    }
    return arr;
  }

  /** Gives back an array nobody references any more. */
  put(dtype: DType, arr: TypedArray): void {
    if (arr.length === 0 || this.bytes + arr.byteLength > MAX_BYTES) return;
    const k = key(dtype, arr.length);
    let list = this.free.get(k);
    if (!list) this.free.set(k, (list = []));
    if (list.length >= PER_SIZE) return;
    list.push(arr);
    this.bytes += arr.byteLength;
  }

  /** Bytes held for reuse. */
  get pooledBytes(): number {
    return this.bytes;
  }

  /** Drops every pooled array. */
  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }
}

function key(dtype: DType, size: number): string {
  return dtype + size;
}
