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
/** The name of a float unary elementwise op. */
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Elementwise arithmetic of two broadcast tensors. */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'] as const;
/** The name of a binary arithmetic op. */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Comparisons of two broadcast tensors, producing bool. */
export const COMPARE_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
/** The name of a comparison op. */
export type CompareOp = (typeof COMPARE_OPS)[number];

/** Logical ops on bool tensors. */
export const LOGICAL_OPS = ['logicalAnd', 'logicalOr', 'logicalXor'] as const;
/** The name of a binary logical op. */
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
/** The name of a matrix factorization primitive. */
export type LinalgPrimitive = (typeof LINALG_OPS)[number];

/** Reductions over a set of dims. */
export const REDUCE_OPS = ['sum', 'amax', 'amin', 'prod'] as const;
/** The name of a reduction over dims. */
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** Parameters of the reductions sum, amax, amin and prod. */
export interface ReduceParams {
  /** The dims reduced (non-negative). */
  dims: number[];
  /** Keep the reduced dims as size 1 (else they are removed). */
  keepdim: boolean;
}
/** Geometry of conv2d, as [height, width] pairs. */
export interface Conv2dParams {
  /** Step between window positions. */
  stride: [number, number];
  /** Zero padding added on both sides. */
  padding: [number, number];
  /** Spacing between kernel taps. */
  dilation: [number, number];
  /** Channel groups: input and output channels are split into this many independent convolutions. */
  groups: number;
}
/** Window geometry of unfold (image to columns), as [height, width] pairs. */
export interface UnfoldParams {
  /** Window size. */
  kernel: [number, number];
  /** Step between window positions. */
  stride: [number, number];
  /** Padding added on both sides. */
  padding: [number, number];
  /** Spacing between window taps. */
  dilation: [number, number];
  /** value used for padded positions (0 for conv, -Infinity for max pooling) */
  padValue: number;
}
/** Window geometry of max pooling (maxPool2d and its gradient maxPool2dGrad); padded positions count as -Infinity. */
export interface MaxPoolParams {
  /** Window size. */
  kernel: [number, number];
  /** Step between windows. */
  stride: [number, number];
  /** Padding (-Infinity) added on both sides. */
  padding: [number, number];
  /** Spacing between window taps. */
  dilation: [number, number];
}
/** Geometry of fold (columns to image): unfold's window geometry and the image size it rebuilds. */
export interface FoldParams extends Omit<UnfoldParams, 'padValue'> {
  /** [height, width] of the image produced. */
  outputSize: [number, number];
}
/** Padding of one dim (as XLA's pad): `lo` elements before, `hi` after, `interior` between neighbours. */
export interface PadSpec {
  /** Elements added before the first one. */
  lo: number;
  /** Elements added after the last one. */
  hi: number;
  /** Elements added between each pair of neighbours. */
  interior: number;
}
/** Parameters of the random primitive: a counter-based (Philox 4x32) draw, reproducible from key and counter. */
export interface RandomParams {
  /** The shape created. */
  shape: number[];
  /** The dtype created (a float dtype). */
  dtype: DType;
  /** Uniform in [0, 1) or standard normal. */
  dist: 'uniform' | 'normal';
  /** Philox key (two uint32 words) and the first 128-bit block counter used. */
  key: [number, number];
  /** The first 128-bit block counter used (see `key`). */
  counter: number;
}

/** Parameters of every primitive. Adding a primitive here without a rule in vjp.ts, infer.ts and each backend fails to compile. */
export interface PrimitiveParams {
  // elementwise
  /** -x. */
  neg: null;
  /** e^x. */
  exp: null;
  /** Natural logarithm (NaN below 0, -Infinity at 0). */
  log: null;
  /** log(1 + x), accurate near 0. */
  log1p: null;
  /** e^x - 1, accurate near 0. */
  expm1: null;
  /** Sine (radians). */
  sin: null;
  /** Cosine (radians). */
  cos: null;
  /** Hyperbolic tangent. */
  tanh: null;
  /** Square root (NaN below 0). */
  sqrt: null;
  /** |x|. */
  abs: null;
  /** Sign of x: -1, 0 or 1. */
  sign: null;
  /** Logistic sigmoid 1 / (1 + e^-x). */
  sigmoid: null;
  /** max(x, 0). */
  relu: null;
  /** Gauss error function. */
  erf: null;
  /** Logical not of a bool tensor. */
  logicalNot: null;
  /** a + b (broadcast). */
  add: null;
  /** a - b (broadcast). */
  sub: null;
  /** a * b (broadcast). */
  mul: null;
  /** a / b (broadcast). */
  div: null;
  /** a ** b (broadcast). */
  pow: null;
  /** Elementwise maximum of a and b (broadcast; NaN propagates). */
  maximum: null;
  /** Elementwise minimum of a and b (broadcast; NaN propagates). */
  minimum: null;
  /** a == b, as bool. */
  eq: null;
  /** a != b, as bool. */
  ne: null;
  /** a < b, as bool. */
  lt: null;
  /** a <= b, as bool. */
  le: null;
  /** a > b, as bool. */
  gt: null;
  /** a >= b, as bool. */
  ge: null;
  /** Logical and of two bool tensors. */
  logicalAnd: null;
  /** Logical or of two bool tensors. */
  logicalOr: null;
  /** Logical exclusive or of two bool tensors. */
  logicalXor: null;
  /** Select: inputs (cond, a, b), result a where cond is true, else b (all broadcast). */
  where: null;
  /** Conversion to another dtype. */
  cast: {
    /** The dtype converted to. */
    dtype: DType;
  };
  /** A contiguous copy of the input (same dtype and shape). */
  copy: null;
  // reductions and scans
  /** Sum over `dims`. */
  sum: ReduceParams;
  /** Maximum over `dims`. */
  amax: ReduceParams;
  /** Minimum over `dims`. */
  amin: ReduceParams;
  /** Product over `dims`. */
  prod: ReduceParams;
  /** Index (int32) of the largest value along `dim` (the first one on ties). */
  argmax: {
    /** The dim searched. */
    dim: number;
    /** Keep `dim` as size 1 (else it is removed). */
    keepdim: boolean;
  };
  /** Index (int32) of the smallest value along `dim` (the first one on ties). */
  argmin: {
    /** The dim searched. */
    dim: number;
    /** Keep `dim` as size 1 (else it is removed). */
    keepdim: boolean;
  };
  /** Inclusive cumulative sum along `dim`. */
  cumsum: {
    /** The dim summed along. */
    dim: number;
  };
  /** int32 indices that sort each lane along `dim`: stable (ties keep their order), NaN counted as the largest value (as PyTorch). */
  argsort: {
    /** The dim each lane runs along. */
    dim: number;
    /** Largest first (NaN first); else smallest first (NaN last). */
    descending: boolean;
  };
  /** log(softmax(x)) along `dim`, computed stably (max subtracted). */
  logSoftmax: {
    /** The dim normalised over. */
    dim: number;
  };
  /** logSoftmax's backward in one pass per lane: inputs (g, y), result g - exp(y) * sum(g along dim). */
  logSoftmaxGrad: {
    /** The dim the forward logSoftmax normalised over. */
    dim: number;
  };
  // linear algebra
  /** Batched matrix product of [..., m, k] and [..., k, n] (leading dims broadcast). */
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
  /** A view with another shape and the same number of elements. */
  reshape: {
    /** The new shape (no -1: resolved before). */
    shape: number[];
  };
  /** A view with the dims reordered. */
  permute: {
    /** Output dim i is input dim dims[i]. */
    dims: number[];
  };
  /** A view broadcasting size-1 dims to `shape` (stride 0). */
  expand: {
    /** The broadcast shape. */
    shape: number[];
  };
  /** A strided view of the range [starts, ends) with `steps`, per dim. */
  slice: {
    /** First index per dim. */
    starts: number[];
    /** End index (exclusive) per dim. */
    ends: number[];
    /** Step per dim (positive). */
    steps: number[];
  };
  // copying movement
  /** Padding per dim (lo and hi padding, interior padding between elements), filled with `value`. */
  pad: {
    /** One spec per dim. */
    pads: PadSpec[];
    /** The value of padded positions. */
    value: number;
  };
  /** A copy with the order of elements reversed along `dims`. */
  flip: {
    /** The dims reversed. */
    dims: number[];
  };
  /** Concatenation of the inputs along `dim`. */
  cat: {
    /** The dim joined along. */
    dim: number;
  };
  /** Inputs (x, index): out[..i..] = x[..index[..i..] along dim..] (index int32, same rank as x). */
  gather: {
    /** The dim indexed. */
    dim: number;
  };
  /** Inputs (base, index, src): a copy of base with src added at index along `dim` (repeated indices accumulate). */
  scatterAdd: {
    /** The dim indexed. */
    dim: number;
  };
  // convolution helpers
  /** 2-D convolution of input [N, C, H, W] with weight [O, C / groups, kH, kW] (cross-correlation, as PyTorch). */
  conv2d: Conv2dParams;
  /** Image to columns: [N, C, H, W] -> [N, C * kH * kW, L], one column per window position. */
  unfold: UnfoldParams;
  /** Columns to image, summing overlaps: the adjoint of unfold, [N, C * kH * kW, L] -> [N, C, H, W]. */
  fold: FoldParams;
  // pooling
  /** Max pooling of [N, C, H, W] over windows. */
  maxPool2d: MaxPoolParams;
  /** Gradient of maxPool2d: inputs (x, grad of the output), the grad routed to each window's maximum. */
  maxPool2dGrad: MaxPoolParams;
  // creation
  /** A new tensor of `shape` and `dtype` filled with `value`. */
  full: {
    /** The shape created. */
    shape: number[];
    /** The dtype created. */
    dtype: DType;
    /** The fill value. */
    value: number;
  };
  /** A new tensor of random numbers (uniform in [0, 1) or standard normal) from a Philox stream. */
  random: RandomParams;
}

/** The name of a primitive op (the closed set every backend implements and every rule table covers). */
export type Primitive = keyof PrimitiveParams;

/** Primitives that create views instead of running a kernel. */
export type ViewPrimitive = 'reshape' | 'permute' | 'expand' | 'slice';
/** Primitives a backend must implement as kernels. */
export type KernelPrimitive = Exclude<Primitive, ViewPrimitive>;

/** Whether `p` makes a view (sharing storage) rather than running a kernel. */
export function isViewPrimitive(p: Primitive): p is ViewPrimitive {
  return p === 'reshape' || p === 'permute' || p === 'expand' || p === 'slice';
}
