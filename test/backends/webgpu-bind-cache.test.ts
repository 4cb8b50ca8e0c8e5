// How the webgpu backend reads a shader's storage bindings to build its explicit bind group layout.
import { describe, expect, it } from 'vitest';
import { storageAccess } from '../../src/backends/webgpu/bind-cache.js';
import { bindings } from '../../src/backends/webgpu/wgsl.js';
import { BackendError } from '../../src/core/errors.js';

describe('storageAccess', () => {
  it("reads each binding's access, in binding order, from the declarations the kernels write", () => {
    expect(storageAccess(bindings('f32', ['f32', 'i32']))).toEqual(['r', 'w', 'r', 'r']);
    const crossEntropyLike = `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(1) var<storage, read_write> loss: array<f32>;
@group(0) @binding(3) var<storage, read> src0: array<vec4<f32>>;`;
    expect(storageAccess(crossEntropyLike)).toEqual(['r', 'w', 'w', 'r']);
  });

  it('refuses a shader whose bindings leave a gap (a layout could not bind it)', () => {
    const gap = `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;`;
    expect(() => storageAccess(gap)).toThrow(BackendError);
    expect(() => storageAccess(gap)).toThrow(/binding 1 is not a storage buffer/);
  });
});
