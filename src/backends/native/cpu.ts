// OpenBLAS settings gradlab chooses: the kernel family from /proc/cpuinfo flags (0.3.21 misdetects some CPUs), thread idling.
import { readFileSync } from 'node:fs';

/** The AVX-512 subsets OpenBLAS's SkylakeX kernels use. */
const SKYLAKEX_FLAGS = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

/**
 * The OPENBLAS_CORETYPE for a CPU with these flags: 'SkylakeX' (AVX-512 kernels) when it has the
 * AVX-512 subsets they need, 'Haswell' (AVX2 + FMA) otherwise when it has those, else null (leave
 * OpenBLAS's own detection).
 * @example openblasCoreFor(['sse2', 'avx2', 'fma']) // 'Haswell'
 */
export function openblasCoreFor(flags: readonly string[]): 'SkylakeX' | 'Haswell' | null {
  const has = new Set(flags);
  if (SKYLAKEX_FLAGS.every((f) => has.has(f))) return 'SkylakeX';
  if (has.has('avx2') && has.has('fma')) return 'Haswell';
  return null;
}

/** The first CPU's flags from /proc/cpuinfo; empty where there is no /proc (not Linux). */
export function cpuFlags(): string[] {
  try {
    return (
      readFileSync('/proc/cpuinfo', 'utf8')
        .match(/^flags\s*:(.*)$/m)?.[1]
        .trim()
        .split(/\s+/) ?? []
    );
  } catch {
    return [];
  }
}

/**
 * OPENBLAS_THREAD_TIMEOUT gradlab sets when the user has not: OpenBLAS's idle worker threads spin (calling
 * sched_yield) for up to 2^28 cycles after each GEMM before they sleep. gradlab's own thread pool runs the
 * non-GEMM kernels in between, and on a 2-core machine the spinning threads took about a quarter of the CPU
 * time of a CNN training step (perf). 4, the smallest value, makes them sleep at once; waking them costs
 * a few microseconds per GEMM call.
 */
export const OPENBLAS_THREAD_TIMEOUT = '4';
