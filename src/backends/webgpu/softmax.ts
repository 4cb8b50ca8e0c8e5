// logSoftmax and its one-pass backward in WGSL: one thread per lane for short lanes, one workgroup tree per lane for long ones.
import type { TensorView } from '../backend.js';
import type { WebGPUBackend } from './gpu-backend.js';
import {
  bindings,
  coalesce,
  denseStrides,
  grid,
  helpersFor,
  MAIN_ARGS,
  numelOf,
  THREAD_INDEX,
} from './wgsl.js';
import { TREE, TREE_FNS } from './tree.js';

/** Lanes at least this long get a workgroup each (a tree reduction) instead of one thread. */
export const LANE_TREE_MIN = 128;

/** A 0-d view seen as one lane of length 1. */
function lift(v: TensorView): TensorView {
  return v.shape.length === 0 ? { ...v, shape: [1], strides: [1] } : v;
}

/**
 * Meta of lanes along `dim` over several views of one shape (operand 0 is the output):
 * [lanes, rank, len, (offset, laneStride) per operand, outerShape[rank], outerStrides[rank] per operand].
 */
function laneMeta(views: readonly TensorView[], dim: number): number[] {
  const shape = views[0].shape.filter((_, d) => d !== dim);
  const c = coalesce(
    shape,
    views.map((v) => v.strides.filter((_, d) => d !== dim)),
  );
  const meta = [numelOf(shape), c.shape.length, views[0].shape[dim]];
  for (const v of views) meta.push(v.offset, v.strides[dim]);
  meta.push(...c.shape);
  for (const s of c.strides) meta.push(...s);
  return meta;
}

/** WGSL setting b<k> (base offset of lane `lane` in operand k) and s<k> (its stride along the lane), and len. */
function laneWalk(nops: number): string {
  const sh = 3 + 2 * nops;
  const ks = Array.from({ length: nops }, (_, k) => k);
  return `
  let rank = prm[1];
  var rem = lane;
${ks.map((k) => `  var b${k} = prm[${3 + 2 * k}];\n  let s${k} = prm[${4 + 2 * k}];`).join('\n')}
  for (var d = rank - 1; d >= 0; d = d - 1) {
    let sz = prm[${sh} + d];
    let c = rem % sz;
    rem = rem / sz;
${ks.map((k) => `    b${k} = b${k} + c * prm[${sh} + ${k + 1} * rank + d];`).join('\n')}
  }
  let len = prm[2];`;
}

/**
 * Dispatches a lane kernel: `short` is the body of one thread walking a whole lane with stride 1;
 * `tree` the body of one of TREE threads starting at `t0 = lid.x` with stride TREE (it may use the
 * workgroup arrays `partA`, `partB` and call `treeMax`/`treeSum`).
 */
function dispatchLanes(
  be: WebGPUBackend,
  name: string,
  out: TensorView,
  inputs: readonly TensorView[],
  dim: number,
  short: string,
  tree: string,
): void {
  const views = [out, ...inputs].map(lift);
  const meta = laneMeta(views, dim);
  const lanes = meta[0];
  const len = meta[2];
  const buffers = [out, ...inputs].map((v) => be.bufferOf(v));
  const head = bindings(
    'f32',
    inputs.map(() => 'f32'),
  );
  const walk = laneWalk(views.length);
  if (len < LANE_TREE_MIN) {
    const source = () => `${head}
${helpersFor(short)}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let lane = i;${walk}
${short}
}`;
    be.dispatch(`lane:${name}`, source, meta, buffers, grid(lanes));
    return;
  }
  const source = () => `${head}
${helpersFor(tree)}
${TREE_FNS}
@compute @workgroup_size(${TREE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let lane = i32(wid.x + wid.y * nwg.x);
  if (lane >= prm[0]) { return; }${walk}
  let t0 = i32(lid.x);
${tree}
}`;
  be.dispatch(`laneTree:${name}`, source, meta, buffers, grid(lanes, 1));
}

/** log(softmax(x)) along `dim`: max, then log of the sum of exp(x - max), then x - logsumexp. */
export function logSoftmaxKernel(
  be: WebGPUBackend,
  [x]: readonly TensorView[],
  out: TensorView,
  { dim }: { dim: number },
): void {
  if (numelOf(out.shape) === 0) return;
  // the output is written densely whatever the view says (kernel outputs are fresh contiguous storage)
  const o = { ...out, strides: denseStrides(out.shape) };
  dispatchLanes(
    be,
    'logSoftmax',
    o,
    [x],
    dim,
    `  var m = ninf_();
  for (var k = 0; k < len; k = k + 1) {
    let v = src0[b1 + k * s1];
    if (v != v || v > m) { m = v; }
    if (m != m) { break; }
  }
  if (m == ninf_()) { m = 0.0; }
  var s = 0.0;
  for (var k = 0; k < len; k = k + 1) { s = s + exp(src0[b1 + k * s1] - m); }
  let lse = m + log(s);
  for (var k = 0; k < len; k = k + 1) { dst[b0 + k * s0] = src0[b1 + k * s1] - lse; }`,
    `  var mp = ninf_();
  for (var k = t0; k < len; k = k + ${TREE}) {
    let v = src0[b1 + k * s1];
    if (v != v || v > mp) { mp = v; }
  }
  var m = treeMax(lid.x, mp);
  if (m == ninf_()) { m = 0.0; }
  var sp = 0.0;
  for (var k = t0; k < len; k = k + ${TREE}) { sp = sp + exp(src0[b1 + k * s1] - m); }
  let lse = m + log(treeSum(lid.x, sp));
  for (var k = t0; k < len; k = k + ${TREE}) { dst[b0 + k * s0] = src0[b1 + k * s1] - lse; }`,
  );
}

/** logSoftmax's backward along `dim`: g - exp(y) * sum(g), one pass over each lane. */
export function logSoftmaxGradKernel(
  be: WebGPUBackend,
  [g, y]: readonly TensorView[],
  out: TensorView,
  { dim }: { dim: number },
): void {
  if (numelOf(out.shape) === 0) return;
  const o = { ...out, strides: denseStrides(out.shape) };
  dispatchLanes(
    be,
    'logSoftmaxGrad',
    o,
    [g, y],
    dim,
    `  var s = 0.0;
  for (var k = 0; k < len; k = k + 1) { s = s + src0[b1 + k * s1]; }
  for (var k = 0; k < len; k = k + 1) { dst[b0 + k * s0] = src0[b1 + k * s1] - exp(src1[b2 + k * s2]) * s; }`,
    `  var sp = 0.0;
  for (var k = t0; k < len; k = k + ${TREE}) { sp = sp + src0[b1 + k * s1]; }
  let s = treeSum(lid.x, sp);
  for (var k = t0; k < len; k = k + ${TREE}) { dst[b0 + k * s0] = src0[b1 + k * s1] - exp(src1[b2 + k * s2]) * s; }`,
  );
}
