// Which backends exist, which one new tensors go to, and how to switch (GRADLAB_BACKEND, setBackend).
import type { Backend, BackendCapabilities, BackendName } from './backend.js';
import { BackendError } from './errors.js';

/** A backend factory: returns the backend, or throws a BackendError saying why it cannot load. */
export type BackendLoader = () => Backend | Promise<Backend>;

interface Entry {
  loader: BackendLoader;
  priority: number;
  instance?: Backend;
  failure?: string;
  /** The loader returns a Promise: it runs only when setBackend (or ready) asks for it (never picked by default). */
  isAsync: boolean;
  /** An asynchronous loader's setup in progress (started once, shared by every caller). */
  pending?: Promise<Backend>;
}

const entries = new Map<BackendName, Entry>();
let current: Backend | null = null;
const reported = new Set<string>();

/**
 * Makes a backend available; higher priority is preferred by default. `isAsync` loaders (returning a
 * Promise) are only started by `await setBackend(name)`, never by a synchronous lookup.
 * @example
 * declare const myBackend: gl.Backend;
 * gl.registerBackend('js', () => myBackend, 100); // preferred over the built-in ones from now on
 */
export function registerBackend(
  name: BackendName,
  loader: BackendLoader,
  priority: number,
  isAsync = false,
): void {
  entries.set(name, { loader, priority, isAsync });
}

function loadSync(name: BackendName): Backend {
  const e = entries.get(name);
  if (!e) throw unknownBackend(name);
  if (e.instance) return e.instance;
  if (e.failure) throw new BackendError(`backend '${name}' is not available: ${e.failure}`);
  if (e.pending || e.isAsync) throw needsAsyncSetup(name);
  let b: Backend | Promise<Backend>;
  try {
    b = e.loader();
  } catch (err) {
    e.failure = (err as Error).message;
    throw new BackendError(`backend '${name}' is not available: ${e.failure}`);
  }
  if (b instanceof Promise) {
    track(e, b);
    throw needsAsyncSetup(name);
  }
  return (e.instance = b);
}

function needsAsyncSetup(name: BackendName): BackendError {
  return new BackendError(`backend '${name}' needs asynchronous setup: await gl.setBackend('${name}')`);
}

/** The error for a name nobody registered: lists the known names and, of those, the ones usable now. */
function unknownBackend(name: string): BackendError {
  return new BackendError(
    `unknown backend '${name}'; known backends: ${backendNames().join(', ')}` +
      ` (usable now: ${availableBackends().join(', ') || 'none'})`,
  );
}

/** Remembers an asynchronous setup so it runs once and its failure is never an unhandled rejection. */
function track(e: Entry, p: Promise<Backend>): Promise<Backend> {
  e.pending = p.then(
    (b) => (e.instance = b),
    (err: Error) => {
      e.failure = err.message;
      throw err;
    },
  );
  e.pending.catch(() => {});
  return e.pending;
}

/** The backend new tensors are created on. Picks GRADLAB_BACKEND or the best loadable one on first use. */
export function currentBackend(): Backend {
  if (current) return current;
  const wanted = typeof process !== 'undefined' ? process.env?.GRADLAB_BACKEND : undefined;
  if (wanted) {
    current = loadSync(wanted as BackendName);
    return current;
  }
  const ordered = [...entries].sort((a, b) => b[1].priority - a[1].priority);
  for (const [name] of ordered) {
    try {
      current = loadSync(name);
      return current;
    } catch (err) {
      const why = entries.get(name)?.failure ?? (err as Error).message;
      const next = ordered[ordered.findIndex(([n]) => n === name) + 1]?.[0];
      const msg = `gradlab: backend '${name}' unavailable (${why})${next ? `; using '${next}'` : ''}`;
      if (!reported.has(msg) && entries.get(name)?.isAsync === false) {
        reported.add(msg);
        console.warn(msg);
      }
    }
  }
  throw new BackendError('no backend could be loaded');
}

/**
 * Switches the backend for new tensors. Synchronous backends switch at once (errors are thrown
 * immediately); asynchronous ones (webgpu) finish when the returned promise resolves.
 * @example await gl.setBackend('js');
 */
export function setBackend(name: BackendName): Promise<void> {
  const e = entries.get(name);
  if (!e) throw unknownBackend(name);
  if (e.instance) {
    current = e.instance;
    return Promise.resolve();
  }
  if (e.failure) throw new BackendError(`backend '${name}' is not available: ${e.failure}`);
  let result: Backend | Promise<Backend>;
  try {
    result = e.pending ?? e.loader();
  } catch (err) {
    e.failure = (err as Error).message;
    throw new BackendError(`backend '${name}' is not available: ${e.failure}`);
  }
  if (result instanceof Promise)
    return (e.pending ?? track(e, result)).then(
      (b) => {
        current = b;
      },
      (err: Error) => {
        throw new BackendError(`backend '${name}' is not available: ${err.message}`);
      },
    );
  e.instance = result;
  current = result;
  return Promise.resolve();
}

/**
 * Finishes the setup of the backend chosen by GRADLAB_BACKEND when it is asynchronous (webgpu);
 * a no-op otherwise. Await it once before creating tensors.
 * @example GRADLAB_BACKEND=webgpu node train.js  // with `await gl.ready();` at the top
 */
export async function ready(): Promise<void> {
  const wanted = typeof process !== 'undefined' ? process.env?.GRADLAB_BACKEND : undefined;
  if (wanted && !current) await setBackend(wanted as BackendName);
}

/**
 * Name of the backend new tensors go to.
 * @example gl.getBackend(); // 'native' where the addon is built, else 'js'
 */
export function getBackend(): BackendName {
  return currentBackend().name;
}

/**
 * What a backend can do (float64, synchronous reads, host memory): the current one, or `name`
 * (loading it if needed; an asynchronous backend must have been set up with `await setBackend`).
 * @example if (!gl.backendCapabilities().float64) x = x.float();
 */
export function backendCapabilities(name?: BackendName): BackendCapabilities {
  return (name === undefined ? currentBackend() : loadSync(name)).capabilities;
}

/** True when `name` is a registered backend (loadable or not): how `to(target)` tells a backend from a dtype. */
export function isBackendName(name: string): name is BackendName {
  return entries.has(name as BackendName);
}

/** The backend instance with this name (loading it if needed). */
export function backendByName(name: BackendName): Backend {
  return loadSync(name);
}

/**
 * Every registered backend name, whether or not it loads here (what `setBackend` accepts).
 * @example gl.backendNames();   // ['js', 'native', 'webgpu']
 */
export function backendNames(): BackendName[] {
  return [...entries.keys()];
}

/**
 * The backends usable now without waiting: each synchronous one that loads on this machine, and each
 * asynchronous one (webgpu) once `await gl.setBackend(name)` has set it up. A registered name that is
 * missing here is either not loadable (its error says why) or still needs `await gl.setBackend(name)`.
 * @example gl.availableBackends();   // ['js', 'native']; after `await gl.setBackend('webgpu')` also 'webgpu'
 */
export function availableBackends(): BackendName[] {
  const out: BackendName[] = [];
  for (const [name, e] of entries) {
    if (e.instance) out.push(name);
    else if (!e.failure && !e.isAsync && !e.pending) {
      try {
        loadSync(name);
        out.push(name);
      } catch {
        /* reported by setBackend/currentBackend when asked for */
      }
    }
  }
  return out;
}
