// Fused-kernel test helpers: run with a backend's fused table replaced, and count kernel/composite runs.
import * as gl from '../../src/index.js';
import type { Backend } from '../../src/backends/backend.js';
import type { BackendFusedTable, FusedKernel } from '../../src/core/fused-kernels.js';

/** Runs `fn` (sync or async) with `be.fused` replaced by `table`, restoring it afterwards. */
export async function withFusedTable<T>(
  be: Backend,
  table: BackendFusedTable,
  fn: () => T | Promise<T>,
): Promise<T> {
  const saved = be.fused;
  Object.defineProperty(be, 'fused', { value: table, configurable: true, writable: true });
  try {
    return await fn();
  } finally {
    Object.defineProperty(be, 'fused', { value: saved, configurable: true, writable: true });
  }
}

/** The same, synchronously. */
export function withFusedTableSync<T>(be: Backend, table: BackendFusedTable, fn: () => T): T {
  const saved = be.fused;
  Object.defineProperty(be, 'fused', { value: table, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(be, 'fused', { value: saved, configurable: true, writable: true });
  }
}

/** `be`'s fused table without the entries `ks` (those then run their composites). */
export function without(be: Backend, ...ks: FusedKernel[]): BackendFusedTable {
  const rest: Record<string, unknown> = { ...(be.fused ?? {}) };
  for (const k of ks) delete rest[k];
  return rest as BackendFusedTable;
}

/** How many kernel and composite runs entry `k` makes while `fn` runs (sync). */
export function runsOf<T>(k: FusedKernel, fn: () => T): { kernel: number; composite: number; result: T } {
  const before = gl.fusedStats()[k];
  const result = fn();
  const after = gl.fusedStats()[k];
  return { kernel: after.kernel - before.kernel, composite: after.composite - before.composite, result };
}
