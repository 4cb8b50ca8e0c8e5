// Memory accounting: live tensors and bytes per backend, and bytes held by tapes for backward (now and peak).
import type { Storage } from '../backends/backend.js';

const live = { tensors: 0, storages: 0, bytes: 0 };
const perBackend = new Map<string, { tensors: number; bytes: number }>();
const saved = { bytes: 0, peak: 0, tensors: 0 };

function bucket(name: string): { tensors: number; bytes: number } {
  let b = perBackend.get(name);
  if (!b) perBackend.set(name, (b = { tensors: 0, bytes: 0 }));
  return b;
}

const tensorRegistry = new FinalizationRegistry<string>((backend) => {
  live.tensors--;
  bucket(backend).tensors--;
});
const storageRegistry = new FinalizationRegistry<{ bytes: number; backend: string }>((h) => {
  live.storages--;
  live.bytes -= h.bytes;
  bucket(h.backend).bytes -= h.bytes;
});

/** Counts a new tensor object until it is garbage-collected. */
export function trackTensor(t: object, backend: string): void {
  live.tensors++;
  bucket(backend).tensors++;
  tensorRegistry.register(t, backend);
}

/** Counts a new storage until it is disposed or garbage-collected. */
export function trackStorage(s: Storage): void {
  live.storages++;
  live.bytes += s.byteLength;
  bucket(s.backend.name).bytes += s.byteLength;
  storageRegistry.register(s, { bytes: s.byteLength, backend: s.backend.name }, s);
}

/** Removes a disposed storage from the live count. */
export function untrackStorage(s: Storage): void {
  if (storageRegistry.unregister(s)) {
    live.storages--;
    live.bytes -= s.byteLength;
    bucket(s.backend.name).bytes -= s.byteLength;
  }
}

export function addSavedBytes(bytes: number, tensors: number): void {
  saved.bytes += bytes;
  saved.tensors += tensors;
  if (saved.bytes > saved.peak) saved.peak = saved.bytes;
}

/** Snapshot returned by `gl.memory()`. */
export interface MemoryInfo {
  /** Tensor objects alive (not yet garbage-collected). */
  tensors: number;
  /** Storages alive and their bytes, over all backends. */
  storages: number;
  bytes: number;
  /** Bytes currently held by tapes for backward (what `pack` returned when hooks pack). */
  savedBytes: number;
  /** Saved entries currently held. */
  savedTensors: number;
  /** Highest savedBytes since the last resetPeakMemory(). */
  peakSavedBytes: number;
  backends: Record<string, { tensors: number; bytes: number }>;
}

/**
 * Live tensors and bytes, and the bytes tapes hold for backward.
 * @example const { savedBytes, peakSavedBytes } = gl.memory();
 */
export function memory(): MemoryInfo {
  return {
    tensors: live.tensors,
    storages: live.storages,
    bytes: live.bytes,
    savedBytes: saved.bytes,
    savedTensors: saved.tensors,
    peakSavedBytes: saved.peak,
    backends: Object.fromEntries([...perBackend].map(([k, v]) => [k, { ...v }])),
  };
}

/** Starts a new peak window for peakSavedBytes. */
export function resetPeakMemory(): void {
  saved.peak = saved.bytes;
}
