// Runs a suite on every backend that loads here; on `native` every kernel goes through the addon.
// webgpu joins when an adapter exists (SwiftShader's Vulkan driver is used when VK_ICD_FILENAMES is unset).
import { existsSync } from 'node:fs';
import * as gl from '../../src/index.js';
import { TypedArrayBackend } from '../../src/backends/js/index.js';
import { backendByName } from '../../src/core/backend-registry.js';
import { setNativeMinElements, DEFAULT_NATIVE_MIN_ELEMENTS } from '../../src/backends/native/kernels.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

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

/** The synchronous backends the op suites run on: every one that loads on this machine. */
export function testBackends(): gl.BackendName[] {
  return gl.availableBackends();
}

let gpuProbe: Promise<string | null> | null = null;

/**
 * Sets up webgpu once per test file; resolves to null when it works, else the reason it does not
 * (printed by the suites that skip it). The current backend is left unchanged.
 */
export function webgpuUnavailable(): Promise<string | null> {
  if (!gpuProbe) {
    if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD))
      process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const before = gl.getBackend();
    gpuProbe = gl.setBackend('webgpu').then(
      async () => {
        await gl.setBackend(before);
        return null;
      },
      (err: Error) => err.message,
    );
  }
  return gpuProbe;
}

/** Every backend the op suites run on here, webgpu included when an adapter exists. */
export async function allTestBackends(): Promise<gl.BackendName[]> {
  const list = testBackends();
  const why = await webgpuUnavailable();
  if (why === null) list.push('webgpu');
  else console.info(`webgpu suites skipped: ${why}`);
  return list;
}
