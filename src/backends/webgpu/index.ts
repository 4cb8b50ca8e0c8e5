// Entry of the webgpu backend: asynchronous creation (adapter + device) behind gl.setBackend('webgpu').
import type { Backend } from '../backend.js';
import { backendByName } from '../../core/backend-registry.js';
import { requestDevice } from './device.js';
import { WebGPUBackend } from './gpu-backend.js';

export { WebGPUBackend } from './gpu-backend.js';
export type { GpuMemoryStats } from './gpu-backend.js';
export type { KernelTime } from './profiler.js';

/**
 * The webgpu backend itself, once `await gl.setBackend('webgpu')` has set it up: its counters
 * (`stats()`), compiled kernels (`compiledKernels()`) and kernel timing (`startProfile`/`stopProfile`).
 *
 * @example
 * await gl.setBackend('webgpu');
 * const gpu = gl.webgpuBackend();
 * gpu.startProfile(); await step(); console.table(await gpu.stopProfile());
 */
export function webgpuBackend(): WebGPUBackend {
  return backendByName('webgpu') as WebGPUBackend;
}

/**
 * Creates the webgpu backend (used by `await gl.setBackend('webgpu')`). Rejects with a BackendError
 * when there is no adapter; never blocks.
 */
export async function createWebGPUBackend(): Promise<Backend> {
  const { device, adapterInfo } = await requestDevice();
  return new WebGPUBackend(device, adapterInfo);
}
