// The `native` backend: typed-array storage shared with JS, kernels from the C++ addon (BLAS, threads).
import type { Backend } from '../backend.js';
import { TypedArrayBackend } from '../js/index.js';
import { loadAddon, type BlasInfo, type NativeAddon } from './addon.js';
import { nativeConvGrad } from './conv-grad.js';
import { nativeOptimizerSteps } from './fused-optim.js';
import { nativeExpression } from './fused-map.js';
import { nativeMatmulEpilogue } from './matmul-epilogue.js';
import { nativeKernels } from './kernels.js';
import { meta, scalars } from './meta.js';

let loaded: NativeAddon | null = null;

/**
 * Loads the addon and builds the backend; throws a BackendError saying why when the addon is missing.
 * @example gl.setBackend('native')
 */
export function createNativeBackend(): Backend {
  const addon = loadAddon();
  addon.setMeta(meta, scalars);
  loaded = addon;
  return new TypedArrayBackend(
    'native',
    nativeKernels(addon),
    {
      expression: nativeExpression(addon),
      ...nativeConvGrad(addon),
      matmulEpilogue: nativeMatmulEpilogue(addon),
      ...nativeOptimizerSteps(addon),
    },
    false,
  ); // one parameter block, thread pool and BLAS per process
}

/** What the native backend runs on, once loaded: its BLAS and its thread pool size; null before. */
export interface NativeInfo {
  /** The BLAS the GEMMs run on. */
  blas: BlasInfo;
  /** Threads of the addon's pool. */
  threads: number;
}

/**
 * The native backend's BLAS and thread count (null until the backend has loaded).
 * @example console.log(gl.nativeInfo()?.blas.core) // 'Haswell'
 */
export function nativeInfo(): NativeInfo | null {
  return loaded ? { blas: loaded.blasInfo(), threads: loaded.threads() } : null;
}
