// Elementwise WGSL kernels on strided/broadcast views: unary, binary, compare, logical, where, cast, copy, full, pad.
import type { TensorView } from '../backend.js';
import type { DType } from '../../core/dtype.js';
import type { BinaryOp, CompareOp, LogicalOp, PadSpec, UnaryOp } from '../../core/primitives.js';
import type { WebGPUBackend } from './gpu-backend.js';
import { DTypeError } from '../../core/errors.js';
import {
  bindings,
  coalesce,
  convert,
  floatBits,
  grid,
  helpersFor,
  isDenseView,
  MAIN_ARGS,
  numelOf,
  THREAD_INDEX,
  wgslType,
} from './wgsl.js';

/**
 * Runs `out[i] = expr(a, b, c...)` over the output's elements. `loads[k]` converts input k's raw
 * element `X` to the value named by letter k (a, b, c); `expr` yields the output's WGSL type.
 * Every view may be strided (the output too, for copy); dims are coalesced first.
 */
export function mapKernel(
  be: WebGPUBackend,
  name: string,
  inputs: readonly TensorView[],
  out: TensorView,
  loads: readonly string[],
  expr: string,
  extra: readonly number[] = [],
): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  const views = [out, ...inputs];
  const { shape, strides } = coalesce(
    out.shape,
    views.map((v) => v.strides),
  );
  const rank = shape.length;
  const dense = rank === 0 || (rank === 1 && strides.every((s) => s[0] === 1));
  const outT = wgslType(out.dtype);
  const inT = inputs.map((v) => wgslType(v.dtype));
  const K = inputs.length;
  const base = 3 + K + extra.length;
  const key = `map:${name}:${outT}:${inT.join(',')}:${dense ? 'd' : 's'}:${loads.join('|')}:${expr}`;
  const source = () => {
    const letters = 'abcd';
    const offs = views.map((_, k) => `o${k}`);
    const lines: string[] = [];
    views.forEach((_, k) => lines.push(`  var o${k} = prm[${2 + k}];`));
    if (dense) views.forEach((_, k) => lines.push(`  o${k} = o${k} + i;`));
    else {
      lines.push('  var rem = i;', '  let rank = prm[1];');
      lines.push('  for (var d = rank - 1; d >= 0; d = d - 1) {');
      lines.push(`    let sz = prm[${base} + d];`, '    let c = rem % sz;', '    rem = rem / sz;');
      views.forEach((_, k) =>
        lines.push(`    ${offs[k]} = ${offs[k]} + c * prm[${base} + ${k + 1} * rank + d];`),
      );
      lines.push('  }');
    }
    inputs.forEach((_, k) =>
      lines.push(`  let ${letters[k]} = ${loads[k].replace(/X/g, `src${k}[o${k + 1}]`)};`),
    );
    lines.push(`  dst[o0] = ${expr};`);
    const body = lines.join('\n');
    return `${bindings(outT, inT)}
${helpersFor(body)}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
${body}
}`;
  };
  const meta = [n, rank, ...views.map((v) => v.offset), ...extra, ...shape, ...strides.flat()];
  be.dispatch(
    key,
    source,
    meta,
    views.map((v) => be.bufferOf(v)),
    grid(n),
  );
}

/** Copies `src` into the (possibly strided) view `dst` of the same dtype and shape. */
export function copyInto(be: WebGPUBackend, src: TensorView, dst: TensorView): void {
  mapKernel(be, 'copy', [src], dst, [convert('X', wgslType(src.dtype), wgslType(dst.dtype))], 'a');
}

/** Float expressions of the unary ops (input `a` already converted to the output type). */
const UNARY_F32: { [U in UnaryOp]: string } = {
  neg: '-a',
  exp: 'exp(a)',
  log: 'log(a)',
  log1p: 'log1p_(a)',
  expm1: 'expm1_(a)',
  sin: 'sincos_(a, 0)',
  cos: 'sincos_(a, 1)',
  tanh: 'tanh_(a)',
  sqrt: 'sqrt(a)',
  abs: 'abs(a)',
  sign: 'sign_(a)',
  sigmoid: 'sigmoid_(a)',
  relu: 'select(a, 0.0, a <= 0.0)',
  erf: 'erf_(a)',
};
const UNARY_I32: Partial<{ [U in UnaryOp]: string }> = {
  neg: '-a',
  abs: 'abs(a)',
  sign: 'sign(a)',
  relu: 'max(a, 0)',
};

export function unaryKernel(op: UnaryOp | 'logicalNot') {
  return (be: WebGPUBackend, [x]: readonly TensorView[], out: TensorView): void => {
    const xt = wgslType(x.dtype);
    if (op === 'logicalNot') {
      mapKernel(be, op, [x], out, ['X'], `select(1u, 0u, a != ${xt}(0))`);
      return;
    }
    const ot = wgslType(out.dtype);
    const expr = ot === 'f32' ? UNARY_F32[op] : UNARY_I32[op];
    if (!expr) throw new DTypeError(`webgpu: ${op} has no kernel for ${out.dtype}`);
    mapKernel(be, op, [x], out, [convert('X', xt, ot)], expr);
  };
}

const ARITH: { [B in BinaryOp]: { f32: string; i32: string } } = {
  add: { f32: 'a + b', i32: 'a + b' },
  sub: { f32: 'a - b', i32: 'a - b' },
  mul: { f32: 'a * b', i32: 'a * b' },
  div: { f32: 'a / b', i32: 'a / b' },
  pow: { f32: 'pow_(a, b)', i32: 'ipow_(a, b)' },
  maximum: { f32: 'max_(a, b)', i32: 'max(a, b)' },
  minimum: { f32: 'min_(a, b)', i32: 'min(a, b)' },
};
const CMP: { [C in CompareOp]: string } = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
const LOGIC: { [L in LogicalOp]: string } = { logicalAnd: '&', logicalOr: '|', logicalXor: '^' };

/** The type two inputs are compared in: f32 if either is float, else i32. */
function compareType(a: DType, b: DType): 'f32' | 'i32' {
  return a === 'float32' || b === 'float32' || a === 'float64' || b === 'float64' ? 'f32' : 'i32';
}

export function binaryKernel(op: BinaryOp | CompareOp | LogicalOp) {
  return (be: WebGPUBackend, [a, b]: readonly TensorView[], out: TensorView): void => {
    const at = wgslType(a.dtype);
    const bt = wgslType(b.dtype);
    if (op in CMP) {
      const ct = compareType(a.dtype, b.dtype);
      const cmp = CMP[op as CompareOp];
      mapKernel(
        be,
        op,
        [a, b],
        out,
        [convert('X', at, ct), convert('X', bt, ct)],
        // ne as not-eq: SwiftShader folds `a != b` to an ordered compare, false when either is NaN (IEEE says true)
        op === 'ne' ? 'select(1u, 0u, a == b)' : `select(0u, 1u, a ${cmp} b)`,
      );
    } else if (op in LOGIC) {
      mapKernel(
        be,
        op,
        [a, b],
        out,
        [convert('X', at, 'u32'), convert('X', bt, 'u32')],
        `a ${LOGIC[op as LogicalOp]} b`,
      );
    } else {
      const ot = wgslType(out.dtype);
      const e = ARITH[op as BinaryOp];
      const expr =
        ot === 'f32' ? e.f32 : ot === 'i32' ? e.i32 : `u32(${e.i32.replace(/\b([ab])\b/g, 'i32($1)')})`;
      mapKernel(be, op, [a, b], out, [convert('X', at, ot), convert('X', bt, ot)], expr);
    }
  };
}

export function whereKernel(be: WebGPUBackend, [c, a, b]: readonly TensorView[], out: TensorView): void {
  const ot = wgslType(out.dtype);
  mapKernel(
    be,
    'where',
    [c, a, b],
    out,
    [
      `(X != ${wgslType(c.dtype)}(0))`,
      convert('X', wgslType(a.dtype), ot),
      convert('X', wgslType(b.dtype), ot),
    ],
    'select(c, b, a)',
  );
}

export function castKernel(be: WebGPUBackend, [x]: readonly TensorView[], out: TensorView): void {
  copyInto(be, x, out);
}

export function copyKernel(be: WebGPUBackend, [x]: readonly TensorView[], out: TensorView): void {
  copyInto(be, x, out);
}

/** `value` as a WGSL expression of type `t` read from meta slot `slot` (float bits). */
function valueFromMeta(slot: string, t: string): string {
  return convert(`bitcast<f32>(${slot})`, 'f32', t);
}

/** Outputs of `full` up to this many elements are written by the queue instead of a dispatch. */
const FULL_UPLOAD_MAX = 1024;

export function fullKernel(
  be: WebGPUBackend,
  _inputs: readonly TensorView[],
  out: TensorView,
  { value }: { value: number },
): void {
  const t = wgslType(out.dtype);
  const n = numelOf(out.shape);
  if (n > 0 && n <= FULL_UPLOAD_MAX && out.offset === 0 && isDenseView(out)) {
    // small constants (scalars of a loss, gradient seeds) are written by the queue, not a dispatch;
    // safe because a kernel's output is fresh storage no queued command refers to
    const words = t === 'f32' ? new Float32Array(n) : t === 'i32' ? new Int32Array(n) : new Uint32Array(n);
    words.fill(t === 'f32' ? value : t === 'i32' ? value | 0 : value !== 0 ? 1 : 0);
    be.queue.writeBuffer(be.bufferOf(out), 0, words.buffer, 0, n * 4);
    return;
  }
  const expr = t === 'i32' ? 'prm[3]' : valueFromMeta('prm[3]', t);
  mapKernel(be, 'full', [], out, [], expr, [t === 'i32' ? value | 0 : floatBits(value)]);
}

/** pad: every output element either reads its source element or takes the pad value. */
export function padKernel(
  be: WebGPUBackend,
  [x]: readonly TensorView[],
  out: TensorView,
  { pads, value }: { pads: PadSpec[]; value: number },
): void {
  const n = numelOf(out.shape);
  if (n === 0) return;
  const t = wgslType(out.dtype);
  const xt = wgslType(x.dtype);
  const r = out.shape.length;
  const fill = t === 'i32' ? 'prm[3]' : valueFromMeta('prm[3]', t);
  const source = () => `${bindings(t, [xt])}
@compute @workgroup_size(256)
fn main(${MAIN_ARGS}) {
  ${THREAD_INDEX}
  if (i >= prm[0]) { return; }
  let rank = prm[1];
  var rem = i;
  var off = prm[2];
  var inside = true;
  for (var d = rank - 1; d >= 0; d = d - 1) {
    let sz = prm[4 + d];
    let c = rem % sz;
    rem = rem / sz;
    let tt = c - prm[4 + 2 * rank + d];
    let step = prm[4 + 3 * rank + d];
    if (tt < 0 || tt % step != 0 || tt / step >= prm[4 + rank + d]) { inside = false; }
    off = off + (tt / step) * prm[4 + 4 * rank + d];
  }
  if (inside) { dst[i] = ${convert('src0[off]', xt, t)}; } else { dst[i] = ${fill}; }
}`;
  const meta = [
    n,
    r,
    x.offset,
    t === 'i32' ? value | 0 : floatBits(value),
    ...out.shape,
    ...x.shape,
    ...pads.map((p) => p.lo),
    ...pads.map((p) => p.interior + 1),
    ...x.strides,
  ];
  be.dispatch(`pad:${t}:${xt}`, source, meta, [be.bufferOf(out), be.bufferOf(x)], grid(n));
}

export function flipKernel(
  be: WebGPUBackend,
  [x]: readonly TensorView[],
  out: TensorView,
  { dims }: { dims: number[] },
): void {
  let offset = x.offset;
  const strides = [...x.strides];
  for (const d of dims) {
    if (x.shape[d] > 0) offset += (x.shape[d] - 1) * x.strides[d];
    strides[d] = -strides[d];
  }
  copyInto(be, { ...x, strides, offset }, out);
}

export function catKernel(
  be: WebGPUBackend,
  inputs: readonly TensorView[],
  out: TensorView,
  { dim }: { dim: number },
): void {
  let at = 0;
  for (const x of inputs) {
    let offset = out.offset;
    offset += at * out.strides[dim];
    copyInto(be, x, { ...out, shape: x.shape, offset });
    at += x.shape[dim];
  }
}
