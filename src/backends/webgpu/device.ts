// Finds a WebGPU device: navigator.gpu in browsers, the `webgpu` package (Dawn) in Node; fails fast and clearly.
/// <reference types="@webgpu/types" preserve="true" />
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

/**
 * Runs Dawn's adapter request in Node without its Wayland probe's complaint. Vulkan drivers that offer
 * Wayland surfaces connect to the Wayland server while Dawn lists adapters; with neither WAYLAND_DISPLAY
 * nor XDG_RUNTIME_DIR set (a headless machine, CI), libwayland prints "error: XDG_RUNTIME_DIR is invalid
 * or not set in the environment." on every start. Compute needs no surface, so for that one request
 * WAYLAND_DISPLAY names a socket path that does not exist (libwayland takes an absolute path as is and
 * fails quietly); the variable is unset again afterwards. Nothing changes where either variable is set.
 */
async function withoutWaylandProbe<T>(request: () => Promise<T>): Promise<T> {
  const env = typeof process !== 'undefined' && process.versions?.node ? process.env : undefined;
  if (!env || env.WAYLAND_DISPLAY !== undefined || env.XDG_RUNTIME_DIR !== undefined) return request();
  env.WAYLAND_DISPLAY = '/nonexistent/gradlab-no-wayland';
  try {
    return await request();
  } finally {
    delete env.WAYLAND_DISPLAY;
  }
}

/** Requests a high-performance adapter and a device with the adapter's buffer limits. */
export async function requestDevice(): Promise<{ device: GPUDevice; adapterInfo: string }> {
  const gpu = await gpuEntry();
  keepAlive.push(gpu);
  const adapter = await withoutWaylandProbe(() =>
    withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), 'requestAdapter'),
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
