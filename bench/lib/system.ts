// The interface each JavaScript system (gradlab, tfjs-cpu, tfjs-wasm, jax-js) implements for the child runner.
import type { Prepared } from './protocol.js';
import type { SystemInfo } from './result.js';
import type { WorkloadSpec } from './workloads.js';

export interface BenchSystem {
  /** Loads and initializes the library; throws if it is not installed or cannot start. */
  setup(): Promise<SystemInfo>;
  /** Builds inputs and the step for one workload; throws UnsupportedError when it cannot run it. */
  prepare(spec: WorkloadSpec): Prepared | Promise<Prepared>;
}

/** The system has no way to run this workload (a missing kernel, a missing op). */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/** Messages that mean "this library lacks a kernel/op", as thrown by the peers themselves. */
const UNSUPPORTED = /not (yet )?(implemented|registered|supported)|unsupported|no kernel/i;

export function isUnsupported(err: unknown): boolean {
  return err instanceof UnsupportedError || (err instanceof Error && UNSUPPORTED.test(err.message));
}

/** One line: the error's first line, without stack. */
export const errorLine = (err: unknown): string =>
  (err instanceof Error ? `${err.name === 'Error' ? '' : err.name + ': '}${err.message}` : String(err))
    .split('\n')[0]
    .slice(0, 300);
