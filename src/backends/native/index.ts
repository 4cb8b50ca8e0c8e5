// The `native` backend: typed-array storage shared with JS, kernels from the C++ addon (BLAS, threads).
import type { Backend } from '../backend.js';
import { TypedArrayBackend } from '../js/index.js';
import { loadAddon } from './addon.js';
import { nativeKernels } from './kernels.js';
import { meta, scalars } from './meta.js';

/**
 * Loads the addon and builds the backend; throws a BackendError saying why when the addon is missing.
 * @example gl.setBackend('native')
 */
export function createNativeBackend(): Backend {
  const addon = loadAddon();
  addon.setMeta(meta, scalars);
  return new TypedArrayBackend('native', nativeKernels(addon));
}
