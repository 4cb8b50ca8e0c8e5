// Which op a LinAlgError is reported under: the relabels in effect now, and failures found later (asynchronous backends).
import { LinAlgError } from './errors.js';

/** Turns a factorization's LinAlgError into the one the user-facing function reports. */
export type LinAlgRelabel = (e: LinAlgError) => LinAlgError;

/** The relabels of the calls in progress, outermost first. */
const active: LinAlgRelabel[] = [];

/**
 * Runs `f` with `relabel` applied to any LinAlgError it raises: at once when a backend raises it
 * synchronously, and later (when the failure is read back) for a failure a backend defers.
 * @example withLinAlgRelabel((e) => e.renamed('linalg.inv'), () => apply('solve', [A, I], null));
 */
export function withLinAlgRelabel<T>(relabel: LinAlgRelabel, f: () => T): T {
  active.push(relabel);
  try {
    return f();
  } catch (e) {
    if (e instanceof LinAlgError) throw relabel(e);
    throw e;
  } finally {
    active.pop();
  }
}

/**
 * @internal the error factory of a failure found on the device: `make` builds the kernel's own
 * LinAlgError from the value read back, then the relabels in effect now apply, innermost first,
 * exactly as they would to the error a synchronous backend throws.
 */
export function deferredLinAlgError(make: (value: number) => LinAlgError): (value: number) => LinAlgError {
  const relabels = [...active];
  return (value) => {
    let e = make(value);
    for (let i = relabels.length - 1; i >= 0; i--) e = relabels[i](e);
    return e;
  };
}
