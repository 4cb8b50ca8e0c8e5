// Finds a WebGPU device: navigator.gpu in browsers, the `webgpu` package (Dawn) in Node; fails fast and clearly.
/// <reference types="@webgpu/types" />
import { BackendError } from '../../core/errors.js';

/** How long adapter and device requests may take before we give up (ms). */
const REQUEST_TIMEOUT_MS = 20000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BackendError(`webgpu: ${what} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
      REQUEST_TIMEOUT_MS,
    );
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The GPU entry point of this environment: navigator.gpu in a browser, Dawn's binding in Node. */
async function gpuEntry(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) throw new BackendError('webgpu: this browser has no navigator.gpu (WebGPU is not enabled)');
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    const name = 'webgpu';
    mod = (await import(/* @vite-ignore */ name)) as typeof mod;
  } catch (err) {
    throw new BackendError(
      `webgpu: the 'webgpu' npm package (Dawn for Node) could not be loaded: ${(err as Error).message}`,
    );
  }
  // Dawn's constructors (GPUBufferUsage...) must be globals for code written against the web API.
  for (const [k, v] of Object.entries(mod.globals))
    if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
  // GRADLAB_DAWN_FLAGS: Dawn's own options, e.g. 'disable-dawn-features=timestamp_quantization' (space-separated)
  const flags = (typeof process !== 'undefined' ? process.env.GRADLAB_DAWN_FLAGS : undefined) ?? '';
  return mod.create(flags.split(/\s+/).filter(Boolean));
}

/**
 * Dawn's instance and adapter must outlive the device: when Node collects them, Dawn tears down the
 * instance under the running device and the process crashes. They are kept here for the process' life.
 */
const keepAlive: unknown[] = [];

/** Requests a high-performance adapter and a device with the adapter's buffer limits. */
export async function requestDevice(): Promise<{ device: GPUDevice; adapterInfo: string }> {
  const gpu = await gpuEntry();
  keepAlive.push(gpu);
  const adapter = await withTimeout(
    gpu.requestAdapter({ powerPreference: 'high-performance' }),
    'requestAdapter',
  );
  if (!adapter) {
    const hint =
      typeof process !== 'undefined' && process.versions?.node
        ? ' (in Node without a GPU, install a Vulkan driver, e.g. SwiftShader from Debian chromium, and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)'
        : '';
    throw new BackendError(`webgpu: no GPU adapter was found${hint}`);
  }
  keepAlive.push(adapter);
  const lim = adapter.limits;
  // timestamp queries cost nothing until a profile asks for them (WebGPUBackend.startProfile)
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query')
    ? ['timestamp-query']
    : [];
  const device = await withTimeout(
    adapter.requestDevice({
      requiredFeatures,
      requiredLimits: {
        maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
        maxBufferSize: lim.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(8, lim.maxStorageBuffersPerShaderStage),
        maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
      },
    }),
    'requestDevice',
  );
  const info = adapter.info;
  const adapterInfo = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return { device, adapterInfo };
}
