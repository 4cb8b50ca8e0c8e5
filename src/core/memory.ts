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

/**
 * What a storage's `track` slot holds, and what the finalizers watch: a small object that only the
 * storage (or the view tensor) references. V8's young-generation collector keeps every object
 * registered with a FinalizationRegistry alive, so registering the storage itself would promote it,
 * its typed array and everything it references to the old generation, to be freed only by a full
 * collection (a training loop without tidy then allocated fresh memory for every step and spent its
 * time in full collections). Registering this token instead lets a dead storage's memory go at the
 * next young collection; only the token waits for the full one, and the counts below with it.
 */
interface LifeToken {
  readonly rec: StorageTrack;
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

const recOf = (s: Storage): StorageTrack | undefined => (s.track as LifeToken | undefined)?.rec;

/** Counts a new storage and the tensor creating it until they are disposed or garbage-collected. */
export function trackStorage(s: Storage): void {
  const rec: StorageTrack = {
    bytes: s.byteLength,
    backend: s.backend.name,
    own: 1,
    views: 0,
    released: false,
  };
  const token: LifeToken = { rec };
  s.track = token;
  live.storages++;
  live.tensors++;
  live.bytes += s.byteLength;
  const b = bucket(rec.backend);
  b.bytes += s.byteLength;
  b.tensors++;
  storageRegistry.register(token, rec, rec);
}

/**
 * Counts a new view of the existing storage `s` until it is disposed or collected.
 * @returns the token the view must keep (in a field of its own) while it lives, or undefined
 */
export function trackView(s: Storage): object | undefined {
  const rec = recOf(s);
  if (!rec) return undefined;
  const token: LifeToken = { rec };
  rec.views++;
  live.tensors++;
  bucket(rec.backend).tensors++;
  viewRegistry.register(token, rec, token);
  return token;
}

/**
 * Retires a disposed tensor viewing `s` (`viewToken`: what trackView returned for it; undefined for
 * the tensor that created the storage).
 * @returns how many tensors still view the storage
 */
export function untrackTensor(s: Storage, viewToken: object | undefined, isView: boolean): number {
  const rec = recOf(s);
  if (!rec) return 0;
  if (isView) {
    if (!viewToken || !viewRegistry.unregister(viewToken)) return rec.own + rec.views;
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
  const rec = recOf(s);
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
  /** Bytes of the live storages, over all backends. */
  bytes: number;
  /** Bytes currently held by tapes for backward (what `pack` returned when hooks pack). */
  savedBytes: number;
  /** Saved entries currently held. */
  savedTensors: number;
  /** Highest savedBytes since the last resetPeakMemory(). */
  peakSavedBytes: number;
  /** Per backend name: the live tensors and the bytes of their storages. */
  backends: Record<
    string,
    {
      /** Live tensors on that backend. */
      tensors: number;
      /** Bytes of live storages on that backend. */
      bytes: number;
    }
  >;
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

/**
 * Starts a new peak window for peakSavedBytes.
 * @example
 * gl.resetPeakMemory();
 * const loss = gl.ones([64, 64], { requiresGrad: true }).relu().sum();
 * console.log(gl.memory().peakSavedBytes); // bytes saved for this step's backward
 */
export function resetPeakMemory(): void {
  saved.peak = saved.bytes;
}
