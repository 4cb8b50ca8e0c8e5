// Loads the compiled addon (native/build/Release/gradlab_native.node), or explains why it cannot.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BackendError } from '../../core/errors.js';
import type { TypedArray } from '../../core/dtype.js';
import { cpuFlags, OPENBLAS_THREAD_TIMEOUT, openblasCoreFor } from './cpu.js';

type Arr = TypedArray;

/** The functions the addon exports (see native/src/addon.cc). Each returns false when it cannot run the case. */
export interface NativeAddon {
  setMeta(meta: Int32Array, scalars: Float64Array): void;
  threads(): number;
  blasInfo(): BlasInfo;
  unary(op: number, dtype: number, out: Arr, x: Arr): boolean;
  binary(op: number, dtype: number, out: Arr, a: Arr, b: Arr): boolean;
  where(dtype: number, out: Arr, cond: Arr, a: Arr, b: Arr): boolean;
  cast(from: number, to: number, out: Arr, x: Arr): boolean;
  copy(itemBytes: number, out: Arr, x: Arr): boolean;
  reduce(op: number, dtype: number, out: Arr, x: Arr, outSize: number): boolean;
  argReduce(isMax: number, dtype: number, out: Arr, x: Arr): boolean;
  argReduceDense(
    isMax: number,
    dtype: number,
    out: Arr,
    x: Arr,
    outer: number,
    len: number,
    inner: number,
  ): boolean;
  logSoftmax(dtype: number, out: Arr, x: Arr): boolean;
  logSoftmaxGrad(dtype: number, out: Arr, g: Arr, y: Arr): boolean;
  matmul(dtype: number, out: Arr, a: Arr, b: Arr, outOffset: number): boolean;
  /** A LAPACK factorization over a batch of dense row-major matrices (native/src/lapack.cc); status = [failed batch or -1, info]. */
  lapack(
    op: number,
    dtype: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    flags: number,
    a: Arr,
    b: Arr,
    out: Arr,
    status: Int32Array,
  ): boolean;
  matmulEpilogue(
    dtype: number,
    out: Arr,
    a: Arr,
    b: Arr,
    outOffset: number,
    bias: Arr,
    biasOffset: number,
    biasStride: number,
    act: number,
  ): boolean;
  unfold(dtype: number, out: Arr, x: Arr, padValue: number): boolean;
  fold(dtype: number, out: Arr, x: Arr): boolean;
  conv2d(dtype: number, out: Arr, x: Arr, w: Arr): boolean;
  conv2dInputGrad(dtype: number, dx: Arr, g: Arr, w: Arr): boolean;
  conv2dWeightGrad(dtype: number, dw: Arr, x: Arr, g: Arr): boolean;
  maxPool2d(dtype: number, out: Arr, x: Arr): boolean;
  maxPool2dGrad(dtype: number, out: Arr, g: Arr, x: Arr): boolean;
  gather(dtype: number, out: Arr, index: Arr, x: Arr): boolean;
  scatterAdd(dtype: number, src: Arr, index: Arr, out: Arr): boolean;
  sgdStep(
    dtype: number,
    n: number,
    p: Arr,
    g: Arr,
    buf: Arr | null,
    maximize: number,
    nesterov: number,
  ): boolean;
  adamStep(dtype: number, n: number, p: Arr, g: Arr, m: Arr, v: Arr, maximize: number): boolean;
  fusedMap(
    code: Int32Array,
    consts: Float32Array,
    n: number,
    costly: number,
    out: Arr,
    ...inputs: Arr[]
  ): boolean;
}

/** Which BLAS the addon runs GEMMs on. */
export interface BlasInfo {
  /** 'OpenBLAS', 'Accelerate', or 'CBLAS' for another implementation. */
  library: string;
  /** OpenBLAS's kernel family (e.g. 'Haswell'); empty when unknown. */
  core: string;
  /** OpenBLAS's thread count (0 when unknown; 1 when gradlab splits GEMMs itself). */
  threads: number;
  /**
   * True when gradlab cuts each medium GEMM into one piece per pool thread, each a single-threaded BLAS
   * call, and gives large ones all of BLAS's threads (OpenBLAS with more than one core, unless
   * GRADLAB_GEMM_SPLIT=0; see docs/native.md).
   */
  split: boolean;
}

/**
 * OpenBLAS 0.3.21 (Debian 12) does not know some recent Xeon models and falls back to its SSE3
 * 'Prescott' kernels, about 6x slower here. When the user has not chosen a core type, gradlab picks
 * the family the CPU's flags allow (SkylakeX with AVX-512, else Haswell with AVX2 + FMA; see cpu.ts).
 * Also lets idle OpenBLAS threads sleep at once (OPENBLAS_THREAD_TIMEOUT, see cpu.ts). Must run before
 * the library is loaded.
 */
function chooseOpenblasCore(): void {
  if (process.platform !== 'linux') return;
  process.env.OPENBLAS_THREAD_TIMEOUT ??= OPENBLAS_THREAD_TIMEOUT;
  if (process.env.OPENBLAS_CORETYPE) return;
  const core = openblasCoreFor(cpuFlags());
  if (core) process.env.OPENBLAS_CORETYPE = core;
}

/** The package root, found from this file's place in src/ or dist/src/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'native'))) return dir;
    dir = dirname(dir);
  }
  throw new BackendError('native: cannot find the package root (no native/ folder beside package.json)');
}

/**
 * Loads the addon from `root` (the package root by default); throws a BackendError whose message says
 * why it is unavailable (the reason the install step recorded, when it failed).
 */
export function loadAddon(root?: string): NativeAddon {
  if (typeof process === 'undefined' || !process.versions?.node)
    throw new BackendError('native: only available in Node.js');
  root ??= packageRoot();
  const file = join(root, 'native', 'build', 'Release', 'gradlab_native.node');
  if (!existsSync(file)) {
    const failure = join(root, 'native', 'build-failure.txt');
    const why = existsSync(failure)
      ? readFileSync(failure, 'utf8').trim()
      : 'the addon was never built (run `npm rebuild gradlab` or `node scripts/build-native.mjs`)';
    throw new BackendError(`native addon not built: ${why}`);
  }
  chooseOpenblasCore();
  try {
    return createRequire(import.meta.url)(file) as NativeAddon;
  } catch (err) {
    throw new BackendError(`native addon failed to load: ${(err as Error).message.split('\n')[0]}`);
  }
}
