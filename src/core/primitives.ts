// The closed set of primitive ops and the parameters each takes; everything else is a composite in src/ops.
import type { DType } from './dtype.js';

/** Elementwise float functions of one tensor. */
export const UNARY_OPS = [
  'neg',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sin',
  'cos',
  'tanh',
  'sqrt',
  'abs',
  'sign',
  'sigmoid',
  'relu',
  'erf',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Elementwise arithmetic of two broadcast tensors. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Comparisons of two broadcast tensors, producing bool. */
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

/** Logical ops on bool tensors. */
export const LOGICAL_OPS = ['logicalAnd', 'logicalOr', 'logicalXor'] as const;
export type LogicalOp = (typeof LOGICAL_OPS)[number];

/** Every one-input elementwise op: the float math set plus logical negation. */
export const ELEMENTWISE_UNARY = [...UNARY_OPS, 'logicalNot'] as const;
/** Every two-input elementwise op: arithmetic, comparisons and logical ops. */
export const ELEMENTWISE_BINARY = [...BINARY_OPS, ...COMPARE_OPS, ...LOGICAL_OPS] as const;

/**
 * One table entry per op name, made by `make(op)`: how backends fill the op families of their typed
 * kernel tables (the table's mapped type still checks that every primitive has a kernel).
 * @example const table = { ...perOp(UNARY_OPS, unaryKernel), where: whereKernel, ... };
 */
export function perOp<K extends string, V>(ops: readonly K[], make: (op: K) => V): Record<K, V> {
  const out = {} as Record<K, V>;
  for (const op of ops) out[op] = make(op);
  return out;
}

/** The matrix factorizations (each over the last two dims, batched over the leading ones). */
export const LINALG_OPS = ['cholesky', 'triangularSolve', 'solve', 'slogdet', 'qr', 'eigh', 'svd'] as const;
export type LinalgPrimitive = (typeof LINALG_OPS)[number];

/** Reductions over a set of dims. */
export const REDUCE_OPS = ['sum', 'amax', 'amin', 'prod'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export interface ReduceParams {
  dims: number[];
  keepdim: boolean;
}
export interface Conv2dParams {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}
export interface UnfoldParams {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  /** value used for padded positions (0 for conv, -Infinity for max pooling) */
  padValue: number;
}
/** Window geometry of max pooling (maxPool2d and its gradient maxPool2dGrad); padded positions count as -Infinity. */
export interface MaxPoolParams {
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
}
export interface FoldParams extends Omit<UnfoldParams, 'padValue'> {
  outputSize: [number, number];
}
export interface PadSpec {
  lo: number;
  hi: number;
  interior: number;
}
export interface RandomParams {
  shape: number[];
  dtype: DType;
  dist: 'uniform' | 'normal';
  /** Philox key (two uint32 words) and the first 128-bit block counter used. */
  key: [number, number];
  counter: number;
}

/** Parameters of every primitive. Adding a primitive here without a rule in vjp.ts, infer.ts and each backend fails to compile. */
export interface PrimitiveParams {
  // elementwise
  neg: null;
  exp: null;
  log: null;
  log1p: null;
  expm1: null;
  sin: null;
  cos: null;
  tanh: null;
  sqrt: null;
  abs: null;
  sign: null;
  sigmoid: null;
  relu: null;
  erf: null;
  logicalNot: null;
  add: null;
  sub: null;
  mul: null;
  div: null;
  pow: null;
  maximum: null;
  minimum: null;
  eq: null;
  ne: null;
  lt: null;
  le: null;
  gt: null;
  ge: null;
  logicalAnd: null;
  logicalOr: null;
  logicalXor: null;
  where: null;
  cast: { dtype: DType };
  copy: null;
  // reductions and scans
  sum: ReduceParams;
  amax: ReduceParams;
  amin: ReduceParams;
  prod: ReduceParams;
  argmax: { dim: number; keepdim: boolean };
  argmin: { dim: number; keepdim: boolean };
  cumsum: { dim: number };
  /** int32 indices that sort each lane along `dim`: stable (ties keep their order), NaN counted as the largest value (as PyTorch). */
  argsort: {
    /** The dim each lane runs along. */
    dim: number;
    /** Largest first (NaN first); else smallest first (NaN last). */
    descending: boolean;
  };
  logSoftmax: { dim: number };
  /** logSoftmax's backward in one pass per lane: inputs (g, y), result g - exp(y) * sum(g along dim). */
  logSoftmaxGrad: { dim: number };
  // linear algebra
  matmul: null;
  // matrix factorizations over the last two dims, batched over the leading ones (src/core/linalg-*.ts)
  /** Lower Cholesky factor L of A = L L^T (check false: a failed minor k leaves L[k:, k:] zero instead of throwing). */
  cholesky: {
    /** Throw LinAlgError at a failed minor (else leave L[k:, k:] zero). */
    check: boolean;
  };
  /** X with A X = B for triangular A (inputs A [..., n, n], B [..., n, k]). */
  triangularSolve: {
    /** A is upper triangular (else lower); the other triangle is not read. */
    upper: boolean;
    /** A's diagonal is taken as ones (and not read). */
    unitriangular: boolean;
  };
  /** X with A X = B by LU with partial pivoting (inputs A [..., n, n], B [..., n, k]). */
  solve: null;
  /** Sign and log of |det A| as the last dim of size 2 (sign 0, log -Infinity for a singular A). */
  slogdet: null;
  /** Q of A = Q R (Householder): [..., m, min(m, n)], or [..., m, m] when complete. */
  qr: {
    /** Q is m x m (else m x min(m, n)). */
    complete: boolean;
  };
  /** Eigenvectors V (rows 0..n-1) and eigenvalues (row n, ascending) of symmetric A, packed as [..., n + 1, n]. */
  eigh: null;
  /** For A [..., m, n] with m >= n: U (rows 0..m-1), Vh (rows m..m+n-1) and S (row m+n, descending), packed as [..., m + n + 1, n]. */
  svd: null;
  // views (no kernel: they share storage)
  reshape: { shape: number[] };
  permute: { dims: number[] };
  expand: { shape: number[] };
  slice: { starts: number[]; ends: number[]; steps: number[] };
  // copying movement
  pad: { pads: PadSpec[]; value: number };
  flip: { dims: number[] };
  cat: { dim: number };
  gather: { dim: number };
  scatterAdd: { dim: number };
  // convolution helpers
  conv2d: Conv2dParams;
  unfold: UnfoldParams;
  fold: FoldParams;
  // pooling
  maxPool2d: MaxPoolParams;
  maxPool2dGrad: MaxPoolParams;
  // creation
  full: { shape: number[]; dtype: DType; value: number };
  random: RandomParams;
}

/** The name of a primitive op (the closed set every backend implements and every rule table covers). */
export type Primitive = keyof PrimitiveParams;

/** Primitives that create views instead of running a kernel. */
export type ViewPrimitive = 'reshape' | 'permute' | 'expand' | 'slice';
/** Primitives a backend must implement as kernels. */
export type KernelPrimitive = Exclude<Primitive, ViewPrimitive>;

export function isViewPrimitive(p: Primitive): p is ViewPrimitive {
  return p === 'reshape' || p === 'permute' || p === 'expand' || p === 'slice';
}
