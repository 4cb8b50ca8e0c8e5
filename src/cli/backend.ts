// The compute backend a command asked for (--backend, else $GRADLAB_BACKEND) and its setup, asynchronous ones included.
import * as gl from '../index.js';
import { BACKEND_NAMES } from './args.js';
import type { GlobalOptions } from './args.js';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';

/** Backends a command can be asked to use (`--backend` and `$GRADLAB_BACKEND` accept the same names). */
export const BACKEND_CHOICES = BACKEND_NAMES;

/** One of BACKEND_CHOICES. */
export type CliBackend = (typeof BACKEND_CHOICES)[number];

/** Name of the environment variable read when --backend is not given. */
export const BACKEND_ENV_VAR = 'GRADLAB_BACKEND';

/**
 * The backend asked for: `--backend`, else `$GRADLAB_BACKEND`, else undefined. An unknown name in
 * the variable is a UsageError naming the variable (the flag's choices are checked by the parser).
 *
 * @example
 * requestedBackend({ backend: 'webgpu' }, ctx, 'gradlab train'); // 'webgpu'
 */
export function requestedBackend(
  global: GlobalOptions,
  ctx: CliContext,
  where: string,
): CliBackend | undefined {
  if (global.backend !== undefined) return global.backend;
  const v = ctx.env[BACKEND_ENV_VAR];
  if (v === undefined || v === '') return undefined;
  if (!(BACKEND_CHOICES as readonly string[]).includes(v))
    throw new UsageError(
      `${where}: $${BACKEND_ENV_VAR} is '${v}'; expected one of ${BACKEND_CHOICES.join(', ')} (or unset it)`,
      where,
    );
  return v as CliBackend;
}

/** The backend used when none is asked for: native where it loads, else js (webgpu only on request). */
export function defaultBackend(): CliBackend {
  return gl.availableBackends().includes('native') ? 'native' : 'js';
}

/**
 * Makes `name` the backend for new tensors, awaiting its asynchronous setup (webgpu: adapter and
 * device). BackendError (exit 1) when it cannot load here, e.g. no GPU adapter.
 *
 * @example
 * await useBackend('webgpu');
 */
export async function useBackend(name: CliBackend): Promise<void> {
  await gl.setBackend(name);
}
