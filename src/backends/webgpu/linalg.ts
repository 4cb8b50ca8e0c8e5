// Tiled, register-blocked batched matmul (strided operands, so transposes are free) and conv via unfold/fold.
import type { TensorView } from '../backend.js';
import type { Conv2dParams, FoldParams, UnfoldParams } from '../../core/primitives.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { contiguousView } from './views.js';
import {
  bindings,
  denseStrides,
  floatBits,
  grid,
  MAIN_ARGS,
  numelOf,
  THREAD_INDEX,
  wgslType,
} from './wgsl.js';
import { copyInto } from './elementwise.js';
import { scalarMatmulPrologue } from './matmul-params.js';
import { WIDE_TILE, wideMatmulSource } from './matmul-wide.js';
import { splitCount, splitKInto } from './matmul-split.js';
import {
  epilogueKey,
  epilogueMeta,
  epilogueSource,
  type EpiShape,
  type GpuEpilogue,
} from './matmul-epilogue.js';
import { EPILOGUE } from '../../core/fused-map.js';
import { webgpuExpression } from './fused-map.js';
import {
  type Vec4MatmulConfig,
  vec4MatmulKey,
  vec4MatmulSharedBytes,
  vec4MatmulSource,
  vec4Readable,
} from './matmul-vec4.js';

/** Output tile (TILE x TILE) per 256-thread workgroup; each thread owns 4x4 outputs; K is walked in steps of BK. */
const TILE = 64;
const BK = 16;

function matmulSource(t: string, epi: EpiShape | null): string {
  return `${bindings(t, [t, t])}
${epi ? epilogueSource(epi, 4) : ''}
var<workgroup> As: array<${t}, ${BK * TILE}>;
var<workgroup> Bs: array<${t}, ${BK * TILE}>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  ${scalarMatmulPrologue(TILE)}
  var acc: array<${t}, 16>;
  for (var q = 0; q < 16; q = q + 1) { acc[q] = ${t}(0); }
  for (var k0 = 0; k0 < K; k0 = k0 + ${BK}) {
    for (var r = 0; r < 4; r = r + 1) {
      let e = tid + r * 256;
      let am = e / ${BK};
      let ak = e % ${BK};
      let gm = row0 + am;
      let gk = k0 + ak;
      var av = ${t}(0);
      if (gm < M && gk < K) { av = src0[aBase + gm * aRs + gk * aCs]; }
      As[ak * ${TILE} + am] = av;
      let bk = e / ${TILE};
      let bn = e % ${TILE};
      let gk2 = k0 + bk;
      let gn = col0 + bn;
      var bv = ${t}(0);
      if (gk2 < K && gn < N) { bv = src1[bBase + gk2 * bRs + gn * bCs]; }
      Bs[bk * ${TILE} + bn] = bv;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${BK}; kk = kk + 1) {
      let a0 = As[kk * ${TILE} + ty]; let a1 = As[kk * ${TILE} + ty + 16];
      let a2 = As[kk * ${TILE} + ty + 32]; let a3 = As[kk * ${TILE} + ty + 48];
      let b0 = Bs[kk * ${TILE} + tx]; let b1 = Bs[kk * ${TILE} + tx + 16];
      let b2 = Bs[kk * ${TILE} + tx + 32]; let b3 = Bs[kk * ${TILE} + tx + 48];
      acc[0] += a0 * b0; acc[1] += a0 * b1; acc[2] += a0 * b2; acc[3] += a0 * b3;
      acc[4] += a1 * b0; acc[5] += a1 * b1; acc[6] += a1 * b2; acc[7] += a1 * b3;
      acc[8] += a2 * b0; acc[9] += a2 * b1; acc[10] += a2 * b2; acc[11] += a2 * b3;
      acc[12] += a3 * b0; acc[13] += a3 * b1; acc[14] += a3 * b2; acc[15] += a3 * b3;
    }
    workgroupBarrier();
  }
  for (var i = 0; i < 4; i = i + 1) {
    let gm = row0 + ty + 16 * i;
    if (gm >= M) { continue; }
    for (var j = 0; j < 4; j = j + 1) {
      let gn = col0 + tx + 16 * j;
      if (gn < N) { dst[cBase + gm * N + gn] = ${epi ? 'epi(acc[i * 4 + j], gm, gn, batch)' : 'acc[i * 4 + j]'}; }
    }
  }
}`;
}

/** Workgroups a product must fill with 128-wide tiles before the wide kernels are used (a large GPU has ~100+ cores). */
const WIDE_MIN_GROUPS = 256;

/** A matmul shader choice: its pipeline key, its WGSL, and the output tile rows x columns per workgroup. */
interface MatmulPlan {
  key: string;
  source: () => string;
  tm: number;
  tn: number;
}

const env = (): Record<string, string | undefined> => (typeof process !== 'undefined' ? process.env : {});

/** GRADLAB_WEBGPU_MATMUL_TILE values: output tile rows x columns of the vec4 kernel. */
const VEC4_TILES: Record<string, [64 | 128, 64 | 128]> = {
  '128': [128, 128],
  '64': [64, 64],
  '128x64': [128, 64],
  '64x128': [64, 128],
};

/**
 * Which matmul shader serves a product. `auto` (GRADLAB_WEBGPU_MATMUL unset): when the operands allow
 * vec4 reads, the vec4 kernel (exact tiles when the sizes allow, prefetch 2, K step 8) with 128-wide
 * tiles (64 on a side of 64 or less) when the product fills 256 tiles of 128x128, else with 64x64
 * tiles when it fills 256 of those; the scalar wide kernel for large products that do not allow
 * vec4 reads; the narrow kernel otherwise.
 * Overrides: GRADLAB_WEBGPU_MATMUL = narrow | wide (scalar 128x128) | wide4 (vec4, bounds-checked) |
 * wide4x (vec4, exact tiles when the sizes allow); _BK = 8 | 16 | 32; _PREFETCH = 0 | 1 | 2;
 * _TILE = 128 | 64 | 128x64 | 64x128 (vec4 kernels only). A vec4 request falls back to `wide` when the
 * operands cannot be read as vec4.
 */
function matmulPlan(
  be: WebGPUBackend,
  t: string,
  a: TensorView,
  b: TensorView,
  out: TensorView,
  batchShape: readonly number[],
  epi: EpiShape | null,
): MatmulPlan {
  const r = out.shape.length;
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const batches = numelOf(batchShape);
  const e = env();
  const forced = e.GRADLAB_WEBGPU_MATMUL;
  const ek = epilogueKey(epi);
  const narrow: MatmulPlan = {
    key: `matmul:${t}${ek}`,
    source: () => matmulSource(t, epi),
    tm: TILE,
    tn: TILE,
  };
  if (t !== 'f32' || forced === 'narrow') return narrow;
  const groups = (tm: number, tn: number): number => Math.ceil(M / tm) * Math.ceil(N / tn) * batches;
  const auto = forced === undefined || forced === 'auto';
  const tileEnv = e.GRADLAB_WEBGPU_MATMUL_TILE;
  // too few tiles for any wide kernel (the common case of small models): decided before the layout checks
  if (auto && tileEnv === undefined && groups(64, 64) < WIDE_MIN_GROUPS) return narrow;
  const limit = be.device.limits.maxComputeWorkgroupStorageSize;
  const bkEnv = Number(e.GRADLAB_WEBGPU_MATMUL_BK ?? 8);
  const bk = bkEnv === 16 || bkEnv === 32 ? bkEnv : 8;

  // vec4 reads: A along k (row-major) or m (transposed), B along n (row-major) or k (transposed); C along n
  const aBatch = a.strides.slice(0, r - 2);
  const bBatch = b.strides.slice(0, r - 2);
  const [aRs, aCs, bRs, bCs] = [a.strides[r - 2], a.strides[r - 1], b.strides[r - 2], b.strides[r - 1]];
  const aK = aCs === 1 && vec4Readable(a.offset, K, aRs, M, aBatch, batchShape);
  const aM = aRs === 1 && vec4Readable(a.offset, M, aCs, K, aBatch, batchShape);
  const bN = bCs === 1 && vec4Readable(b.offset, N, bRs, K, bBatch, batchShape);
  const bK = bRs === 1 && vec4Readable(b.offset, K, bCs, N, bBatch, batchShape);
  const vec4 = (aK || aM) && (bN || bK) && N % 4 === 0 && out.offset % 4 === 0;
  const big = groups(WIDE_TILE, WIDE_TILE) >= WIDE_MIN_GROUPS;

  if (vec4 && (auto || forced === 'wide4' || forced === 'wide4x')) {
    let [tm, tn] = VEC4_TILES[tileEnv ?? ''] ?? [128, 128];
    if (auto && tileEnv === undefined)
      // fewer than 256 tiles of 128 (but 256 of 64, see above): 64x64 tiles; a side of 64 or less (a conv
      // layer's 32 or 64 output channels) would leave half a 128 tile idle
      [tm, tn] = big ? [M <= 64 ? 64 : 128, N <= 64 ? 64 : 128] : [64, 64];
    const pf = e.GRADLAB_WEBGPU_MATMUL_PREFETCH;
    const c: Vec4MatmulConfig = {
      tm,
      tn,
      bk: bk as 8 | 16 | 32,
      aK,
      bN,
      exact: false,
      prefetch: pf === '0' ? 0 : pf === '1' ? 1 : 2,
    };
    // less workgroup memory where the device has too little: one staged buffer, then a shallower K step
    if (vec4MatmulSharedBytes(c) > limit && c.prefetch === 2) c.prefetch = 1;
    while (vec4MatmulSharedBytes(c) > limit && c.bk > 8) c.bk = (c.bk / 2) as 8 | 16;
    c.exact = forced !== 'wide4' && M % tm === 0 && N % tn === 0 && K % c.bk === 0;
    return { key: vec4MatmulKey(c) + ek, source: () => vec4MatmulSource(c, epi), tm, tn };
  }
  // the scalar wide kernel's 128x128 tiles only where both sides fill more than half of one: a batch of
  // small products (a ViT's 17x17 attention scores for 512 heads x images) would use under 2% of each
  if (auto && (!big || M <= WIDE_TILE / 2 || N <= WIDE_TILE / 2)) return narrow;
  // the scalar wide kernel: any strides, bounds-checked; bk 32 holds 2 x 16 KiB of tiles
  const wideBk = bk * WIDE_TILE * 8 <= limit ? bk : 16;
  const aKFast = a.strides[r - 1] === 1 || a.shape[r - 1] === 1;
  const bNFast = b.strides[r - 1] === 1 || b.shape[r - 1] === 1;
  return {
    key: `matmul-wide:${wideBk}:${Number(aKFast)}${Number(bNFast)}${ek}`,
    source: () => wideMatmulSource(wideBk, aKFast, bNFast, epi),
    tm: WIDE_TILE,
    tn: WIDE_TILE,
  };
}

/**
 * out[..., m, n] = sum_k a[..., m, k] b[..., k, n]; a and b may have any strides (batch stride 0 =
 * broadcast); `out` is dense. With `epi`, each element is stored as activation(sum + bias[...]) by the
 * same dispatch (see GpuEpilogue), except for a split-K product, whose chunks are summed first: there
 * the epilogue is one elementwise pass after the sum.
 */
export function matmulInto(
  be: WebGPUBackend,
  a: TensorView,
  b: TensorView,
  out: TensorView,
  epi: GpuEpilogue | null = null,
): void {
  const r = out.shape.length;
  const M = a.shape[r - 2];
  const K = a.shape[r - 1];
  const N = b.shape[r - 1];
  const batchShape = out.shape.slice(0, r - 2);
  const batches = numelOf(batchShape);
  if (batches * M * N === 0) return;
  const parts = splitCount(M, N, K, batches);
  if (parts > 1) {
    if (!epi) return splitKInto(be, a, b, out, parts, matmulInto);
    const h = be.allocate(out.dtype, batches * M * N);
    const hv = contiguousView(h, out.shape);
    splitKInto(be, a, b, hv, parts, matmulInto);
    applyEpilogue(be, hv, out, epi);
    be.dispose(h);
    return;
  }
  const t = wgslType(out.dtype);
  const buffers = [be.bufferOf(out), be.bufferOf(a), be.bufferOf(b)];
  if (epi) buffers.push(be.bufferOf(epi.bias));
  const plan = matmulPlan(be, t, a, b, out, batchShape, epi);
  for (let base = 0; base < batches; base += 65535) {
    const meta = [
      M,
      N,
      K,
      batchShape.length,
      a.offset,
      b.offset,
      out.offset,
      a.strides[r - 2],
      a.strides[r - 1],
      b.strides[r - 2],
      b.strides[r - 1],
      base,
      ...batchShape,
      ...a.strides.slice(0, r - 2),
      ...b.strides.slice(0, r - 2),
      ...(epi ? epilogueMeta(epi) : []),
    ];
    be.dispatch(plan.key, plan.source, meta, buffers, [
      Math.ceil(N / plan.tn),
      Math.ceil(M / plan.tm),
      Math.min(65535, batches - base),
    ]);
  }
}

export function matmulKernel(be: WebGPUBackend, [a, b]: readonly TensorView[], out: TensorView): void {
  matmulInto(be, a, b, out);
}

/**
 * out = activation(h + bias) as one elementwise pass (the epilogue of a split-K product, whose sum is
 * only known after its chunks are added). Split-K runs only unbatched products: a row bias is then
 * one value per row.
 */
function applyEpilogue(be: WebGPUBackend, h: TensorView, out: TensorView, epi: GpuEpilogue): void {
  const r = out.shape.length;
  const s = epi.bias.strides[0] ?? 1;
  const strides = out.shape.map(() => 0);
  strides[epi.along === 'col' ? r - 1 : r - 2] = s;
  const bias: TensorView = { ...epi.bias, shape: [...out.shape], strides };
  webgpuExpression(be).run([h, bias], out, EPILOGUE[epi.activation]);
}

/** Output spatial size of a sliding window. */
function outSize(n: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * The shader parameters unfold and fold share: [total, C, H, W, kh, kw, strides, paddings, dilations,
 * Ho, Wo, column/image offsets, the input's strides]; [C, H, W] is the image side.
 */
function windowMeta(
  total: number,
  [C, H, W]: readonly number[],
  p: Omit<FoldParams, 'outputSize'>,
  Ho: number,
  Wo: number,
  x: TensorView,
  out: TensorView,
): number[] {
  const [kh, kw] = p.kernel;
  return [
    total,
    C,
    H,
    W,
    kh,
    kw,
    ...p.stride,
    ...p.padding,
    ...p.dilation,
    Ho,
    Wo,
    x.offset,
    out.offset,
    ...x.strides,
  ];
}

/** Writes the [N, C*kh*kw, Ho*Wo] column matrix of x (any strides) into the contiguous `out`. */
function unfoldInto(
  be: WebGPUBackend,
  x: TensorView,
  out: TensorView,
  p: {
    kernel: [number, number];
    stride: [number, number];
    padding: [number, number];
    dilation: [number, number];
  },
  padValue: number,
): void {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = p.kernel;
  const Ho = outSize(H, kh, p.stride[0], p.padding[0], p.dilation[0]);
  const Wo = outSize(W, kw, p.stride[1], p.padding[1], p.dilation[1]);
  const total = N * C * kh * kw * Ho * Wo;
  if (total === 0) return;
  const t = wgslType(out.dtype);
  const meta = [...windowMeta(total, [C, H, W], p, Ho, Wo, x, out), floatBits(padValue)];
  const source = () => `${bindings(t, [t])}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let C = prm[1]; let H = prm[2]; let W = prm[3]; let kh = prm[4]; let kw = prm[5];
  let Ho = prm[12]; let Wo = prm[13];
  let L = Ho * Wo;
  let l = i % L;
  let row = (i / L) % (C * kh * kw);
  let n = i / (L * C * kh * kw);
  let c = row / (kh * kw);
  let ki = (row / kw) % kh;
  let kj = row % kw;
  let hi = (l / Wo) * prm[6] - prm[8] + ki * prm[10];
  let wj = (l % Wo) * prm[7] - prm[9] + kj * prm[11];
  var v = ${t === 'f32' ? 'bitcast<f32>(prm[20])' : `${t}(bitcast<f32>(prm[20]))`};
  if (hi >= 0 && hi < H && wj >= 0 && wj < W) {
    v = src0[prm[14] + n * prm[16] + c * prm[17] + hi * prm[18] + wj * prm[19]];
  }
  dst[prm[15] + i] = v;
}`;
  be.dispatch(`unfold:${t}`, source, meta, [be.bufferOf(out), be.bufferOf(x)], grid(total));
}

export function unfoldKernel(
  be: WebGPUBackend,
  [x]: readonly TensorView[],
  out: TensorView,
  p: UnfoldParams,
): void {
  unfoldInto(be, x, out, p, p.padValue);
}

export function foldKernel(
  be: WebGPUBackend,
  [x]: readonly TensorView[],
  out: TensorView,
  p: FoldParams,
): void {
  const [N, C, H, W] = out.shape;
  const total = N * C * H * W;
  if (total === 0) return;
  const [kh, kw] = p.kernel;
  const Ho = outSize(H, kh, p.stride[0], p.padding[0], p.dilation[0]);
  const Wo = outSize(W, kw, p.stride[1], p.padding[1], p.dilation[1]);
  const t = wgslType(out.dtype);
  const meta = windowMeta(total, [C, H, W], p, Ho, Wo, x, out);
  const source = () => `${bindings(t, [t])}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let C = prm[1]; let H = prm[2]; let W = prm[3]; let kh = prm[4]; let kw = prm[5];
  let Ho = prm[12]; let Wo = prm[13];
  let w = i % W;
  let h = (i / W) % H;
  let c = (i / (W * H)) % C;
  let n = i / (W * H * C);
  var acc = ${t}(0);
  for (var ki = 0; ki < kh; ki = ki + 1) {
    let hh = h + prm[8] - ki * prm[10];
    if (hh < 0 || hh % prm[6] != 0) { continue; }
    let oi = hh / prm[6];
    if (oi >= Ho) { continue; }
    for (var kj = 0; kj < kw; kj = kj + 1) {
      let ww = w + prm[9] - kj * prm[11];
      if (ww < 0 || ww % prm[7] != 0) { continue; }
      let oj = ww / prm[7];
      if (oj >= Wo) { continue; }
      acc = acc + src0[prm[14] + n * prm[16] + ((c * kh + ki) * kw + kj) * prm[17] + (oi * Wo + oj) * prm[18]];
    }
  }
  dst[prm[15] + i] = acc;
}`;
  be.dispatch(`fold:${t}`, source, meta, [be.bufferOf(out), be.bufferOf(x)], grid(total));
}

/** conv2d = unfold x into columns, then one batched matmul of the (grouped) weights with them. */
export function conv2dKernel(
  be: WebGPUBackend,
  [x, w]: readonly TensorView[],
  out: TensorView,
  p: Conv2dParams,
): void {
  conv2dInto(be, x, w, out, p, null);
}

/**
 * conv2d of x [N, C, H, W] and w [O, C/groups, kh, kw] into the dense `out` [N, O, Ho, Wo]: the
 * unfold, then one batched matmul, which with `epi` also adds the bias [O] and applies the activation
 * as it stores each output (`along: 'row'`: the product's rows are a group's output channels).
 */
export function conv2dInto(
  be: WebGPUBackend,
  x: TensorView,
  w: TensorView,
  out: TensorView,
  p: Conv2dParams,
  epi: GpuEpilogue | null,
): void {
  const [N, C] = x.shape;
  const [O, Cg, kh, kw] = w.shape;
  const [, , Ho, Wo] = out.shape;
  const G = p.groups;
  const Og = O / G;
  const K = Cg * kh * kw;
  const L = Ho * Wo;
  if (N * O * L === 0) return;
  const cols = be.allocate(x.dtype, N * C * kh * kw * L);
  unfoldInto(be, x, contiguousView(cols, [N, C * kh * kw, L]), { kernel: [kh, kw], ...p }, 0);
  let wv: TensorView = w;
  let wTmp = null;
  const wDense = denseStrides(w.shape);
  if (w.strides.some((s, d) => w.shape[d] !== 1 && s !== wDense[d])) {
    wTmp = be.allocate(w.dtype, numelOf(w.shape));
    wv = contiguousView(wTmp, w.shape);
    copyInto(be, w, wv);
  }
  const A: TensorView = { ...wv, shape: [N, G, Og, K], strides: [0, Og * K, K, 1] };
  const B: TensorView = {
    storage: cols,
    dtype: x.dtype,
    offset: 0,
    shape: [N, G, K, L],
    strides: [G * K * L, K * L, L, 1],
  };
  matmulInto(be, A, B, { ...out, shape: [N, G, Og, L], strides: denseStrides([N, G, Og, L]) }, epi);
  be.dispose(cols);
  if (wTmp) be.dispose(wTmp);
}
