// The argsort kernel in WGSL: one thread per element counts the elements of its lane that sort before it.
import type { TensorView } from '../backend.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { bindings, coalesce, grid, MAIN_ARGS, numelOf, THREAD_INDEX, wgslType } from './wgsl.js';

/**
 * dst[lane, rank(k)] = k, where rank(k) counts the lane's elements that sort before element k:
 * the smaller (larger when descending) ones, NaN as the largest value, and equal ones with a lower
 * index (a stable order, as the JS kernel's). O(len) work per thread, all elements in parallel.
 */
export function argsortKernel(
  be: WebGPUBackend,
  [x0]: readonly TensorView[],
  out0: TensorView,
  { dim, descending }: { dim: number; descending: boolean },
): void {
  const lift = (v: TensorView): TensorView => (v.shape.length === 0 ? { ...v, shape: [1], strides: [1] } : v);
  const x = lift(x0);
  const out = lift(out0);
  const n = numelOf(x.shape);
  if (n === 0) return;
  const outStrides = out.strides;
  const shape = x.shape.filter((_, d) => d !== dim);
  const c = coalesce(shape, [x.strides.filter((_, d) => d !== dim), outStrides.filter((_, d) => d !== dim)]);
  const meta = [
    n,
    c.shape.length,
    x.shape[dim],
    x.strides[dim],
    outStrides[dim],
    x.offset,
    out.offset,
    ...c.shape,
    ...c.strides[0],
    ...c.strides[1],
  ];
  const xt = wgslType(x.dtype);
  // NaN is told by its bits: compilers may fold `v != v` to false (WGSL lets them assume no NaN)
  const isNan = (e: string) =>
    xt === 'f32' ? `((bitcast<u32>(${e}) & 0x7fffffffu) > 0x7f800000u)` : 'false';
  const cmp = descending ? '>' : '<';
  const first = descending ? 'nu' : 'nv'; // u sorts before v when exactly one is NaN and this one is
  const source = () => `${bindings('i32', [xt])}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let len = prm[2];
  let xs = prm[3];
  let os = prm[4];
  let rank = prm[1];
  let k = i % len;
  var rem = i / len;
  var xb = prm[5];
  var ob = prm[6];
  for (var d = rank - 1; d >= 0; d = d - 1) {
    let sz = prm[7 + d];
    let c = rem % sz;
    rem = rem / sz;
    xb = xb + c * prm[7 + rank + d];
    ob = ob + c * prm[7 + 2 * rank + d];
  }
  let v = src0[xb + k * xs];
  let nv = ${isNan('v')};
  var r = 0;
  for (var j = 0; j < len; j = j + 1) {
    let u = src0[xb + j * xs];
    let nu = ${isNan('u')};
    var before = false;
    if (nu || nv) {
      before = (nu != nv && ${first}) || (nu && nv && j < k);
    } else {
      before = (u ${cmp} v) || (u == v && j < k);
    }
    if (before) { r = r + 1; }
  }
  dst[ob + r * os] = k;
}`;
  be.dispatch(
    `argsort:${xt}:${descending ? 'desc' : 'asc'}`,
    source,
    meta,
    [be.bufferOf(out), be.bufferOf(x)],
    grid(n),
  );
}
