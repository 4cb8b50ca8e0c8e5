// Explicit bind group layouts read off each shader's declarations, and bind groups cached by the buffers they bind.
/// <reference types="@webgpu/types" preserve="true" />
import { BackendError } from '../../core/errors.js';

/** Most bind groups kept; past that the cache starts over (a steady training loop needs a few hundred). */
const MAX_CACHED = 4096;

/** A compiled kernel: its pipeline and the layout key its bind groups are cached under. */
export interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layoutKey: string;
  layout: GPUBindGroupLayout;
}

/**
 * The storage bindings of group 0 in a WGSL source, in binding order, as 'r' (read) or 'w' (read_write).
 * Binding 0 is always the kernel's parameter block.
 *
 * @example
 * storageAccess('@group(0) @binding(0) var<storage, read> prm: array<i32>;'); // ['r']
 */
export function storageAccess(source: string): string[] {
  const access: string[] = [];
  for (const m of source.matchAll(/@binding\((\d+)\)\s*var<storage,\s*(read_write|read)>/g))
    access[Number(m[1])] = m[2] === 'read' ? 'r' : 'w';
  for (let i = 0; i < access.length; i++)
    if (access[i] === undefined)
      throw new BackendError(
        `webgpu: shader binding ${i} is not a storage buffer (bindings must be 0..n without gaps)`,
      );
  return access;
}

/**
 * Compiles pipelines with explicit layouts (so that one bind group serves every pipeline of the same
 * binding pattern) and caches bind groups by (pattern, parameter window, buffers): in a training loop the
 * pool hands the same buffers to the same kernels every step, so bind groups are created once, not once
 * per dispatch (creating one costs ~20 µs of host time in Dawn). The parameter block is bound with a
 * dynamic offset, which is why the key does not hold it.
 */
export class BindCache {
  private readonly layouts = new Map<
    string,
    { layout: GPUBindGroupLayout; pipelineLayout: GPUPipelineLayout }
  >();
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 0;
  /** Bind groups created (the rest were found in the cache). */
  created = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly meta: GPUBuffer,
  ) {}

  /** Compiles a WGSL compute shader against the explicit layout of its bindings. */
  compile(source: string, label: string): CachedPipeline {
    const access = storageAccess(source);
    const layoutKey = access.join('');
    let entry = this.layouts.get(layoutKey);
    if (!entry) {
      const layout = this.device.createBindGroupLayout({
        entries: access.map((a, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: {
            type: a === 'w' ? ('storage' as const) : ('read-only-storage' as const),
            hasDynamicOffset: binding === 0,
          },
        })),
      });
      entry = { layout, pipelineLayout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }) };
      this.layouts.set(layoutKey, entry);
    }
    const module = this.device.createShaderModule({ code: source, label });
    const pipeline = this.device.createComputePipeline({
      layout: entry.pipelineLayout,
      compute: { module, entryPoint: 'main' },
    });
    return { pipeline, layoutKey, layout: entry.layout };
  }

  /** The bind group of `buffers` (bindings 1..n) with a `window`-byte parameter block at binding 0. */
  group(p: CachedPipeline, window: number, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let key = `${p.layoutKey}|${window}`;
    for (const b of buffers) key += `,${this.idOf(b)}`;
    let g = this.groups.get(key);
    if (!g) {
      if (this.groups.size >= MAX_CACHED) this.groups.clear();
      g = this.device.createBindGroup({
        layout: p.layout,
        entries: [
          { binding: 0, resource: { buffer: this.meta, offset: 0, size: window } },
          ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
        ],
      });
      this.groups.set(key, g);
      this.created++;
    }
    return g;
  }

  /** Forgets every bind group (call before a bound buffer is destroyed). */
  forgetGroups(): void {
    this.groups.clear();
  }

  private idOf(b: GPUBuffer): number {
    let id = this.ids.get(b);
    if (id === undefined) this.ids.set(b, (id = this.nextId++));
    return id;
  }
}
