// Memory accounting: live tensors and bytes per backend, and bytes held by tapes for backward (now and peak).
import type { Storage } from './backend.js';

const live = { tensors: 0, storages: 0, bytes: 0 };
const perBackend = new Map<string, { tensors: number; bytes: number }>();
const saved = { bytes: 0, peak: 0, tensors: 0 };

function bucket(name: string): { tensors: number; bytes: number } {
  let b = perBackend.get(name);
  if (!b) perBackend.set(name, (b = { tensors: 0, bytes: 0 }));
  return b;
}

/**
 * Accounting of one storage: its bytes, the tensor that created it (`own`, 1 until disposed) and the
 * views of it not yet disposed.
 */
interface StorageTrack {
  bytes: number;
  backend: string;
  own: number;
  views: number;
  released: boolean;
}

// A storage is collected only after every tensor viewing it, so its finalizer also retires the tensor that
// created it: one registration per op output instead of two. Views register themselves (they may die
// long before the storage they view, e.g. `w.T` of a parameter each step).
const storageRegistry = new FinalizationRegistry<StorageTrack>((h) => {
  const b = bucket(h.backend);
  live.tensors -= h.own;
  b.tensors -= h.own;
  if (!h.released) {
    live.storages--;
    live.bytes -= h.bytes;
    b.bytes -= h.bytes;
  }
});
const viewRegistry = new FinalizationRegistry<StorageTrack>((h) => {
  h.views--;
  live.tensors--;
  bucket(h.backend).tensors--;
});

/** Counts a new storage and the tensor creating it until they are disposed or garbage-collected. */
export function trackStorage(s: Storage): void {
  const rec: StorageTrack = {
    bytes: s.byteLength,
    backend: s.backend.name,
    own: 1,
    views: 0,
    released: false,
  };
  s.track = rec;
  live.storages++;
  live.tensors++;
  live.bytes += s.byteLength;
  const b = bucket(rec.backend);
  b.bytes += s.byteLength;
  b.tensors++;
  storageRegistry.register(s, rec, rec);
}

/** Counts a new view `t` of the existing storage `s` until it is disposed or collected. */
export function trackView(t: object, s: Storage): void {
  const rec = s.track as StorageTrack | undefined;
  if (!rec) return;
  rec.views++;
  live.tensors++;
  bucket(rec.backend).tensors++;
  viewRegistry.register(t, rec, t);
}

/**
 * Retires a disposed tensor `t` viewing `s` (`isView`: it was counted by trackView).
 * @returns how many tensors still view the storage
 */
export function untrackTensor(t: object, s: Storage, isView: boolean): number {
  const rec = s.track as StorageTrack | undefined;
  if (!rec) return 0;
  if (isView) {
    if (!viewRegistry.unregister(t)) return rec.own + rec.views;
    rec.views--;
  } else {
    if (rec.own === 0) return rec.views;
    rec.own--;
  }
  live.tensors--;
  bucket(rec.backend).tensors--;
  return rec.own + rec.views;
}

/** Removes a disposed storage from the live count. */
export function untrackStorage(s: Storage): void {
  const rec = s.track as StorageTrack | undefined;
  if (!rec || rec.released) return;
  rec.released = true;
  live.storages--;
  live.bytes -= rec.bytes;
  bucket(rec.backend).bytes -= rec.bytes;
  if (rec.own === 0 && rec.views === 0) storageRegistry.unregister(rec);
}

export function addSavedBytes(bytes: number, tensors: number): void {
  saved.bytes += bytes;
  saved.tensors += tensors;
  if (saved.bytes > saved.peak) saved.peak = saved.bytes;
}

/** Snapshot returned by `gl.memory()`. */
export interface MemoryInfo {
  /** Tensors alive: neither disposed nor garbage-collected. */
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
