// Fused cross-entropy in WGSL: per-row loss and statistics in one dispatch, the reduction in one, the logits' gradient in one.
import type { TensorView } from '../backend.js';
import { BackendError } from '../../core/errors.js';
import type { CrossEntropyKernel, FusedCrossEntropyParams } from '../../core/fused-kernels.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { floatBits, grid, helpersFor, MAIN_ARGS, THREAD_INDEX } from './wgsl.js';
import { LANE_TREE_MIN } from './softmax.js';
import { TREE, TREE_FNS } from './tree.js';

/**
 * Batches of at most this many short rows (C < LANE_TREE_MIN) are reduced in the row kernel's own
 * single workgroup (up to 16 rows per thread), saving the reduction dispatch.
 */
const ROWS_REDUCED_MAX = 4096;

/** The shared head of rows/backward meta: logits, target and weight addressing plus the options. */
function commonMeta(
  x: TensorView,
  t: TensorView,
  w: TensorView | null,
  p: FusedCrossEntropyParams,
  smoothing: boolean,
): number[] {
  return [
    x.shape[1],
    x.offset,
    x.strides[0],
    x.strides[1],
    t.offset,
    t.strides[0],
    w ? w.offset : 0,
    w ? w.strides[0] : 0,
    w ? 1 : 0,
    p.ignoreIndex,
    floatBits(p.keep),
    floatBits(p.spread),
    smoothing ? 1 : 0,
  ];
}

/** WGSL names for the common meta (slot 0 is the thread count, then commonMeta from slot 1). */
const COMMON = `  let C = prm[1];
  let xOff = prm[2];
  let xRs = prm[3];
  let xCs = prm[4];
  let hasW = prm[9] != 0;
  let ignore = prm[10];
  let keep = bitcast<f32>(prm[11]);
  let spread = bitcast<f32>(prm[12]);
  let smoothing = prm[13] != 0;`;

const ROW_BINDINGS = `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> loss: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
@group(0) @binding(4) var<storage, read> tgt: array<i32>;
@group(0) @binding(5) var<storage, read> w: array<f32>;`;

/**
 * The body of the row kernel, for one thread per row (`tree` false) or a workgroup per row. The max,
 * the sum of exp(x - max) and lse = max + log(sum) follow logSoftmax's kernel step for step, so the
 * picked log-probability is the composite's bit for bit; the loss then follows losses.ts's op order.
 */
function rowBody(tree: boolean): string {
  const k0 = tree ? 'i32(lid.x)' : '0';
  const step = tree ? TREE : 1;
  const loop = `for (var k = ${k0}; k < C; k = k + ${step})`;
  const rmax = (v: string) => (tree ? `treeMax(lid.x, ${v})` : v);
  const rsum = (v: string) => (tree ? `treeSum(lid.x, ${v})` : v);
  return `${COMMON}
  let xb = xOff + n * xRs;
  var mp = ninf_();
  ${loop} {
    let v = x[xb + k * xCs];
    if (v != v || v > mp) { mp = v; }${tree ? '' : '\n    if (mp != mp) { break; }'}
  }
  var m = ${rmax('mp')};
  if (m == ninf_()) { m = 0.0; }
  var sp = 0.0;
  ${loop} { sp = sp + exp(x[xb + k * xCs] - m); }
  let lse = m + log(${rsum('sp')});
  var twp = 0.0;
  var tsp = 0.0;
  if (smoothing) {
    ${loop} {
      var wc = 1.0;
      if (hasW) { wc = w[prm[7] + k * prm[8]]; }
      twp = twp + (x[xb + k * xCs] - lse) * wc;
      tsp = tsp + wc;
    }
  }
  let tw = ${rsum('twp')};
  let ts = ${rsum('tsp')};
  ${tree ? 'if (lid.x != 0u) { return; }' : ''}
  let t = tgt[prm[5] + n * prm[6]];
  let valid = t != ignore;
  let inRange = t >= 0 && t < C;
  let safe = select(0, t, valid && inRange);
  var wt = 0.0;
  if (valid) { wt = 1.0; if (hasW) { wt = w[prm[7] + safe * prm[8]]; } }
  var l = -((x[xb + safe * xCs] - lse) * wt);
  if (valid && !inRange) { l = nan_(); wt = nan_(); }
  if (smoothing) { l = l * keep + select(0.0, -tw, valid) * spread; }
  loss[n] = l;
  stats[3 * n] = lse;
  stats[3 * n + 1] = wt;
  stats[3 * n + 2] = ts;`;
}

/**
 * Rows and reduction in one workgroup: each of its threads walks rows n, n + 256, ... with the
 * one-thread-per-row body, adds up its losses and row weights, and a tree sums the threads' parts.
 */
function rowsReducedSource(): string {
  const body = rowBody(false).replace('loss[n] = l;', 'accL = accL + l;\n  accW = accW + wt;');
  return `${ROW_BINDINGS}
${helpersFor(body)}
${TREE_FNS}
@compute @workgroup_size(${TREE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let N = prm[0];
  var accL = 0.0;
  var accW = 0.0;
  for (var n = i32(lid.x); n < N; n = n + ${TREE}) {
${body}
  }
  let la = treeSum(lid.x, accL);
  let wb = treeSum(lid.x, accW);
  if (lid.x == 0u) {
    loss[prm[14]] = select(la, la / wb, prm[15] != 0);
    stats[3 * N] = wb;
  }
}`;
}

function rowsSource(tree: boolean): string {
  const body = rowBody(tree);
  const main = tree
    ? `${TREE_FNS}
@compute @workgroup_size(${TREE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = i32(wid.x + wid.y * nwg.x);
  if (n >= prm[0]) { return; }`
    : `@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let n = i;`;
  return `${ROW_BINDINGS}
${helpersFor(body)}
${main}
${body}
}`;
}

const REDUCE_SOURCE = `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read> loss: array<f32>;
${TREE_FNS}
@compute @workgroup_size(${TREE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let N = prm[0];
  var a = 0.0;
  var b = 0.0;
  for (var k = i32(lid.x); k < N; k = k + ${TREE}) { a = a + loss[k]; b = b + stats[3 * k + 1]; }
  let la = treeSum(lid.x, a);
  let wb = treeSum(lid.x, b);
  if (lid.x == 0u) {
    dst[prm[1]] = select(la, la / wb, prm[2] != 0);
    stats[3 * N] = wb;
  }
}`;

const BACKWARD_BODY = `${COMMON}
  let N = prm[14];
  let n = i / C;
  let c = i - n * C;
  let t = tgt[prm[5] + n * prm[6]];
  if (t == ignore) { dst[i] = 0.0; return; }
  let wt = stats[3 * n + 1];
  var scale = g[prm[15] + n * prm[16]];
  if (prm[17] == 2) { scale = scale / stats[3 * N]; }
  let p = exp(x[xOff + n * xRs + c * xCs] - stats[3 * n]);
  let a = keep * wt;
  var wc = 1.0;
  if (hasW) { wc = w[prm[7] + c * prm[8]]; }
  var d = p * (a + spread * stats[3 * n + 2]) - spread * wc;
  if (c == t) { d = d - a; }
  dst[i] = scale * d;`;

const BACKWARD_SOURCE = `@group(0) @binding(0) var<storage, read> prm: array<i32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> tgt: array<i32>;
@group(0) @binding(4) var<storage, read> w: array<f32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;
@group(0) @binding(6) var<storage, read> g: array<f32>;
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
${BACKWARD_BODY}
}`;

/** True when the views fit the kernels: float32 [N, C] logits, int32 [N] targets, float32 [C] weights. */
function fits(x: TensorView, t: TensorView, w: TensorView | null): boolean {
  return (
    x.dtype === 'float32' &&
    x.shape.length === 2 &&
    t.dtype === 'int32' &&
    t.shape.length === 1 &&
    t.shape[0] === x.shape[0] &&
    (w === null || (w.dtype === 'float32' && w.shape.length === 1 && w.shape[0] === x.shape[1]))
  );
}

/** A dense float32 view of a whole storage of `shape`. */
function denseView(storage: TensorView['storage'], shape: number[]): TensorView {
  return { storage, shape, strides: shape.length ? [1] : [], offset: 0, dtype: 'float32' };
}

/** The webgpu backend's fused cross-entropy (rows, reduce, backward: one dispatch each; short batches: one). */
export function webgpuCrossEntropy(be: WebGPUBackend): CrossEntropyKernel {
  const rows = (
    x: TensorView,
    t: TensorView,
    w: TensorView | null,
    p: FusedCrossEntropyParams,
    rowLoss: TensorView,
    stats: TensorView,
  ) => {
    const [N, C] = x.shape;
    const smoothing = p.spread !== 0 || p.keep !== 1;
    const meta = [N, ...commonMeta(x, t, w, p, smoothing)];
    const tree = C >= LANE_TREE_MIN;
    const buffers = [rowLoss, stats, x, t, w ?? x].map((v) => be.bufferOf(v));
    be.dispatch(
      tree ? 'ce:rowsTree' : 'ce:rows',
      () => rowsSource(tree),
      meta,
      buffers,
      tree ? grid(N, 1) : grid(N),
    );
  };
  const reduce = (rowLoss: TensorView, stats: TensorView, out: TensorView, mean: boolean) =>
    be.dispatch(
      'ce:reduce',
      () => REDUCE_SOURCE,
      [rowLoss.shape[0], out.offset, mean ? 1 : 0],
      [out, stats, rowLoss].map((v) => be.bufferOf(v)),
      [1, 1, 1],
    );
  return {
    accepts([x, t, w], p) {
      return (
        fits(x, t, w ?? null) &&
        x.shape[0] > 0 &&
        x.shape[1] > 0 &&
        ['mean', 'sum', 'none'].includes(p.reduction)
      );
    },
    forward([x, t, w0], stats, out, p) {
      const w = w0 ?? null;
      const [N, C] = x.shape;
      if (p.reduction === 'none') return rows(x, t, w, p, out, stats);
      const mean = p.reduction === 'mean';
      if (C < LANE_TREE_MIN && N <= ROWS_REDUCED_MAX) {
        const smoothing = p.spread !== 0 || p.keep !== 1;
        const meta = [N, ...commonMeta(x, t, w, p, smoothing), out.offset, mean ? 1 : 0];
        const buffers = [out, stats, x, t, w ?? x].map((v) => be.bufferOf(v));
        be.dispatch('ce:rowsReduced', rowsReducedSource, meta, buffers, [1, 1, 1]);
        return;
      }
      const rowStorage = be.allocate('float32', N);
      const rowLoss = denseView(rowStorage, [N]);
      rows(x, t, w, p, rowLoss, stats);
      reduce(rowLoss, stats, out, mean);
      be.dispose(rowStorage);
    },
    backward([x, t, w0], stats, g, out, p) {
      const w = w0 ?? null;
      const [N, C] = x.shape;
      const perRow = p.reduction === 'none';
      if (g.dtype !== 'float32' || (perRow ? g.shape.length !== 1 || g.shape[0] !== N : g.shape.length !== 0))
        throw new BackendError(
          `webgpu crossEntropy backward: gradient ${g.dtype} [${g.shape}] does not fit the loss`,
        );
      const smoothing = p.spread !== 0 || p.keep !== 1;
      const mode = p.reduction === 'mean' ? 2 : p.reduction === 'sum' ? 1 : 0;
      const meta = [
        N * C,
        ...commonMeta(x, t, w, p, smoothing),
        N,
        g.offset,
        perRow ? g.strides[0] : 0,
        mode,
      ];
      be.dispatch(
        'ce:backward',
        () => `${helpersFor(BACKWARD_BODY)}\n${BACKWARD_SOURCE}`,
        meta,
        [out, x, t, w ?? x, stats, g].map((v) => be.bufferOf(v)),
        grid(N * C),
      );
    },
  };
}
