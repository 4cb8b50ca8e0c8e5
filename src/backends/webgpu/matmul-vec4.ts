// The fast float32 matmul shader: vec4 global loads and stores, 8x8 outputs per thread, optional exact tiles and prefetch.
import { MATMUL_BATCH_BASES } from './matmul-params.js';
import { epilogueSource, type EpiShape } from './matmul-epilogue.js';

/** One specialization of the vec4 matmul shader (every field is part of its pipeline key). */
export interface Vec4MatmulConfig {
  /** Output tile rows and columns per workgroup; a workgroup has (tm / 8) * (tn / 8) threads. */
  tm: 64 | 128;
  tn: 64 | 128;
  /** K step: the depth of the tiles staged in workgroup memory. */
  bk: 8 | 16 | 32;
  /** A is read as vec4 along k (row-major A) rather than along m (transposed A). */
  aK: boolean;
  /** B is read as vec4 along n (row-major B) rather than along k (transposed B). */
  bN: boolean;
  /** M, N and K are multiples of tm, tn and bk: no bounds checks at all. */
  exact: boolean;
  /** 0: load then compute; 1: the next K tile is loaded into registers during the compute; 2: as 1 with two workgroup buffers (one barrier per step). */
  prefetch: 0 | 1 | 2;
}

/** The pipeline cache key of a configuration. */
export function vec4MatmulKey(c: Vec4MatmulConfig): string {
  return `matmul-v4:${c.tm}x${c.tn}:bk${c.bk}:${c.aK ? 'k' : 'm'}${c.bN ? 'n' : 'k'}:${c.exact ? 'x' : 'r'}:p${c.prefetch}`;
}

/** Row stride (in vec4) of a staged tile: operands read along k are transposed on the way in, so one vec4 of padding keeps those stores free of bank conflicts. */
function rowStride(edge: number, alongK: boolean): number {
  return edge / 4 + (alongK ? 1 : 0);
}

/** Bytes of workgroup memory a configuration uses. */
export function vec4MatmulSharedBytes(c: Vec4MatmulConfig): number {
  const perStep = c.bk * (rowStride(c.tm, c.aK) + rowStride(c.tn, !c.bN)) * 16;
  return perStep * (c.prefetch === 2 ? 2 : 1);
}

/**
 * Whether a strided operand can be read as vec4 along its contiguous axis: that axis is contiguous
 * with a length that is a multiple of 4, and the offset, the other stride and every batch stride
 * are multiples of 4 (so each vec4 lies whole inside the operand and is 16-byte aligned).
 */
export function vec4Readable(
  offset: number,
  fastLen: number,
  otherStride: number,
  otherLen: number,
  batchStrides: readonly number[],
  batchShape: readonly number[],
): boolean {
  return (
    fastLen % 4 === 0 &&
    offset % 4 === 0 &&
    (otherLen === 1 || (otherStride >= 0 && otherStride % 4 === 0)) &&
    batchStrides.every((s, d) => batchShape[d] === 1 || (s >= 0 && s % 4 === 0))
  );
}

/**
 * WGSL for C = A·B with one tm x tn tile of C per workgroup, each thread owning an 8x8 block
 * (rows {ty*4+r, tm/2+ty*4+r}, columns {tx*4+c, tn/2+tx*4+c}) in 16 vec4 registers. A and B are bound
 * as `array<vec4<f32>>` and read one vec4 at a time along their contiguous axis; C is written as vec4
 * (N is a multiple of 4). The parameters (`prm`) are the other matmul kernels': [M, N, K, batch rank,
 * A/B/C offsets, A/B row and column strides, first batch, batch shape, A and B batch strides].
 *
 * @example
 * const src = vec4MatmulSource({ tm: 128, tn: 128, bk: 8, aK: true, bN: true, exact: true, prefetch: 2 });
 */
export function vec4MatmulSource(c: Vec4MatmulConfig, epi: EpiShape | null = null): string {
  const { tm, tn, bk, aK, bN, exact, prefetch } = c;
  // the vec4 stored for four columns from n0 of row gm: with an epilogue, bias and activation applied
  const fin = (v: string, n0: string): string => (epi ? `epi4(${v}, i32(gm), i32(${n0}), batch)` : v);
  const nt = (tm / 8) * (tn / 8);
  const sa = rowStride(tm, aK);
  const sb = rowStride(tn, !bN);
  const la = (tm * bk) / 4 / nt; // vec4 loads of A per thread and step
  const lb = (tn * bk) / 4 / nt;

  // global -> registers (pa*, pb*) for the K step starting at `k0`
  const loadA = (k0: string): string => {
    const out: string[] = [];
    for (let r = 0; r < la; r++) {
      const e = `tid + ${r * nt}`;
      const [m, k, idx] = aK
        ? [`(${e}) / ${bk / 4}`, `((${e}) % ${bk / 4}) * 4`, `aB + gm * aRs + (gk >> 2u)`]
        : [`((${e}) % ${tm / 4}) * 4`, `(${e}) / ${tm / 4}`, `aB + gk * aCs + (gm >> 2u)`];
      const guard = exact ? 'true' : 'gm < M && gk < K';
      out.push(`{ let gm = row0 + ${m}; let gk = ${k0} + ${k};
      ${exact ? `pa${r} = src0[${idx}];` : `pa${r} = vec4<f32>(0.0); if (${guard}) { pa${r} = src0[${idx}]; }`} }`);
    }
    return out.join('\n      ');
  };
  const loadB = (k0: string): string => {
    const out: string[] = [];
    for (let r = 0; r < lb; r++) {
      const e = `tid + ${r * nt}`;
      const [n, k, idx] = bN
        ? [`((${e}) % ${tn / 4}) * 4`, `(${e}) / ${tn / 4}`, `bB + gk * bRs + (gn >> 2u)`]
        : [`(${e}) / ${bk / 4}`, `((${e}) % ${bk / 4}) * 4`, `bB + gn * bCs + (gk >> 2u)`];
      const guard = 'gn < N && gk < K';
      out.push(`{ let gn = col0 + ${n}; let gk = ${k0} + ${k};
      ${exact ? `pb${r} = src1[${idx}];` : `pb${r} = vec4<f32>(0.0); if (${guard}) { pb${r} = src1[${idx}]; }`} }`);
    }
    return out.join('\n      ');
  };
  // registers -> staged buffer \`buf\` of workgroup memory (As[buf][k][m / 4], Bs[buf][k][n / 4])
  const storeShared = (buf: string): string => {
    const out: string[] = [];
    for (let r = 0; r < la; r++) {
      const e = `tid + ${r * nt}u`;
      if (aK) {
        out.push(`{ let m = (${e}) / ${bk / 4}u; let k = ((${e}) % ${bk / 4}u) * 4u; let q = m >> 2u; let c = m & 3u;
      As[${buf}][k][q][c] = pa${r}.x; As[${buf}][k + 1u][q][c] = pa${r}.y; As[${buf}][k + 2u][q][c] = pa${r}.z; As[${buf}][k + 3u][q][c] = pa${r}.w; }`);
      } else {
        out.push(`As[${buf}][(${e}) / ${tm / 4}u][(${e}) % ${tm / 4}u] = pa${r};`);
      }
    }
    for (let r = 0; r < lb; r++) {
      const e = `tid + ${r * nt}u`;
      if (bN) {
        out.push(`Bs[${buf}][(${e}) / ${tn / 4}u][(${e}) % ${tn / 4}u] = pb${r};`);
      } else {
        out.push(`{ let n = (${e}) / ${bk / 4}u; let k = ((${e}) % ${bk / 4}u) * 4u; let q = n >> 2u; let c = n & 3u;
      Bs[${buf}][k][q][c] = pb${r}.x; Bs[${buf}][k + 1u][q][c] = pb${r}.y; Bs[${buf}][k + 2u][q][c] = pb${r}.z; Bs[${buf}][k + 3u][q][c] = pb${r}.w; }`);
      }
    }
    return out.join('\n      ');
  };
  // the multiply-adds of one K step, unrolled; the constant k index and the loop-invariant thread
  // indices keep the robustness clamps on workgroup reads out of the inner loop
  const compute = (buf: string): string => {
    const out: string[] = [];
    for (let kk = 0; kk < bk; kk++) {
      out.push(
        `{ let a0 = As[${buf}][${kk}][ty]; let a1 = As[${buf}][${kk}][ty + ${tm / 8}u];` +
          ` let b0 = Bs[${buf}][${kk}][tx]; let b1 = Bs[${buf}][${kk}][tx + ${tn / 8}u];`,
      );
      for (let r = 0; r < 8; r++) {
        const a = `${r < 4 ? 'a0' : 'a1'}.${'xyzw'[r % 4]}`;
        out.push(`  c${2 * r} += ${a} * b0; c${2 * r + 1} += ${a} * b1;`);
      }
      out.push('}');
    }
    return out.join('\n      ');
  };
  const stores: string[] = [];
  for (let r = 0; r < 8; r++) {
    const row = r < 4 ? `ty * 4u + ${r}u` : `${tm / 2}u + ty * 4u + ${r - 4}u`;
    const body = `let o = cB + gm * N4 + (col0 >> 2u) + tx; dst[o] = ${fin(`c${2 * r}`, 'col0 + tx * 4u')};${exact ? '' : ` if (col0 + ${tn / 2}u + tx * 4u < N) {`} dst[o + ${tn / 8}u] = ${fin(`c${2 * r + 1}`, `col0 + ${tn / 2}u + tx * 4u`)};${exact ? '' : ' }'}`;
    stores.push(
      exact
        ? `{ let gm = row0 + ${row}; ${body} }`
        : `{ let gm = row0 + ${row}; if (gm < M && col0 + tx * 4u < N) { ${body} } }`,
    );
  }
  const regs = [
    ...Array.from({ length: la }, (_, r) => `var pa${r}: vec4<f32>;`),
    ...Array.from({ length: lb }, (_, r) => `var pb${r}: vec4<f32>;`),
  ].join(' ');
  const accs = Array.from({ length: 16 }, (_, q) => `var c${q} = vec4<f32>(0.0);`).join(' ');

  let loop: string;
  if (prefetch === 0) {
    loop = `for (var k0 = 0u; k0 < K; k0 = k0 + ${bk}u) {
      ${loadA('k0')}
      ${loadB('k0')}
      ${storeShared('0u')}
      workgroupBarrier();
      ${compute('0u')}
      workgroupBarrier();
    }`;
  } else if (prefetch === 1) {
    loop = `${loadA('0u')}
    ${loadB('0u')}
    for (var k0 = 0u; k0 < K; k0 = k0 + ${bk}u) {
      ${storeShared('0u')}
      workgroupBarrier();
      if (k0 + ${bk}u < K) {
      ${loadA(`(k0 + ${bk}u)`)}
      ${loadB(`(k0 + ${bk}u)`)}
      }
      ${compute('0u')}
      workgroupBarrier();
    }`;
  } else {
    // two staged buffers: step s computes on buffer s & 1 while the next step's tile goes to the other
    loop = `${loadA('0u')}
    ${loadB('0u')}
    ${storeShared('0u')}
    workgroupBarrier();
    var cur = 0u;
    for (var k0 = 0u; k0 < K; k0 = k0 + ${bk}u) {
      let more = k0 + ${bk}u < K;
      if (more) {
      ${loadA(`(k0 + ${bk}u)`)}
      ${loadB(`(k0 + ${bk}u)`)}
      }
      ${compute('cur')}
      if (more) {
      ${storeShared('1u - cur')}
      }
      workgroupBarrier();
      cur = 1u - cur;
    }`;
  }
  const bufs = prefetch === 2 ? 2 : 1;
  return `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> src0: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> src1: array<vec4<f32>>;
${epi ? epilogueSource(epi, 4) : ''}
var<workgroup> As: array<array<array<vec4<f32>, ${sa}>, ${bk}>, ${bufs}>;
var<workgroup> Bs: array<array<array<vec4<f32>, ${sb}>, ${bk}>, ${bufs}>;
@compute @workgroup_size(${nt})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = u32(prm[0]); let N = u32(prm[1]); let K = u32(prm[2]);
  ${MATMUL_BATCH_BASES}
  // every offset and stride used below is a multiple of 4 (the caller checks), so vec4 indices are exact
  let aB = u32(aBase) >> 2u; let bB = u32(bBase) >> 2u;
  let aRs = u32(prm[7]) >> 2u; let aCs = u32(prm[8]) >> 2u; let bRs = u32(prm[9]) >> 2u; let bCs = u32(prm[10]) >> 2u;
  let N4 = N >> 2u;
  let cB = (u32(prm[6]) + u32(batch) * M * N) >> 2u;
  let tid = lid.x;
  let tx = tid % ${tn / 8}u;
  let ty = tid / ${tn / 8}u;
  let row0 = wid.y * ${tm}u;
  let col0 = wid.x * ${tn}u;
  ${accs}
  ${regs}
  ${loop}
  ${stores.join('\n  ')}
}`;
}
