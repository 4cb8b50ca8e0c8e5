// Saved tensors: the single choke point through which rules keep data for backward (hooks, accounting, version checks).
import type { Storage } from './backend.js';
import { itemSize } from './dtype.js';
import { InplaceModificationError } from './errors.js';
import { addSavedBytes } from './memory.js';
import { state } from './state.js';
import type { Tensor } from './tensor.js';

/**
 * Pack/unpack hooks applied to every tensor saved for backward inside a `savedTensorHooks` region
 * (PyTorch semantics: the innermost region's hooks apply).
 */
export interface SavedTensorHooks {
  /**
   * Receives the tensor to save; returns what to keep (a tensor, a typed array, or an object holding them).
   * @example
   * const x = gl.randn([4, 4], { requiresGrad: true });
   * const y = gl.savedTensorHooks(
   *   { pack: (t) => t.detach().to('float64'), unpack: (p) => (p as gl.Tensor).to('float32') }, // keep float64 copies
   *   () => x.exp().sum(),
   * );
   * y.backward();
   */
  pack(t: Tensor): unknown;
  /**
   * Receives what pack returned; returns the tensor backward will use.
   * @example
   * let unpacked = 0;
   * const hooks: gl.SavedTensorHooks = {
   *   pack: (t) => t,
   *   unpack: (p) => (unpacked++, p as gl.Tensor), // runs when backward reads a saved tensor
   * };
   * const x = gl.randn([3], { requiresGrad: true });
   * gl.savedTensorHooks(hooks, () => x.mul(x).sum()).backward();
   * unpacked; // 2: both inputs of mul
   */
  unpack(packed: unknown): Tensor;
}

/**
 * Applies pack/unpack hooks to everything saved for backward while `fn` runs.
 * @example
 * const y = gl.savedTensorHooks({ pack: (t) => t.to('float16'), unpack: (p) => p.float() }, () => f(x));
 */
export function savedTensorHooks<T>(hooks: SavedTensorHooks, fn: () => T): T {
  state.savedHooks.push(hooks);
  try {
    return fn();
  } finally {
    state.savedHooks.pop();
  }
}

const storageRefs = new WeakMap<Storage, number>();

/** Whether a saved entry still holds this storage (dispose() must then keep it). */
export function isStorageSaved(s: Storage): boolean {
  return storageRefs.has(s);
}

function holdStorage(s: Storage): number {
  const n = storageRefs.get(s) ?? 0;
  storageRefs.set(s, n + 1);
  return n === 0 ? s.byteLength : 0;
}

/** Storages whose tensors were all disposed while a tape still held them: freed when the last hold drops. */
const disposeWhenReleased = new WeakMap<Storage, () => void>();

/** Calls `free` as soon as no saved entry holds `s` any more (after any callback registered before). */
export function deferStorageDispose(s: Storage, free: () => void): void {
  const before = disposeWhenReleased.get(s);
  disposeWhenReleased.set(
    s,
    before
      ? () => {
          before();
          free();
        }
      : free,
  );
}

function dropStorage(s: Storage): number {
  const n = storageRefs.get(s) ?? 0;
  if (n <= 1) {
    storageRefs.delete(s);
    const free = disposeWhenReleased.get(s);
    if (free && n === 1) {
      disposeWhenReleased.delete(s);
      free();
    }
    return n === 1 ? s.byteLength : 0;
  }
  storageRefs.set(s, n - 1);
  return 0;
}

/** Bytes of what a pack hook returned: its tensors and typed arrays, found recursively. */
export function packedBytes(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== 'object' || seen.has(value)) return 0;
  seen.add(value);
  if (isTensorLike(value)) return value.numel * itemSize(value.dtype);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  let sum = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) sum += packedBytes(v, seen);
  return sum;
}

const packedRefs = new WeakMap<object, { n: number; bytes: number }>();

// A pack hook may return the same object for several saves (one tensor saved by two ops): like a shared
// storage, it is counted once, while any entry holds it.
function holdPacked(p: object, bytes: number): number {
  const r = packedRefs.get(p);
  if (r) {
    r.n++;
    return 0;
  }
  packedRefs.set(p, { n: 1, bytes });
  return bytes;
}

function dropPacked(p: object): number {
  const r = packedRefs.get(p);
  if (!r) return 0;
  if (--r.n > 0) return 0;
  packedRefs.delete(p);
  return r.bytes;
}

function isTensorLike(v: object): v is { numel: number; dtype: Tensor['dtype'] } {
  return (v as { __isTensor?: boolean }).__isTensor === true;
}

/** What an observer is told when a tape node keeps an entry for backward. */
export interface SavedEntryInfo {
  /** The entry's accounting record; the same object is passed to onRelease. */
  account: SavedAccount;
  /** The op (node) that saved it. */
  op: string;
  /** That op's `gl.scope` path. */
  scope: string;
  /** Shape of the saved tensor. */
  shape: readonly number[];
  /** Its dtype. */
  dtype: Tensor['dtype'];
  /** True for a leaf (input, parameter or constant), false for an intermediate. */
  leaf: boolean;
  /** Whether a pack hook transformed the tensor. */
  packed: boolean;
  /** Bytes this entry added to savedBytes (0 when its storage was already held). */
  addedBytes: number;
}

/** Listener of saved-entry accounting (the lab's memory profiler): every save and every release. */
export interface SavedObserver {
  /** Called when a tape node keeps an entry for backward. */
  onSave(info: SavedEntryInfo): void;
  /** Called when that entry is released; `freedBytes` is what left savedBytes (0 while another entry holds the storage). */
  onRelease(account: SavedAccount, freedBytes: number): void;
}

/** Registered observers; empty unless a profiler runs. Read-only outside this module: use onSaved. */
const observers: SavedObserver[] = [];

/** @internal the observers now registered (core's save and release paths notify them). */
export const savedObservers: readonly SavedObserver[] = observers;

/**
 * Registers `observer` for every saved-entry save and release until the returned function is called
 * (the lab's memory profiler is built on it). Unsubscribing twice is harmless.
 * @example const off = onSaved({ onSave: (e) => log(e.op, e.addedBytes), onRelease: () => {} }); try { run(); } finally { off(); }
 */
export function onSaved(observer: SavedObserver): () => void {
  observers.push(observer);
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    const i = observers.indexOf(observer);
    if (i >= 0) observers.splice(i, 1);
  };
}

/** Accounting of one saved entry, kept apart from the tensor so finalizers never hold a graph alive. */
export interface SavedAccount {
  /** The storage the entry keeps alive (null when a pack hook replaced the tensor). */
  storage: Storage | null;
  /** The entry's bytes. */
  bytes: number;
  /** What a pack hook returned, when it is an object (counted once however many entries hold it). */
  packed?: object | null;
}

/** One saved entry of a tape node. */
export class SavedSlot {
  private tensor: Tensor | null;
  private readonly version: number;
  private readonly packed: unknown;
  private readonly hooks: SavedTensorHooks | null;
  readonly account: SavedAccount;
  /** Shape and dtype of the tensor that was saved (for residual listings). */
  readonly shape: readonly number[];
  readonly dtype: Tensor['dtype'];
  /** Whether the saved tensor is a leaf (a parameter or input) rather than an intermediate. */
  readonly isLeaf: boolean;
  /** Bytes this entry added to the accounting when it was made. */
  readonly addedBytes: number;

  constructor(t: Tensor) {
    this.shape = t.shape;
    this.dtype = t.dtype;
    this.isLeaf = t.gradFn === null;
    this.version = t._version.value;
    const hooks = state.savedHooks.length ? state.savedHooks[state.savedHooks.length - 1] : null;
    this.hooks = hooks;
    if (hooks) {
      // the hook's result is what is held: a pack that drops the tensor frees it
      const packed = hooks.pack(t);
      this.packed = packed;
      this.tensor = null;
      const bytes = packedBytes(packed);
      const obj = typeof packed === 'object' && packed !== null ? packed : null;
      this.account = { storage: null, bytes, packed: obj };
      this.addedBytes = obj ? holdPacked(obj, bytes) : bytes;
      addSavedBytes(this.addedBytes, 1);
    } else {
      this.packed = null;
      this.tensor = t;
      this.account = { storage: t.storage, bytes: 0 };
      this.addedBytes = holdStorage(t.storage);
      addSavedBytes(this.addedBytes, 1);
    }
  }

  /** Bytes this entry adds to the accounting (0 for a storage already held by another entry). */
  get bytes(): number {
    return this.account.storage ? this.account.storage.byteLength : this.account.bytes;
  }

  unpack(op: string): Tensor {
    if (this.hooks) return this.hooks.unpack(this.packed);
    const t = this.tensor!;
    if (t._version.value !== this.version)
      throw new InplaceModificationError(
        `${op}: a tensor of shape [${t.shape.join(',')}] saved for backward was modified in place ` +
          `(version ${this.version} at save, ${t._version.value} now); use an out-of-place op or clone() before modifying it`,
      );
    return t;
  }
}

/** Releases the accounting of saved entries (after backward, or when a graph is collected unused). */
export function releaseAccounts(accounts: readonly SavedAccount[]): void {
  let bytes = 0;
  const freed = savedObservers.length ? new Array<number>(accounts.length) : null;
  accounts.forEach((a, i) => {
    const b = a.storage ? dropStorage(a.storage) : a.packed ? dropPacked(a.packed) : a.bytes;
    bytes += b;
    if (freed) freed[i] = b;
  });
  addSavedBytes(-bytes, -accounts.length);
  if (freed) for (const o of savedObservers) accounts.forEach((a, i) => o.onRelease(a, freed[i]));
}
