// Tensor methods (x.add(y), x.sum(1), x.relu()...): each one calls the function of the same name.
import type { BackwardOptions } from '../core/autograd.js';
import type { DType } from '../core/dtype.js';
import { backward } from '../core/functional.js';
import { backendByName, isBackendName } from '../core/backend-registry.js';
import type { BackendName } from '../core/backend.js';
import { Tensor } from '../core/tensor.js';
import * as E from './elementwise.js';
import * as I from './inplace.js';
import * as L from './matmul.js';
import * as N from './nn.js';
import * as R from './reduce.js';
import * as S from './shape.js';
import * as O from './sort.js';
import { fromTypedArray, type TensorLike } from './tensor-like.js';

/** Methods every tensor has; the implementation object below must provide each (checked by the compiler). */
export interface TensorMethods {
  /**
   * Backpropagates from this tensor (a scalar, or give `gradOutput`), accumulating into leaves' `.grad`; see gl.backward.
   * @example loss.backward(); w.grad; // dloss/dw
   */
  backward(gradOutput?: Tensor | null, opts?: BackwardOptions): void;
  /**
   * Elementwise `this + alpha * b`, broadcasting (alpha defaults to 1).
   * @example x.add(1); x.add(y, { alpha: -0.5 });
   */
  add(b: TensorLike, opts?: E.AlphaOptions): Tensor;
  /** Elementwise `this - alpha * b`, broadcasting (alpha defaults to 1). */
  sub(b: TensorLike, opts?: E.AlphaOptions): Tensor;
  /** Elementwise product, broadcasting. */
  mul(b: TensorLike): Tensor;
  /** Elementwise quotient, broadcasting (integer inputs give float32). */
  div(b: TensorLike): Tensor;
  /** Elementwise power `this ** b`, broadcasting. */
  pow(b: TensorLike): Tensor;
  /** Elementwise maximum of this and `b`, broadcasting. */
  maximum(b: TensorLike): Tensor;
  /** Elementwise minimum of this and `b`, broadcasting. */
  minimum(b: TensorLike): Tensor;
  /** Elementwise negation. */
  neg(): Tensor;
  /** Elementwise e^x. */
  exp(): Tensor;
  /** Elementwise natural logarithm. */
  log(): Tensor;
  /** Elementwise log(1 + x), accurate for small x. */
  log1p(): Tensor;
  /** Elementwise e^x − 1, accurate for small x. */
  expm1(): Tensor;
  /** Elementwise square root. */
  sqrt(): Tensor;
  /** Elementwise 1 / √x. */
  rsqrt(): Tensor;
  /** Elementwise absolute value. */
  abs(): Tensor;
  /** Elementwise sign: −1, 0 or 1. */
  sign(): Tensor;
  /** Elementwise sine (radians). */
  sin(): Tensor;
  /** Elementwise cosine (radians). */
  cos(): Tensor;
  /** Elementwise hyperbolic tangent. */
  tanh(): Tensor;
  /** Elementwise logistic sigmoid 1 / (1 + e^−x). */
  sigmoid(): Tensor;
  /** Elementwise max(x, 0). */
  relu(): Tensor;
  /** Elementwise Gauss error function. */
  erf(): Tensor;
  /** Elementwise x · sigmoid(x) (SiLU / swish). */
  silu(): Tensor;
  /** Elementwise GELU, exact (erf) or with `approximate: 'tanh'`. */
  gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor;
  /** Clamps every element into [min, max]; a null bound is not applied. */
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
  /** Elementwise `this == b` as a bool tensor, broadcasting. */
  eq(b: TensorLike): Tensor;
  /** Elementwise `this != b` as a bool tensor, broadcasting. */
  ne(b: TensorLike): Tensor;
  /** Elementwise `this < b` as a bool tensor, broadcasting. */
  lt(b: TensorLike): Tensor;
  /** Elementwise `this <= b` as a bool tensor, broadcasting. */
  le(b: TensorLike): Tensor;
  /** Elementwise `this > b` as a bool tensor, broadcasting. */
  gt(b: TensorLike): Tensor;
  /** Elementwise `this >= b` as a bool tensor, broadcasting. */
  ge(b: TensorLike): Tensor;
  /** Elementwise logical not (a bool tensor). */
  logicalNot(): Tensor;
  /** A float32 copy (this tensor when already float32). */
  float(): Tensor;
  /** A float64 copy (this tensor when already float64; backends without float64 refuse). */
  double(): Tensor;
  /** An int32 copy (floats truncate toward zero). */
  int(): Tensor;
  /** A bool copy (nonzero is true). */
  bool(): Tensor;
  /** Casts to a dtype, or moves to another backend. */
  to(target: DType | BackendName): Tensor;
  /**
   * Sum over `dim` (all dims when omitted or null); `keepdim` keeps reduced dims as size 1.
   * @example x.sum(); x.sum(1, true);
   */
  sum(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  /** Mean over `dim` (all dims when omitted or null); `keepdim` keeps reduced dims as size 1. */
  mean(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  /** Product over `dim` (all elements when omitted or null). */
  prod(dim?: number | null, keepdim?: boolean): Tensor;
  /** Maximum values over `dim` (all dims when omitted), without indices. */
  amax(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  /** Minimum values over `dim` (all dims when omitted), without indices. */
  amin(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  /** The largest element, as a scalar tensor. */
  max(): Tensor;
  /** The largest values along `dim` and their indices (`{ values, indices }`). */
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  /** The smallest element, as a scalar tensor. */
  min(): Tensor;
  /** The smallest values along `dim` and their indices (`{ values, indices }`). */
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  /** Indices (int32) of the largest values along `dim` (of the flattened tensor when omitted). */
  argmax(dim?: number | null, keepdim?: boolean): Tensor;
  /** Indices (int32) of the smallest values along `dim` (of the flattened tensor when omitted). */
  argmin(dim?: number | null, keepdim?: boolean): Tensor;
  /**
   * Sorted values and their int32 indices along a dim (stable; NaN as the largest); see gl.sort.
   * @example const { values, indices } = x.sort({ descending: true });
   */
  sort(opts?: O.SortOptions): R.ValuesIndices;
  /** The int32 indices that sort this tensor along a dim; see gl.argsort. */
  argsort(opts?: O.SortOptions): Tensor;
  /** The k largest (or smallest) elements and their indices along a dim; see gl.topk. */
  topk(k: number, opts?: O.TopkOptions): R.ValuesIndices;
  /** The lower median of all elements (0-d); see gl.median. */
  median(): Tensor;
  /** The lower median along `dim` as { values, indices }; see gl.median. */
  median(dim: number, keepdim?: boolean): R.ValuesIndices;
  /** The q-th quantile(s) along a dim or of all elements; see gl.quantile. */
  quantile(q: number | readonly number[], opts?: O.QuantileOptions): Tensor;
  /** Variance over `dim` (all dims when omitted); Bessel-corrected unless `opts.correction` says otherwise. */
  var(dim?: R.Dims | null, opts?: R.VarOptions): Tensor;
  /** Standard deviation over `dim`: the square root of `var` with the same options. */
  std(dim?: R.Dims | null, opts?: R.VarOptions): Tensor;
  /** log Σ exp(x) over `dim`, computed stably. */
  logsumexp(dim: R.Dims, keepdim?: boolean): Tensor;
  /** Cumulative sum along `dim`. */
  cumsum(dim: number): Tensor;
  /** The p-norm (default 2, or 'fro') over `dim` (all elements when omitted). */
  norm(p?: number | 'fro', dim?: R.Dims | null, keepdim?: boolean): Tensor;
  /**
   * Matrix product with NumPy batching and broadcasting (1-D operands as vectors).
   * @example x.matmul(w) // [n, k] @ [k, m] -> [n, m]
   */
  matmul(b: Tensor): Tensor;
  /** The same elements in a new shape (one dim may be −1); a view when possible, else a copy. */
  reshape(shape: readonly number[]): Tensor;
  /** A view with a new shape sharing storage; the tensor must be compatible (e.g. contiguous). */
  view(shape: readonly number[]): Tensor;
  /** Merges dims `startDim`..`endDim` (default all) into one. */
  flatten(startDim?: number, endDim?: number): Tensor;
  /** A view with the dims reordered. */
  permute(dims: readonly number[]): Tensor;
  /** A view with two dims swapped. */
  transpose(dim0: number, dim1: number): Tensor;
  /** Transpose of a 2-D tensor. */
  t(): Tensor;
  /** A view with a size-1 dim inserted at `dim`. */
  unsqueeze(dim: number): Tensor;
  /** A view without size-1 dims (only the given ones when `dim` is passed). */
  squeeze(dim?: number | number[]): Tensor;
  /** A broadcast view to `shape` (no copy; −1 keeps a dim). */
  expand(shape: readonly number[]): Tensor;
  /** Tiles the tensor `repeats[i]` times along each dim (a copy). */
  repeat(repeats: readonly number[]): Tensor;
  /** A view of `length` entries of `dim` starting at `start`. */
  narrow(dim: number, start: number, length: number): Tensor;
  /** A view of `dim` from `start` to `end` (exclusive) by `step`, negative indices from the end. */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor;
  /** A view at `index` of `dim`, with that dim removed. */
  select(dim: number, index: number): Tensor;
  /** Views of consecutive pieces along `dim`: of one size, or of the listed sizes. */
  split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
  /** Views of `chunks` nearly equal pieces along `dim`. */
  chunk(chunks: number, dim?: number): Tensor[];
  /** Values at `index` along `dim` (index has this tensor's rank). */
  gather(dim: number, index: Tensor): Tensor;
  /** The entries of `dim` listed by a 1-D int32 `index` (a copy). */
  indexSelect(dim: number, index: Tensor): Tensor;
  /** A copy with the order of `dims` reversed. */
  flip(dims: number | readonly number[]): Tensor;
  /** This tensor when contiguous, else a row-major copy. */
  contiguous(): Tensor;
  /** A copy with its own storage (recorded for autograd). */
  clone(): Tensor;
  /** Softmax along `dim` (rows sum to 1). */
  softmax(dim: number): Tensor;
  /** log(softmax) along `dim`, computed stably. */
  logSoftmax(dim: number): Tensor;
  /** In place: `this += alpha * b`; returns this tensor. */
  add_(b: TensorLike, opts?: { alpha?: number }): Tensor;
  /** In place: `this -= alpha * b`; returns this tensor. */
  sub_(b: TensorLike, opts?: { alpha?: number }): Tensor;
  /** In place: `this *= b`; returns this tensor. */
  mul_(b: TensorLike): Tensor;
  /** In place: `this /= b`; returns this tensor. */
  div_(b: TensorLike): Tensor;
  /** In place: copies `src` (broadcast) into this tensor; returns it. */
  copy_(src: TensorLike): Tensor;
  /** In place: sets every element to 0; returns this tensor. */
  zero_(): Tensor;
  /** In place: sets every element to `value`; returns this tensor. */
  fill_(value: number): Tensor;
  /** In place: clamps every element into [min, max]; returns this tensor. */
  clamp_(min?: TensorLike | null, max?: TensorLike | null): Tensor;
}

declare module '../core/tensor.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorMethods {}
}

function moveTo(x: Tensor, name: BackendName): Tensor {
  const b = backendByName(name);
  if (x.storage.backend === b) return x;
  return fromTypedArray(x.dataSync(), x.shape, x.dtype, b);
}

const methods: TensorMethods & ThisType<Tensor> = {
  backward(g, o) {
    backward(this, g, o);
  },
  add(b, o) {
    return E.add(this, b, o);
  },
  sub(b, o) {
    return E.sub(this, b, o);
  },
  mul(b) {
    return E.mul(this, b);
  },
  div(b) {
    return E.div(this, b);
  },
  pow(b) {
    return E.pow(this, b);
  },
  maximum(b) {
    return E.maximum(this, b);
  },
  minimum(b) {
    return E.minimum(this, b);
  },
  neg() {
    return E.neg(this);
  },
  exp() {
    return E.exp(this);
  },
  log() {
    return E.log(this);
  },
  log1p() {
    return E.log1p(this);
  },
  expm1() {
    return E.expm1(this);
  },
  sqrt() {
    return E.sqrt(this);
  },
  rsqrt() {
    return E.rsqrt(this);
  },
  abs() {
    return E.abs(this);
  },
  sign() {
    return E.sign(this);
  },
  sin() {
    return E.sin(this);
  },
  cos() {
    return E.cos(this);
  },
  tanh() {
    return E.tanh(this);
  },
  sigmoid() {
    return E.sigmoid(this);
  },
  relu() {
    return E.relu(this);
  },
  erf() {
    return E.erf(this);
  },
  silu() {
    return E.silu(this);
  },
  gelu(o) {
    return E.gelu(this, o);
  },
  clamp(lo, hi) {
    return E.clamp(this, lo, hi);
  },
  eq(b) {
    return E.eq(this, b);
  },
  ne(b) {
    return E.ne(this, b);
  },
  lt(b) {
    return E.lt(this, b);
  },
  le(b) {
    return E.le(this, b);
  },
  gt(b) {
    return E.gt(this, b);
  },
  ge(b) {
    return E.ge(this, b);
  },
  logicalNot() {
    return E.logicalNot(this);
  },
  float() {
    return E.cast(this, 'float32');
  },
  double() {
    return E.cast(this, 'float64');
  },
  int() {
    return E.cast(this, 'int32');
  },
  bool() {
    return E.cast(this, 'bool');
  },
  to(target) {
    return isBackendName(target) ? moveTo(this, target) : E.cast(this, target);
  },
  sum(d, k) {
    return R.sum(this, d, k);
  },
  mean(d, k) {
    return R.mean(this, d, k);
  },
  prod(d, k) {
    return R.prod(this, d, k);
  },
  amax(d, k) {
    return R.amax(this, d, k);
  },
  amin(d, k) {
    return R.amin(this, d, k);
  },
  max(d?: number, k?: boolean): any {
    return d === undefined ? R.max(this) : R.max(this, d, k);
  },
  min(d?: number, k?: boolean): any {
    return d === undefined ? R.min(this) : R.min(this, d, k);
  },
  argmax(d, k) {
    return R.argmax(this, d, k);
  },
  argmin(d, k) {
    return R.argmin(this, d, k);
  },
  sort(o) {
    return O.sort(this, o);
  },
  argsort(o) {
    return O.argsort(this, o);
  },
  topk(k, o) {
    return O.topk(this, k, o);
  },
  median(d?: number, k?: boolean): any {
    return d === undefined ? O.median(this) : O.median(this, d, k);
  },
  quantile(q, o) {
    return O.quantile(this, q, o);
  },
  var(d, o) {
    return R.variance(this, d, o);
  },
  std(d, o) {
    return R.std(this, d, o);
  },
  logsumexp(d, k) {
    return R.logsumexp(this, d, k);
  },
  cumsum(d) {
    return R.cumsum(this, d);
  },
  norm(p, d, k) {
    return R.norm(this, p, d, k);
  },
  matmul(b) {
    return L.matmul(this, b);
  },
  reshape(s) {
    return S.reshape(this, s);
  },
  view(s) {
    return S.view(this, s);
  },
  flatten(s, e) {
    return S.flatten(this, s, e);
  },
  permute(d) {
    return S.permute(this, d);
  },
  transpose(a, b) {
    return S.transpose(this, a, b);
  },
  t() {
    return S.transpose(this, 0, 1);
  },
  unsqueeze(d) {
    return S.unsqueeze(this, d);
  },
  squeeze(d) {
    return S.squeeze(this, d);
  },
  expand(s) {
    return S.expand(this, s);
  },
  repeat(r) {
    return S.repeat(this, r);
  },
  narrow(d, s, l) {
    return S.narrow(this, d, s, l);
  },
  slice(d, s, e, st) {
    return S.slice(this, d, s, e, st);
  },
  select(d, i) {
    return S.select(this, d, i);
  },
  split(s, d) {
    return S.split(this, s, d);
  },
  chunk(c, d) {
    return S.chunk(this, c, d);
  },
  gather(d, i) {
    return S.gather(this, d, i);
  },
  indexSelect(d, i) {
    return S.indexSelect(this, d, i);
  },
  flip(d) {
    return S.flip(this, d);
  },
  contiguous() {
    return S.contiguous(this);
  },
  clone() {
    return S.clone(this);
  },
  softmax(d) {
    return N.softmax(this, d);
  },
  logSoftmax(d) {
    return N.logSoftmax(this, d);
  },
  add_(b, o) {
    return I.addInPlace(this, b, o);
  },
  sub_(b, o) {
    return I.subInPlace(this, b, o);
  },
  mul_(b) {
    return I.mulInPlace(this, b);
  },
  div_(b) {
    return I.divInPlace(this, b);
  },
  copy_(s) {
    return I.copyInto(this, s);
  },
  zero_() {
    return I.zeroInPlace(this);
  },
  fill_(v) {
    return I.fillInPlace(this, v);
  },
  clamp_(lo, hi) {
    return I.clampInPlace(this, lo, hi);
  },
};

Object.assign(Tensor.prototype, methods);
