// Checks whose verdict stays on the device until the next read: what asynchronous backends report there.
import type { Backend } from './backend.js';
import { IndexOutOfRangeError } from './errors.js';
import type { Tensor } from './tensor.js';

/** What an index check guards: the op, the valid range [0, size), and an index value that is exempt. */
export interface IndexCheckSpec {
  /** Names the op in the message, e.g. 'gather'. */
  op: string;
  size: number;
  /** A value that is allowed besides 0..size-1 (crossEntropy's ignoreIndex). */
  ignore?: number;
  /** What the values are, in the message (default 'index'). */
  noun?: 'index' | 'target class';
}

/** The error an out-of-range `value` raises: the same class and words on every backend. */
export function indexError(spec: IndexCheckSpec, value: number): IndexOutOfRangeError {
  if (spec.noun === 'target class')
    return new IndexOutOfRangeError(
      `${spec.op}: target class ${value} is out of range for ${spec.size} classes (expected 0..${spec.size - 1}${spec.ignore === undefined ? '' : ` or ignoreIndex ${spec.ignore}`})`,
    );
  return new IndexOutOfRangeError(
    `${spec.op}: index ${value} is out of range for a dimension of size ${spec.size}`,
  );
}

/**
 * The checks queued on one backend since its last read: `id` and `value` are int32 scalars on the
 * device holding the first failing check's number (0 while none failed) and its offending value.
 */
interface Pending {
  id: Tensor;
  value: Tensor;
  /** specs[k - 1] is check number k: an interned index check, or the error factory of another check. */
  specs: (number | DeferredError)[];
}

/** A check other than an index range (e.g. a factorization's): builds its error from the offending value. */
export type DeferredError = (value: number) => Error;

/** Interned check descriptions: a training loop repeats the same few, so each is stored once. */
const specTable: IndexCheckSpec[] = [];
const specIndex = new Map<string, number>();
const pending = new Map<Backend, Pending>();

function intern(spec: IndexCheckSpec): number {
  const key = `${spec.op}\u0000${spec.size}\u0000${spec.ignore ?? ''}\u0000${spec.noun ?? 'index'}`;
  let k = specIndex.get(key);
  if (k === undefined) {
    k = specTable.length;
    specTable.push({ ...spec });
    specIndex.set(key, k);
  }
  return k;
}

/** @internal the running verdict of `backend`'s queued checks (null when none is queued). */
export function pendingChecks(backend: Backend): { id: Tensor; value: Tensor; next: number } | null {
  const p = pending.get(backend);
  return p ? { id: p.id, value: p.value, next: p.specs.length + 1 } : null;
}

/**
 * @internal queues check number `next` (from pendingChecks, or 1): `id` / `value` are the new running
 * verdict (kept out of tidy scopes by the caller); the previous one is disposed.
 */
export function queueCheck(
  backend: Backend,
  spec: IndexCheckSpec | DeferredError,
  id: Tensor,
  value: Tensor,
): void {
  const p = pending.get(backend);
  const entry = typeof spec === 'function' ? spec : intern(spec);
  if (p) {
    p.id.dispose();
    p.value.dispose();
    p.id = id;
    p.value = value;
    p.specs.push(entry);
  } else pending.set(backend, { id, value, specs: [entry] });
}

/**
 * Reads the verdict of `backend`'s queued checks and throws the first failure's error (an
 * IndexOutOfRangeError, as the synchronous backends throw at the op). Called by every read.
 */
export async function settleChecks(backend: Backend): Promise<void> {
  const p = pending.get(backend);
  if (!p) return;
  pending.delete(backend);
  try {
    const [id, value] = await Promise.all([backend.read(p.id), backend.read(p.value)]);
    if (id[0] !== 0) {
      const spec = p.specs[id[0] - 1];
      throw typeof spec === 'function' ? spec(value[0]) : indexError(specTable[spec], value[0]);
    }
  } finally {
    p.id.dispose();
    p.value.dispose();
  }
}
