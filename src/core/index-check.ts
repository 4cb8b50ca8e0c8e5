// Index range checks with one behaviour on every backend: read on the host where reads are synchronous,
// else computed on the device and reported by the next read (src/core/deferred-checks.ts).
import type { Backend } from './backend.js';
import { indexError, pendingChecks, queueCheck, type IndexCheckSpec } from './deferred-checks.js';
import { DTypeError } from './errors.js';
import { apply } from './engine.js';
import { keep, Tensor, tidy } from './tensor.js';
import { physicalOf } from './vmap/batched.js';

/** The smallest and largest of `values` other than `ignore`, or null when there are none. */
function hostRange(values: ArrayLike<number>, ignore: number | undefined): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignore) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? null : [lo, hi];
}

/**
 * Throws IndexOutOfRangeError unless every value of the int32 tensor `index` (other than
 * `spec.ignore`) lies in [0, spec.size). The offending value reported is the largest when one is too
 * large, else the smallest: the same error on every backend. On backends without synchronous reads
 * the check runs on the device and its error is thrown by the next `data()` / `itemAsync()`.
 */
export function checkIndexRange(batchedIndex: Tensor, spec: IndexCheckSpec): void {
  const index = physicalOf(batchedIndex); // inside vmap: every example's indices
  if (index.dtype !== 'int32')
    throw new DTypeError(`${spec.op}: index must be an int32 tensor, got ${index.dtype}`);
  if (index.numel === 0) return;
  const backend = index.storage.backend;
  if (backend.capabilities.syncRead) {
    const range = hostRange(index.dataSync(), spec.ignore);
    if (range && (range[0] < 0 || range[1] >= spec.size))
      throw indexError(spec, range[1] >= spec.size ? range[1] : range[0]);
    return;
  }
  deviceCheck(backend, index, spec);
}

function deviceCheck(backend: Backend, index: Tensor, spec: IndexCheckSpec): void {
  const running = pendingChecks(backend);
  const [id, value] = tidy(() => {
    // constants are uploaded, not filled by a kernel: the check costs only its compute dispatches
    const int = (value: number) =>
      new Tensor(backend.upload('int32', Int32Array.of(value)), [], [], 0, 'int32');
    const all = { dims: index.shape.map((_, i) => i), keepdim: false };
    const idx =
      spec.ignore === undefined
        ? index
        : apply('where', [apply('eq', [index, int(spec.ignore)], null), int(0), index], null);
    const lo = apply('amin', [idx], all);
    const hi = apply('amax', [idx], all);
    const tooHigh = apply('ge', [hi, int(spec.size)], null);
    const bad = apply('logicalOr', [apply('lt', [lo, int(0)], null), tooHigh], null);
    const offending = apply('where', [tooHigh, hi, lo], null);
    if (!running) return [apply('where', [bad, int(1), int(0)], null), offending];
    const first = apply('logicalAnd', [apply('eq', [running.id, int(0)], null), bad], null);
    return [
      apply('where', [first, int(running.next), running.id], null),
      apply('where', [first, offending, running.value], null),
    ];
  });
  queueCheck(backend, spec, keep(id), keep(value));
}
