// Native matmul on shapes with one tiny dimension (k or n <= 16: native/src/smallgemm.cc) equals the js kernels.
import { afterAll, describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { useBackend } from '../helpers/backends.js';

const hasNative = gl.availableBackends().includes('native');

/** [m, n, k]: small k with wide n, small n with long k, both small, and shapes just outside the small paths. */
const shapes: [number, number, number][] = [
  [128, 512, 10],
  [128, 10, 512],
  [33, 300, 16],
  [40, 16, 64],
  [3, 1, 100],
  [70, 17, 3],
  [5, 700, 1],
  [9, 15, 31],
  [24, 20, 17],
  // small n, k not a multiple of 16 (the dot products' masked tail), and k over one 2048 block
  [6, 13, 45],
  [7, 9, 4100],
];

function filled(shape: number[], dtype: gl.DType, seed: number): gl.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return gl
    .tensor(
      Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.61 + seed)),
      { dtype },
    )
    .reshape(shape);
}

/** A [rows, cols] operand, stored transposed (a permuted view) when `t`. */
function operand(rows: number, cols: number, t: boolean, dtype: gl.DType, seed: number): gl.Tensor {
  return t ? filled([cols, rows], dtype, seed).transpose(0, 1) : filled([rows, cols], dtype, seed);
}

/** Native A·B equals the js kernels' within float rounding (|entries| <= k; sums in another order). */
async function matchesJs(m: number, n: number, k: number, ta: boolean, tb: boolean, dtype: gl.DType) {
  await useBackend('js');
  const ref = gl.matmul(operand(m, k, ta, dtype, 1), operand(k, n, tb, dtype, 2)).dataSync();
  await useBackend('native');
  const got = gl.matmul(operand(m, k, ta, dtype, 1), operand(k, n, tb, dtype, 2)).dataSync();
  expect(got.length).toBe(m * n);
  const tol = dtype === 'float32' ? 1e-5 * k : 1e-12 * k;
  let err = 0;
  for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i] - ref[i]));
  expect(err).toBeLessThan(tol);
}

describe.skipIf(!hasNative)('native matmul with a tiny dimension', () => {
  afterAll(() => useBackend('native'));
  for (const dtype of ['float32', 'float64'] as const)
    for (const [m, n, k] of shapes)
      for (const ta of [false, true])
        for (const tb of [false, true])
          it(`[${m}x${k}]${ta ? 'ᵀ' : ''} · [${k}x${n}]${tb ? 'ᵀ' : ''} ${dtype}`, () =>
            matchesJs(m, n, k, ta, tb, dtype));
});

/** [m, n, k] at or above the split threshold (2^18 multiply-adds): cut along n (n >= m) or m, sizes not multiples of 16. */
const splitShapes: [number, number, number][] = [
  [130, 517, 784], // the MLP's first layer, odd sizes: two column pieces
  [700, 101, 96], // taller than wide: two row pieces, the last one short
  [64, 64, 64], // exactly 2^18
  [17, 2000, 40], // one piece narrower than the other
];

describe.skipIf(!hasNative)('native matmul split over the thread pool', () => {
  afterAll(() => useBackend('native'));
  it('OpenBLAS runs single-threaded and gradlab splits when the pool has several threads', async () => {
    await useBackend('native');
    const info = gl.nativeInfo()!;
    const expected =
      info.blas.library === 'OpenBLAS' && info.threads > 1 && process.env.GRADLAB_GEMM_SPLIT !== '0';
    expect(info.blas.split).toBe(expected);
    if (expected) expect(info.blas.threads).toBe(1);
  });
  for (const dtype of ['float32', 'float64'] as const)
    for (const [m, n, k] of splitShapes)
      for (const ta of [false, true])
        for (const tb of [false, true])
          it(`[${m}x${k}]${ta ? 'ᵀ' : ''} · [${k}x${n}]${tb ? 'ᵀ' : ''} ${dtype}`, () =>
            matchesJs(m, n, k, ta, tb, dtype));
});
