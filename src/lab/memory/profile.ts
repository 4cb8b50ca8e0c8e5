// Memory timeline of one step: every entry the tape saves and releases, the peak, and who holds it.
import { itemSize, type DType } from '../../core/dtype.js';
import { ArgumentError } from '../../core/errors.js';
import { memory } from '../../core/memory.js';
import { onSaved, type SavedAccount, type SavedObserver } from '../../core/saved.js';
import { state } from '../../core/state.js';
import type { Module } from '../../nn/module.js';
import { labelModules } from './labels.js';
import { formatBytes, formatTable } from './table.js';

/** One save or release on the tape. */
export interface TimelineEvent {
  /** Position in the timeline (0, 1, ...). */
  seq: number;
  /** A new saved entry, or the release of one. */
  kind: 'save' | 'release';
  /** Which entry (the index of its save event; a release of an entry saved before profiling has -1). */
  entry: number;
  /** The op that saved the entry. */
  op: string;
  /** gl.scope / module path active when the op was recorded ('' when none). */
  scope: string;
  /** Shape of the saved tensor. */
  shape: number[];
  /** Its dtype. */
  dtype: DType;
  /** Bytes of the saved tensor itself (elements × item size). */
  bytes: number;
  /** Bytes the entry keeps: what a pack hook returned, or the tensor's whole storage when unpacked. */
  packedBytes: number;
  /** Whether a pack hook (Mesa, checkpoint, ...) transformed the entry. */
  packed: boolean;
  /** Parameters and inputs are leaves; activations are intermediates. */
  leaf: boolean;
  /** 'forward', or 'backward' for saves made while backward runs (checkpoint recomputation). */
  phase: 'forward' | 'backward';
  /** Change of the saved-bytes total (0 when a storage was already held by another entry). */
  delta: number;
  /** Saved bytes held after this event, counted from the start of the profile. */
  total: number;
}

/** An entry held at the peak. */
export interface Holder {
  /** The entry (the seq of its save event). */
  entry: number;
  /** The op that saved it. */
  op: string;
  /** Its scope or module path. */
  scope: string;
  /** Shape of the saved tensor. */
  shape: number[];
  /** Its dtype. */
  dtype: DType;
  /** What it adds to the held total (storage shared with an earlier entry counts once). */
  heldBytes: number;
  /** Bytes the entry keeps (after any pack hook). */
  packedBytes: number;
  /** A parameter or input (else an activation). */
  leaf: boolean;
}

/** One row of the by-module table. */
export interface ModuleRow {
  /** The scope (module path, cut to the requested depth; '(no scope)' for none). */
  scope: string;
  /** Entries saved under it. */
  saves: number;
  /** Bytes of those saved tensors. */
  bytes: number;
  /** Bytes those entries keep (after pack hooks). */
  packedBytes: number;
  /** Bytes this scope's entries held at the peak. */
  atPeak: number;
}

/** The JSON form of a timeline (what the dashboard draws). */
export interface TimelineJSON {
  /** Every save and release, in order. */
  events: TimelineEvent[];
  /** As MemoryTimeline.peak. */
  peak: {
    /** The highest held total. */
    bytes: number;
    /** The event where it was reached (-1 when nothing was saved). */
    seq: number;
    /** The entries alive then, largest first. */
    holders: Holder[];
  };
  /** Totals over the timeline. */
  totals: {
    /** Save events. */
    saves: number;
    /** Release events. */
    releases: number;
    /** Bytes of all saved tensors. */
    savedBytes: number;
    /** Bytes all entries kept (after pack hooks). */
    packedBytes: number;
    /** Saved bytes still held after the last event. */
    heldAtEnd: number;
  };
  /** MemoryTimeline.byModule() at full depth. */
  byModule: ModuleRow[];
}

/** Options of profile(). */
export interface ProfileOptions {
  /** Label every submodule's ops with its path (as gl.scope would) while `fn` runs. */
  model?: Module;
  /** Scope name given to the model itself (default: none). */
  modelName?: string;
}

/**
 * What profile() returns: the timeline, the peak and who holds it, and fn's result.
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(16, 32), new gl.nn.ReLU(), new gl.nn.Linear(32, 4));
 * const tl = gl.lab.memory.profile(() => model.forward(gl.randn([8, 16])).sum().backward(), { model });
 * tl.peak.bytes; // saved bytes held at the peak
 */
export class MemoryTimeline<T = unknown> {
  /** @param events - Every save and release, in order. */
  constructor(
    readonly events: TimelineEvent[],
    /** What `fn` returned. */
    readonly result: T,
  ) {}

  /** The highest held total, the event where it happened and the entries alive then (largest first). */
  get peak(): {
    /** The highest held total. */
    bytes: number;
    /** The event where it was reached (-1 when nothing was saved). */
    seq: number;
    /** The entries alive then, largest first. */
    holders: Holder[];
  } {
    let bytes = 0;
    let seq = -1;
    for (const e of this.events)
      if (e.total > bytes) {
        bytes = e.total;
        seq = e.seq;
      }
    return { bytes, seq, holders: seq < 0 ? [] : this.holdersAt(seq) };
  }

  /**
   * Entries alive right after event `seq`.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(16, 32), new gl.nn.ReLU(), new gl.nn.Linear(32, 4));
   * const tl = gl.lab.memory.profile(() => model.forward(gl.randn([8, 16])).sum(), { model });
   * tl.holdersAt(tl.events.length - 1).map((h) => h.op); // what the forward keeps for backward
   */
  holdersAt(seq: number): Holder[] {
    const alive = new Map<number, TimelineEvent>();
    for (const e of this.events) {
      if (e.seq > seq) break;
      if (e.kind === 'save') alive.set(e.entry, e);
      else alive.delete(e.entry);
    }
    return [...alive.values()]
      .map((e) => ({
        entry: e.entry,
        op: e.op,
        scope: e.scope,
        shape: e.shape,
        dtype: e.dtype,
        heldBytes: e.delta,
        packedBytes: e.packedBytes,
        leaf: e.leaf,
      }))
      .sort((a, b) => b.heldBytes - a.heldBytes);
  }

  /**
   * Totals per scope (module path), in order of first appearance; `depth` cuts paths to that many parts.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(16, 32), new gl.nn.ReLU(), new gl.nn.Linear(32, 4));
   * const tl = gl.lab.memory.profile(() => model.forward(gl.randn([8, 16])).sum(), { model });
   * for (const row of tl.byModule(1)) console.log(row);
   */
  byModule(depth = Infinity): ModuleRow[] {
    const cut = (s: string) => (s === '' ? '(no scope)' : s.split('/').slice(0, depth).join('/'));
    const rows = new Map<string, ModuleRow>();
    const row = (s: string) => {
      let r = rows.get(s);
      if (!r) rows.set(s, (r = { scope: s, saves: 0, bytes: 0, packedBytes: 0, atPeak: 0 }));
      return r;
    };
    for (const e of this.events)
      if (e.kind === 'save') {
        const r = row(cut(e.scope));
        r.saves++;
        r.bytes += e.bytes;
        r.packedBytes += e.packedBytes;
      }
    for (const h of this.peak.holders) row(cut(h.scope)).atPeak += h.heldBytes;
    return [...rows.values()];
  }

  /**
   * The JSON form: events, peak, totals and the by-module table.
   * @example
   * const model = new gl.nn.Linear(16, 4);
   * const tl = gl.lab.memory.profile(() => model.forward(gl.randn([8, 16])).sum(), { model });
   * const json = JSON.stringify(tl); // events, peak, totals and the by-module table
   */
  toJSON(): TimelineJSON {
    const saves = this.events.filter((e) => e.kind === 'save');
    const last = this.events.length ? this.events[this.events.length - 1].total : 0;
    return {
      events: this.events,
      peak: this.peak,
      totals: {
        saves: saves.length,
        releases: this.events.length - saves.length,
        savedBytes: saves.reduce((a, e) => a + e.bytes, 0),
        packedBytes: saves.reduce((a, e) => a + e.packedBytes, 0),
        heldAtEnd: last,
      },
      byModule: this.byModule(),
    };
  }

  /**
   * A printable table by module: saves, tensor bytes, packed bytes, bytes held at the peak.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(16, 32), new gl.nn.ReLU(), new gl.nn.Linear(32, 4));
   * const tl = gl.lab.memory.profile(() => model.forward(gl.randn([8, 16])).sum(), { model });
   * console.log(tl.table());
   */
  table(depth = Infinity): string {
    const rows = this.byModule(depth);
    const peak = this.peak;
    const body = rows.map((r) => [
      r.scope,
      String(r.saves),
      formatBytes(r.bytes),
      formatBytes(r.packedBytes),
      formatBytes(r.atPeak),
    ]);
    const total = this.toJSON().totals;
    body.push([
      'total',
      String(total.saves),
      formatBytes(total.savedBytes),
      formatBytes(total.packedBytes),
      formatBytes(peak.bytes),
    ]);
    return formatTable(['module', 'saves', 'bytes', 'packed', 'at peak'], body);
  }

  /**
   * The by-module table (as table()).
   * @example
   * const model = new gl.nn.Linear(16, 4);
   * console.log(String(gl.lab.memory.profile(() => model.forward(gl.randn([8, 16])).sum(), { model }))); // the table
   */
  toString(): string {
    return this.table();
  }
}

/**
 * Runs one step `fn` (forward and backward) and records every entry the tape saves and releases:
 * op, scope or module path, shape, dtype, bytes and packed bytes, and the running total. Built on the
 * core's saved-bytes accounting, so what a pack hook (Mesa, checkpoint) keeps is what is counted.
 * @example
 * const tl = gl.lab.memory.profile(() => { lossFn(model.forward(x), y).backward(); }, { model });
 * console.log(tl.table()); // saves, bytes, packed bytes and bytes at the peak, by module
 * tl.peak.holders[0];      // the largest entry alive at the peak
 */
export function profile<T>(fn: () => T, opts: ProfileOptions = {}): MemoryTimeline<T> {
  if (typeof fn !== 'function')
    throw new ArgumentError(`lab.memory.profile: expected a function to run, got ${typeof fn}`);
  const events: TimelineEvent[] = [];
  const entries = new Map<SavedAccount, TimelineEvent>();
  const base = memory().savedBytes;
  const observer: SavedObserver = {
    onSave(info) {
      const n = info.shape.reduce((a, b) => a * b, 1);
      const e: TimelineEvent = {
        seq: events.length,
        kind: 'save',
        entry: events.length,
        op: info.op,
        scope: info.scope,
        shape: [...info.shape],
        dtype: info.dtype,
        bytes: n * itemSize(info.dtype),
        packedBytes: info.account.storage ? info.account.storage.byteLength : info.account.bytes,
        packed: info.packed,
        leaf: info.leaf,
        phase: state.inBackward ? 'backward' : 'forward',
        delta: info.addedBytes,
        total: memory().savedBytes - base,
      };
      entries.set(info.account, e);
      events.push(e);
    },
    onRelease(account, freed) {
      const s = entries.get(account);
      entries.delete(account);
      events.push({
        seq: events.length,
        kind: 'release',
        entry: s ? s.entry : -1,
        op: s?.op ?? '(saved before profile)',
        scope: s?.scope ?? '',
        shape: s?.shape ?? [],
        dtype: s?.dtype ?? 'float32',
        bytes: s?.bytes ?? 0,
        packedBytes: s?.packedBytes ?? account.bytes,
        packed: s?.packed ?? account.storage === null,
        leaf: s?.leaf ?? false,
        phase: state.inBackward ? 'backward' : 'forward',
        delta: freed === 0 ? 0 : -freed,
        total: memory().savedBytes - base,
      });
    },
  };
  const restore = opts.model ? labelModules(opts.model, opts.modelName) : () => {};
  const unsubscribe = onSaved(observer);
  let result: T;
  try {
    result = fn();
  } finally {
    unsubscribe();
    restore();
  }
  if (
    result !== null &&
    typeof result === 'object' &&
    typeof (result as { then?: unknown }).then === 'function'
  )
    throw new ArgumentError(
      'lab.memory.profile: the step returned a Promise; profile a synchronous step (await data before it)',
    );
  fixReleaseTotals(events);
  return new MemoryTimeline(events, result);
}

// A node releases its entries together and the core updates the total once, so the observers of one
// node all read the final total; spread it back so each release shows its own step.
function fixReleaseTotals(events: TimelineEvent[]): void {
  for (let i = 1; i < events.length; i++)
    if (events[i].kind === 'release') events[i].total = events[i - 1].total + events[i].delta;
}
