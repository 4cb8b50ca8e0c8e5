// A free list of typed arrays by dtype and length, so training loops reuse the memory of disposed tensors.
import { allocArray, itemSize, type DType, type TypedArray } from '../../core/dtype.js';

/** Node's Buffer, when there is one (not in browsers): it hands out memory without zero-filling it. */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(bytes: number): Uint8Array } }).Buffer;

/** Below this many bytes a zero-filled array costs no more than an uninitialized one. */
const UNINITIALIZED_MIN_BYTES = 4096;

/**
 * A new array of `size` elements whose contents are unspecified: on Node, large arrays are taken
 * uninitialized (Buffer.allocUnsafeSlow, one ArrayBuffer of their own), which spares the zero fill and
 * the page faults of fresh zeroed memory (a 4 MB array cost about 4x the CPU time zero-filled here);
 * elsewhere, a zero-filled one.
 */
function freshArray(dtype: DType, size: number): TypedArray {
  const bytes = size * itemSize(dtype);
  if (!NodeBuffer || bytes < UNINITIALIZED_MIN_BYTES) return allocArray(dtype, size);
  const buf = NodeBuffer.allocUnsafeSlow(bytes).buffer;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf, 0, size);
    case 'float64':
      return new Float64Array(buf, 0, size);
    case 'int32':
      return new Int32Array(buf, 0, size);
    case 'bool':
      return new Uint8Array(buf, 0, size);
  }
}

/** Most arrays kept per (dtype, length), and most bytes kept in all. */
const PER_SIZE = 32;
const MAX_BYTES = 256 * 1024 * 1024;

/**
 * Reuses the typed arrays of disposed storages. Only arrays released by `dispose()` come back here
 * (never ones still reachable). A reused array keeps its old contents and a new one is not zero-filled
 * either: storages from `allocate` are kernel outputs, and every kernel writes all of its output
 * (test/backends/pool.test.ts checks this for every primitive on every CPU backend).
 */
export class ArrayPool {
  private readonly free = new Map<string, TypedArray[]>();
  private bytes = 0;
  /** Testing aid: fill every array handed out with garbage (NaN, or 0xAB bytes for int32/bool). */
  poison = false;

  /** An array of `size` elements of `dtype`: a reused one (old contents) or a new one (unspecified contents). */
  take(dtype: DType, size: number): TypedArray {
    const list = this.free.get(key(dtype, size));
    let arr = list?.pop();
    if (arr) this.bytes -= arr.byteLength;
    else arr = freshArray(dtype, size);
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
