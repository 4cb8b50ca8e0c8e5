// openblasCoreFor: the OpenBLAS kernel family gradlab picks from the CPU's flags.
import { describe, expect, it } from 'vitest';
import { cpuFlags, openblasCoreFor } from '../../src/backends/native/cpu.js';

describe('openblasCoreFor', () => {
  it('picks SkylakeX only when every AVX-512 subset its kernels use is there', () => {
    const avx512 = ['avx2', 'fma', 'avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];
    expect(openblasCoreFor(avx512)).toBe('SkylakeX');
    // AVX-512F alone (e.g. Knights Landing) lacks BW/DQ/VL: the AVX2 kernels
    expect(openblasCoreFor(['avx2', 'fma', 'avx512f', 'avx512cd'])).toBe('Haswell');
  });

  it('picks Haswell with AVX2 and FMA, and nothing without them', () => {
    expect(openblasCoreFor(['sse2', 'avx', 'avx2', 'fma'])).toBe('Haswell');
    expect(openblasCoreFor(['sse2', 'avx', 'avx2'])).toBeNull();
    expect(openblasCoreFor([])).toBeNull();
  });

  it.skipIf(process.platform !== 'linux')('reads the flags of this machine', () => {
    expect(cpuFlags()).toContain('sse2');
  });
});
