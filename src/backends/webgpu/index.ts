// Entry of the webgpu backend: asynchronous creation (adapter + device) behind gl.setBackend('webgpu').
import type { Backend } from '../backend.js';
import { requestDevice } from './device.js';
import { WebGPUBackend } from './gpu-backend.js';

export { WebGPUBackend } from './gpu-backend.js';
export type { GpuMemoryStats } from './gpu-backend.js';

/**
 * Creates the webgpu backend (used by `await gl.setBackend('webgpu')`). Rejects with a BackendError
 * when there is no adapter; never blocks.
 */
export async function createWebGPUBackend(): Promise<Backend> {
  const { device, adapterInfo } = await requestDevice();
  return new WebGPUBackend(device, adapterInfo);
}
