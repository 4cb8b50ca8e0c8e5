// Named errors of the run store beyond StoreError: a newer schema, a run driven by another process, an unknown run.
import { StoreError } from '../core/errors.js';
import type { RunLease } from './types.js';

/**
 * The store was written by a newer gradlab (its schema version is higher than this code knows),
 * or is older and opened read-only (it must be migrated by a writable open first).
 * @example
 * try {
 *   RunStore.open('exp-from-a-newer-gradlab');
 * } catch (e) {
 *   if (e instanceof StoreVersionError) console.log(e.message); // the schema version found and the one this gradlab knows
 * }
 */
export class StoreVersionError extends StoreError {
  constructor(
    message: string,
    /** The store's schema version. */
    readonly found: number,
    /** The version this code reads and writes. */
    readonly expected: number,
  ) {
    super(message);
  }
}

/**
 * A run is driven by another live process: its lease in the store is held and not expired.
 * `holder` says who holds it (pid, host, process start time) and until when.
 * @example
 * declare const store: RunStore;
 * try {
 *   store.reopenRun('k7m2xq'); // still training in another live process
 * } catch (e) {
 *   if (e instanceof RunLeaseError) console.log(e.message); // names the owner's pid and host
 * }
 */
export class RunLeaseError extends StoreError {
  /** @param holder - The lease now held by the other process, or null when the lease was released. */
  constructor(
    message: string,
    readonly holder: RunLease | null,
  ) {
    super(message);
  }
}

/**
 * No run (or group) with that id, or an id prefix matching none or several.
 * @example
 * const store = RunStore.open('exp');
 * try {
 *   store.getRun('nope');
 * } catch (e) {
 *   if (e instanceof RunNotFoundError) console.log(e.message); // no run 'nope' in .../exp/runs.db ...
 * }
 * store.close();
 */
export class RunNotFoundError extends StoreError {}
