// The large-product float32 matmul shader: 128x128 output tiles, 8x8 outputs per thread held in vec4 registers.
import { bindings } from './wgsl.js';
import { scalarMatmulPrologue } from './matmul-params.js';
import { epilogueSource, type EpiShape } from './matmul-epilogue.js';

/** Output tile edge of the wide kernel (one 256-thread workgroup per WIDE_TILE x WIDE_TILE block of C). */
export const WIDE_TILE = 128;

/**
 * WGSL for C = A·B over one 128x128 tile per workgroup: the K dimension is walked `bk` at a time
 * through workgroup memory laid out as vec4 rows, so each step of the inner loop reads two vec4 of A
 * and two of B and does 64 multiply-adds. `aKFast` / `bNFast` say which index of A (k) and B (n) is
 * the contiguous one in memory, so that neighbouring threads load neighbouring addresses. The
 * parameters (`prm`) are the narrow kernel's: [M, N, K, batch rank, offsets, A/B row and column
 * strides, first batch, batch shape, A and B batch strides], then an epilogue's (`epi`, see matmul-epilogue.ts).
 *
 * @example
 * const src = wideMatmulSource(16, true, true); // row-major A and B
 */
export function wideMatmulSource(
  bk: number,
  aKFast: boolean,
  bNFast: boolean,
  epi: EpiShape | null = null,
): string {
  const T = WIDE_TILE;
  // the value stored for four columns from n0 of row gm: with an epilogue, bias and activation applied
  const fin = (v: string, n0: string): string => (epi ? `epi4(${v}, gm, ${n0}, batch)` : v);
  const loads = (T * bk) / 256;
  // a thread owns rows {ty*4 + r, 64 + ty*4 + r} and columns {tx*4 + c, 64 + tx*4 + c}, r, c < 4
  const fma: string[] = [];
  for (let r = 0; r < 8; r++) {
    const a = `${r < 4 ? 'a0' : 'a1'}[${r % 4}]`;
    fma.push(`acc[${2 * r}] += ${a} * b0; acc[${2 * r + 1}] += ${a} * b1;`);
  }
  const stores: string[] = [];
  for (let r = 0; r < 8; r++) {
    const row = r < 4 ? `ty * 4 + ${r}` : `64 + ty * 4 + ${r - 4}`;
    stores.push(`{ let gm = row0 + ${row};
    if (gm < M) {
      store(cBase + gm * N, col0 + tx * 4, N, ${fin(`acc[${2 * r}]`, 'col0 + tx * 4')});
      store(cBase + gm * N, col0 + 64 + tx * 4, N, ${fin(`acc[${2 * r + 1}]`, 'col0 + 64 + tx * 4')});
    } }`);
  }
  return `${bindings('f32', ['f32', 'f32'])}
${epi ? epilogueSource(epi, 4) : ''}
var<workgroup> As: array<vec4<f32>, ${(bk * T) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(bk * T) / 4}>;
fn store(rowBase: i32, n0: i32, N: i32, v: vec4<f32>) {
  if (n0 + 3 < N) {
    dst[rowBase + n0] = v.x; dst[rowBase + n0 + 1] = v.y; dst[rowBase + n0 + 2] = v.z; dst[rowBase + n0 + 3] = v.w;
  } else {
    for (var c = 0; c < 4; c = c + 1) { if (n0 + c < N) { dst[rowBase + n0 + c] = v[c]; } }
  }
}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  ${scalarMatmulPrologue(T)}
  var acc: array<vec4<f32>, 16>;
  for (var k0 = 0; k0 < K; k0 = k0 + ${bk}) {
    for (var r = 0; r < ${loads}; r = r + 1) {
      let e = tid + r * 256;
      let am = ${aKFast ? `e / ${bk}` : `e % ${T}`};
      let ak = ${aKFast ? `e % ${bk}` : `e / ${T}`};
      let gm = row0 + am;
      let gk = k0 + ak;
      var av = 0.0;
      if (gm < M && gk < K) { av = src0[aBase + gm * aRs + gk * aCs]; }
      As[ak * ${T / 4} + am / 4][am % 4] = av;
      let bn = ${bNFast ? `e % ${T}` : `e / ${bk}`};
      let bkk = ${bNFast ? `e / ${T}` : `e % ${bk}`};
      let gk2 = k0 + bkk;
      let gn = col0 + bn;
      var bv = 0.0;
      if (gk2 < K && gn < N) { bv = src1[bBase + gk2 * bRs + gn * bCs]; }
      Bs[bkk * ${T / 4} + bn / 4][bn % 4] = bv;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${bk}; kk = kk + 1) {
      let a0 = As[kk * ${T / 4} + ty]; let a1 = As[kk * ${T / 4} + 16 + ty];
      let b0 = Bs[kk * ${T / 4} + tx]; let b1 = Bs[kk * ${T / 4} + 16 + tx];
      ${fma.join('\n      ')}
    }
    workgroupBarrier();
  }
  ${stores.join('\n  ')}
}`;
}
