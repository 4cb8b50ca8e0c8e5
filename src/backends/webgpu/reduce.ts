// Reductions (workgroup trees for long rows), arg-reductions and cumsum in WGSL (logSoftmax: softmax.ts).
import type { TensorView } from '../backend.js';
import type { ReduceOp, ReduceParams } from '../../core/primitives.js';
import type { WebGPUBackend } from './gpu-backend.js';
import {
  bindings,
  coalesce,
  convert,
  denseStrides,
  grid,
  helpersFor,
  MAIN_ARGS,
  numelOf,
  THREAD_INDEX,
  wgslType,
} from './wgsl.js';

/** Rows at least this long are reduced by a workgroup tree instead of one thread... */
const TREE_MIN = 128;
/**
 * ...unless there are at least this many times more rows than a row is long: one thread per row then
 * fills the device by itself and reads neighbouring columns together, where the tree would start a
 * 256-thread workgroup (and eight barriers) per output. A column sum [128, 2048] -> [2048] (a bias
 * gradient) took 15 s as 2048 trees on SwiftShader, whose barriers are costly; its queued kernels kept
 * a failed CLI command alive for minutes.
 */
const ROWS_PER_LENGTH_FOR_THREADS = 4;
/** Threads of a reduction tree. */
const TREE = 256;

function initOf(op: ReduceOp, t: string): string {
  if (op === 'sum') return `${t}(0)`;
  if (op === 'prod') return `${t}(1)`;
  if (t === 'f32') return op === 'amax' ? 'ninf_()' : 'inf_()';
  if (t === 'i32') return op === 'amax' ? 'i32(-2147483647 - 1)' : 'i32(2147483647)';
  return op === 'amax' ? '0u' : '1u';
}

/** WGSL combining accumulator `acc` with value `v` (NaN wins in amax/amin, as on the CPU). */
function stepOf(op: ReduceOp, t: string, acc: string, v: string): string {
  if (op === 'sum') return `${acc} + ${v}`;
  if (op === 'prod') return `${acc} * ${v}`;
  const cmp = op === 'amax' ? '>' : '<';
  if (t !== 'f32') return `select(${acc}, ${v}, ${v} ${cmp} ${acc})`;
  return `select(select(${acc}, ${v}, ${v} ${cmp} ${acc}), ${v}, ${v} != ${v})`;
}

/** Offsets of the kept dims (outer) and reduced dims (inner) of x, each coalesced. */
function split(x: TensorView, dims: readonly number[]) {
  const inner = new Set(dims);
  const oS: number[] = [];
  const oSt: number[] = [];
  const iS: number[] = [];
  const iSt: number[] = [];
  x.shape.forEach((s, d) => {
    if (inner.has(d)) {
      iS.push(s);
      iSt.push(x.strides[d]);
    } else {
      oS.push(s);
      oSt.push(x.strides[d]);
    }
  });
  const o = coalesce(oS, [oSt]);
  const i = coalesce(iS, [iSt]);
  return { oShape: o.shape, oStrides: o.strides[0], iShape: i.shape, iStrides: i.strides[0] };
}

/** WGSL computing `off` (input offset of output row `o`) from meta laid out by reduceMeta. */
const OUTER_WALK = `
  let orank = prm[1];
  let irank = prm[2];
  var rem = o;
  var base = prm[4];
  for (var d = orank - 1; d >= 0; d = d - 1) {
    let sz = prm[6 + d];
    base = base + (rem % sz) * prm[6 + orank + d];
    rem = rem / sz;
  }
  let ib = 6 + 2 * orank;`;
const INNER_OFFSET = `
    var r2 = j;
    var off = base;
    for (var d = irank - 1; d >= 0; d = d - 1) {
      let sz = prm[ib + d];
      off = off + (r2 % sz) * prm[ib + irank + d];
      r2 = r2 / sz;
    }`;

export function reduceKernel(op: ReduceOp) {
  return (be: WebGPUBackend, [x]: readonly TensorView[], out: TensorView, { dims }: ReduceParams): void => {
    const nOut = numelOf(out.shape);
    if (nOut === 0) return;
    const { oShape, oStrides, iShape, iStrides } = split(x, dims);
    const count = numelOf(iShape);
    const t = wgslType(out.dtype);
    const xt = wgslType(x.dtype);
    const load = convert('src0[off]', xt, t);
    const meta = [
      nOut,
      oShape.length,
      iShape.length,
      count,
      x.offset,
      out.offset,
      ...oShape,
      ...oStrides,
      ...iShape,
      ...iStrides,
    ];
    const buffers = [be.bufferOf(out), be.bufferOf(x)];
    if (count < TREE_MIN || nOut >= ROWS_PER_LENGTH_FOR_THREADS * count) {
      const source = () => `${bindings(t, [xt])}
${helpersFor(initOf(op, t))}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let o = i;${OUTER_WALK}
  var acc = ${initOf(op, t)};
  for (var j = 0; j < prm[3]; j = j + 1) {${INNER_OFFSET}
    let v = ${load};
    acc = ${stepOf(op, t, 'acc', 'v')};
  }
  dst[prm[5] + o] = acc;
}`;
      be.dispatch(`reduce:${op}:${t}:${xt}`, source, meta, buffers, grid(nOut));
      return;
    }
    const source = () => `${bindings(t, [xt])}
${helpersFor(initOf(op, t))}
var<workgroup> part: array<${t}, ${TREE}>;
@compute @workgroup_size(${TREE})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = i32(wid.x + wid.y * nwg.x);
  if (o >= prm[0]) { return; }${OUTER_WALK}
  var acc = ${initOf(op, t)};
  for (var j = i32(lid.x); j < prm[3]; j = j + ${TREE}) {${INNER_OFFSET}
    let v = ${load};
    acc = ${stepOf(op, t, 'acc', 'v')};
  }
  part[lid.x] = acc;
  workgroupBarrier();
  for (var s = ${TREE / 2}u; s > 0u; s = s >> 1u) {
    if (lid.x < s) { part[lid.x] = ${stepOf(op, t, 'part[lid.x]', 'part[lid.x + s]')}; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { dst[prm[5] + o] = part[0]; }
}`;
    be.dispatch(`reduceTree:${op}:${t}:${xt}`, source, meta, buffers, grid(nOut, 1));
  };
}

/** Meta of one lane per row along `dim`: [lanes, outerRank, len, xStride, outStride, xOff, outOff, shape, xStrides, outStrides]. */
function laneMeta(x: TensorView, out: TensorView, dim: number, outStrides: readonly number[]): number[] {
  const shape = x.shape.filter((_, d) => d !== dim);
  const xs = x.strides.filter((_, d) => d !== dim);
  const os = outStrides.filter((_, d) => d !== dim);
  const c = coalesce(shape, [xs, os]);
  return [
    numelOf(shape),
    c.shape.length,
    x.shape[dim],
    x.strides[dim],
    outStrides[dim] ?? 0,
    x.offset,
    out.offset,
    ...c.shape,
    ...c.strides[0],
    ...c.strides[1],
  ];
}

const LANE_WALK = `
  let rank = prm[1];
  var rem = i;
  var xb = prm[5];
  var ob = prm[6];
  for (var d = rank - 1; d >= 0; d = d - 1) {
    let sz = prm[7 + d];
    let c = rem % sz;
    rem = rem / sz;
    xb = xb + c * prm[7 + rank + d];
    ob = ob + c * prm[7 + 2 * rank + d];
  }
  let len = prm[2];
  let xs = prm[3];
  let os = prm[4];`;

function laneKernel(
  be: WebGPUBackend,
  name: string,
  x: TensorView,
  out: TensorView,
  meta: number[],
  body: string,
): void {
  const t = wgslType(out.dtype);
  const xt = wgslType(x.dtype);
  const source = () => `${bindings(t, [xt])}
${helpersFor(body)}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }${LANE_WALK}
${body}
}`;
  be.dispatch(`lane:${name}:${t}:${xt}`, source, meta, [be.bufferOf(out), be.bufferOf(x)], grid(meta[0]));
}

/** Contiguous strides of a shape with `dim` removed when !keepdim (argmax output layout). */
function argOutStrides(x: TensorView, dim: number): number[] {
  const s = new Array<number>(x.shape.length);
  let acc = 1;
  for (let d = x.shape.length - 1; d >= 0; d--) {
    if (d === dim) {
      s[d] = 0;
      continue;
    }
    s[d] = acc;
    acc *= x.shape[d];
  }
  return s;
}

function argKernel(cmp: '>' | '<') {
  return (be: WebGPUBackend, [x]: readonly TensorView[], out: TensorView, { dim }: { dim: number }): void => {
    if (numelOf(out.shape) === 0) return;
    const xt = wgslType(x.dtype);
    const meta = laneMeta(x, out, dim, argOutStrides(x, dim));
    laneKernel(
      be,
      `arg${cmp}`,
      x,
      out,
      meta,
      `  var best = src0[xb];
  var bi = 0;
  for (var k = 1; k < len; k = k + 1) {
    let v = src0[xb + k * xs];
    if (best == best && (v ${cmp} best || v != v)) { best = v; bi = k; }
  }
  dst[ob] = ${xt === 'u32' ? 'bi' : 'bi'};`,
    );
  };
}
export const argmaxKernel = argKernel('>');
export const argminKernel = argKernel('<');

export function cumsumKernel(
  be: WebGPUBackend,
  [x]: readonly TensorView[],
  out: TensorView,
  { dim }: { dim: number },
): void {
  if (numelOf(out.shape) === 0) return;
  const t = wgslType(out.dtype);
  const load = convert('src0[xb + k * xs]', wgslType(x.dtype), t);
  laneKernel(
    be,
    'cumsum',
    x,
    out,
    laneMeta(x, out, dim, denseStrides(out.shape)),
    `  var acc = ${t}(0);
  for (var k = 0; k < len; k = k + 1) {
    acc = acc + ${load};
    dst[ob + k * os] = acc;
  }`,
  );
}
