// Runs a suite on every backend that loads here; on `native` every kernel goes through the addon.
import * as gl from '../../src/index.js';
import { TypedArrayBackend } from '../../src/backends/js/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { setNativeMinElements, DEFAULT_NATIVE_MIN_ELEMENTS } from '../../src/backends/native/kernels.js';

/**
 * Switches to `name`; on native, even tiny tensors go to the addon so its kernels are what gets tested.
 * Kernel outputs start as garbage (pool poisoning), so a kernel that leaves an element unwritten fails.
 */
export async function useBackend(name: gl.BackendName): Promise<void> {
  await gl.setBackend(name);
  setNativeMinElements(name === 'native' ? 0 : DEFAULT_NATIVE_MIN_ELEMENTS);
  const backend = backendByName(name);
  if (backend instanceof TypedArrayBackend) backend.pool.poison = true;
}

/** The backends the op suites run on: every one that loads on this machine. */
export function testBackends(): gl.BackendName[] {
  return gl.availableBackends();
}
