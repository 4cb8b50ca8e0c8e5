// Index-driven movement kernels in WGSL: gather and scatterAdd (as a gather over the index, no atomics).
import type { TensorView } from '../backend.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { bindings, convert, grid, MAIN_ARGS, numelOf, THREAD_INDEX, wgslType } from './wgsl.js';

/** out[p] = x[p with dim replaced by index[p]]; out has the index's shape. */
export function gatherKernel(
  be: WebGPUBackend,
  [x, index]: readonly TensorView[],
  out: TensorView,
  { dim }: { dim: number },
): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  const t = wgslType(out.dtype);
  const xt = wgslType(x.dtype);
  const r = index.shape.length;
  const meta = [
    n,
    r,
    dim,
    index.offset,
    x.offset,
    out.offset,
    ...index.shape,
    ...index.strides,
    ...x.strides,
  ];
  const source = () => `${bindings(t, [xt, 'i32'])}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let rank = prm[1];
  let dim = prm[2];
  var rem = i;
  var io = prm[3];
  var xo = prm[4];
  for (var d = rank - 1; d >= 0; d = d - 1) {
    let sz = prm[6 + d];
    let c = rem % sz;
    rem = rem / sz;
    io = io + c * prm[6 + rank + d];
    if (d != dim) { xo = xo + c * prm[6 + 2 * rank + d]; }
  }
  xo = xo + src1[io] * prm[6 + 2 * rank + dim];
  dst[prm[5] + i] = ${convert('src0[xo]', xt, t)};
}`;
  be.dispatch(
    `gather:${t}:${xt}`,
    source,
    meta,
    [be.bufferOf(out), be.bufferOf(x), be.bufferOf(index)],
    grid(n),
  );
}

/**
 * out = x, plus src[q] added at out[q with dim replaced by index[q]] for every position q of the
 * index. Each output element sums the entries of its own column of the index, so no atomics are needed.
 */
export function scatterAddKernel(
  be: WebGPUBackend,
  [x, index, src]: readonly TensorView[],
  out: TensorView,
  { dim }: { dim: number },
): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  const t = wgslType(out.dtype);
  const r = out.shape.length;
  const meta = [
    n,
    r,
    dim,
    x.offset,
    index.offset,
    src.offset,
    out.offset,
    ...out.shape,
    ...index.shape,
    ...x.strides,
    ...index.strides,
    ...src.strides,
  ];
  const source = () => `${bindings(t, [wgslType(x.dtype), 'i32', wgslType(src.dtype)])}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let rank = prm[1];
  let dim = prm[2];
  var rem = i;
  var xo = prm[3];
  var io = prm[4];
  var so = prm[5];
  var inside = true;
  var tgt = 0;
  for (var d = rank - 1; d >= 0; d = d - 1) {
    let sz = prm[7 + d];
    let c = rem % sz;
    rem = rem / sz;
    xo = xo + c * prm[7 + 2 * rank + d];
    if (d == dim) { tgt = c; continue; }
    if (c >= prm[7 + rank + d]) { inside = false; }
    io = io + c * prm[7 + 3 * rank + d];
    so = so + c * prm[7 + 4 * rank + d];
  }
  var acc = ${convert('src0[xo]', wgslType(x.dtype), t)};
  if (inside) {
    let len = prm[7 + rank + dim];
    let is = prm[7 + 3 * rank + dim];
    let ss = prm[7 + 4 * rank + dim];
    for (var k = 0; k < len; k = k + 1) {
      if (src1[io + k * is] == tgt) { acc = acc + ${convert('src2[so + k * ss]', wgslType(src.dtype), t)}; }
    }
  }
  dst[prm[6] + i] = acc;
}`;
  be.dispatch(
    `scatterAdd:${t}:${wgslType(x.dtype)}:${wgslType(src.dtype)}`,
    source,
    meta,
    [be.bufferOf(out), be.bufferOf(x), be.bufferOf(index), be.bufferOf(src)],
    grid(n),
  );
}
