// Elementwise kernels of the JS backend: unary, binary, comparison, logical, where, cast and copy.
import type { Kernel, KernelFn } from '../backend.js';
import type { TensorView } from '../backend.js';
import type { BinaryOp, CompareOp, LogicalOp, UnaryOp } from '../../core/primitives.js';
import { erf } from '../../core/special.js';
import { dataOf, indexer } from './strided.js';

type F1 = (x: number) => number;
type F2 = (a: number, b: number) => number;

export const unaryFns: { [U in UnaryOp | 'logicalNot']: F1 } = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x),
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : x === x ? 0 : x),
  erf,
  logicalNot: (x) => (x ? 0 : 1),
};

export const binaryFns: { [B in BinaryOp | CompareOp | LogicalOp]: F2 } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
  minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
  logicalXor: (a, b) => (a ? 1 : 0) ^ (b ? 1 : 0),
};

/** Integer division semantics for int32 results of div are never needed: div promotes ints to float. */
export function unaryKernel(op: UnaryOp | 'logicalNot'): KernelFn<null> {
  const f = unaryFns[op];
  return ([x], out) => {
    const src = dataOf(x);
    const dst = dataOf(out);
    const n = dst.length === 0 ? 0 : sizeOf(out);
    const ix = indexer(x);
    const o = out.offset;
    if (!ix) {
      const xo = x.offset;
      for (let i = 0; i < n; i++) dst[o + i] = f(src[xo + i]);
    } else for (let i = 0; i < n; i++) dst[o + i] = f(src[ix[i]]);
  };
}

function sizeOf(v: TensorView): number {
  let n = 1;
  for (const d of v.shape) n *= d;
  return n;
}

export function binaryKernel(op: BinaryOp | CompareOp | LogicalOp): KernelFn<null> {
  const f = binaryFns[op];
  return ([a, b], out) => {
    const da = dataOf(a);
    const db = dataOf(b);
    const dst = dataOf(out);
    const n = sizeOf(out);
    const ia = indexer(a);
    const ib = indexer(b);
    const o = out.offset;
    if (!ia && !ib) {
      const ao = a.offset;
      const bo = b.offset;
      for (let i = 0; i < n; i++) dst[o + i] = f(da[ao + i], db[bo + i]);
      return;
    }
    if (!ia) {
      const ao = a.offset;
      for (let i = 0; i < n; i++) dst[o + i] = f(da[ao + i], db[ib![i]]);
      return;
    }
    if (!ib) {
      const bo = b.offset;
      for (let i = 0; i < n; i++) dst[o + i] = f(da[ia[i]], db[bo + i]);
      return;
    }
    for (let i = 0; i < n; i++) dst[o + i] = f(da[ia[i]], db[ib[i]]);
  };
}

export const whereKernel: Kernel<'where'> = ([c, a, b], out) => {
  const dc = dataOf(c);
  const da = dataOf(a);
  const db = dataOf(b);
  const dst = dataOf(out);
  const n = sizeOf(out);
  const ic = indexer(c);
  const ia = indexer(a);
  const ib = indexer(b);
  for (let i = 0; i < n; i++) {
    const cv = dc[ic ? ic[i] : c.offset + i];
    dst[out.offset + i] = cv ? da[ia ? ia[i] : a.offset + i] : db[ib ? ib[i] : b.offset + i];
  }
};

export const castKernel: Kernel<'cast'> = ([x], out, { dtype }) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  const n = sizeOf(out);
  const ix = indexer(x);
  const conv: F1 = dtype === 'bool' ? (v) => (v !== 0 ? 1 : 0) : dtype === 'int32' ? Math.trunc : (v) => v;
  for (let i = 0; i < n; i++) dst[out.offset + i] = conv(src[ix ? ix[i] : x.offset + i]);
};

/** Copies `x` into `out`, which may be any strided view (the path of every in-place write). */
export const copyKernel: Kernel<'copy'> = ([x], out) => {
  const src = dataOf(x);
  const dst = dataOf(out);
  const n = sizeOf(out);
  const ix = indexer(x);
  const io = indexer(out);
  if (!ix && !io) {
    dst.set(src.subarray(x.offset, x.offset + n) as never, out.offset);
    return;
  }
  for (let i = 0; i < n; i++) dst[io ? io[i] : out.offset + i] = src[ix ? ix[i] : x.offset + i];
};
