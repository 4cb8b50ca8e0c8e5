// Named errors of the run store beyond StoreError: a newer schema, a run driven by another process, an unknown run.
import { StoreError } from '../core/errors.js';
import type { RunLease } from './types.js';

/**
 * The store was written by a newer gradlab (its schema version is higher than this code knows),
 * or is older and opened read-only (it must be migrated by a writable open first).
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

/** No run (or group) with that id, or an id prefix matching none or several. */
export class RunNotFoundError extends StoreError {}
