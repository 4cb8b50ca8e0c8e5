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
import { fromTypedArray, type TensorLike } from './tensor-like.js';

/** Methods every tensor has; the implementation object below must provide each (checked by the compiler). */
export interface TensorMethods {
  backward(gradOutput?: Tensor | null, opts?: BackwardOptions): void;
  add(b: TensorLike, opts?: E.AlphaOptions): Tensor;
  sub(b: TensorLike, opts?: E.AlphaOptions): Tensor;
  mul(b: TensorLike): Tensor;
  div(b: TensorLike): Tensor;
  pow(b: TensorLike): Tensor;
  maximum(b: TensorLike): Tensor;
  minimum(b: TensorLike): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  log1p(): Tensor;
  expm1(): Tensor;
  sqrt(): Tensor;
  rsqrt(): Tensor;
  abs(): Tensor;
  sign(): Tensor;
  sin(): Tensor;
  cos(): Tensor;
  tanh(): Tensor;
  sigmoid(): Tensor;
  relu(): Tensor;
  erf(): Tensor;
  silu(): Tensor;
  gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor;
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor;
  eq(b: TensorLike): Tensor;
  ne(b: TensorLike): Tensor;
  lt(b: TensorLike): Tensor;
  le(b: TensorLike): Tensor;
  gt(b: TensorLike): Tensor;
  ge(b: TensorLike): Tensor;
  logicalNot(): Tensor;
  float(): Tensor;
  double(): Tensor;
  int(): Tensor;
  bool(): Tensor;
  /** Casts to a dtype, or moves to another backend. */
  to(target: DType | BackendName): Tensor;
  sum(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  mean(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  prod(dim?: number | null, keepdim?: boolean): Tensor;
  amax(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  amin(dim?: R.Dims | null, keepdim?: boolean): Tensor;
  max(): Tensor;
  max(dim: number, keepdim?: boolean): R.ValuesIndices;
  min(): Tensor;
  min(dim: number, keepdim?: boolean): R.ValuesIndices;
  argmax(dim?: number | null, keepdim?: boolean): Tensor;
  argmin(dim?: number | null, keepdim?: boolean): Tensor;
  var(dim?: R.Dims | null, opts?: R.VarOptions): Tensor;
  std(dim?: R.Dims | null, opts?: R.VarOptions): Tensor;
  logsumexp(dim: R.Dims, keepdim?: boolean): Tensor;
  cumsum(dim: number): Tensor;
  norm(p?: number | 'fro', dim?: R.Dims | null, keepdim?: boolean): Tensor;
  matmul(b: Tensor): Tensor;
  reshape(shape: readonly number[]): Tensor;
  view(shape: readonly number[]): Tensor;
  flatten(startDim?: number, endDim?: number): Tensor;
  permute(dims: readonly number[]): Tensor;
  transpose(dim0: number, dim1: number): Tensor;
  /** Transpose of a 2-D tensor. */
  t(): Tensor;
  unsqueeze(dim: number): Tensor;
  squeeze(dim?: number | number[]): Tensor;
  expand(shape: readonly number[]): Tensor;
  repeat(repeats: readonly number[]): Tensor;
  narrow(dim: number, start: number, length: number): Tensor;
  slice(dim: number, start?: number, end?: number, step?: number): Tensor;
  select(dim: number, index: number): Tensor;
  split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[];
  chunk(chunks: number, dim?: number): Tensor[];
  gather(dim: number, index: Tensor): Tensor;
  indexSelect(dim: number, index: Tensor): Tensor;
  flip(dims: number | readonly number[]): Tensor;
  contiguous(): Tensor;
  clone(): Tensor;
  softmax(dim: number): Tensor;
  logSoftmax(dim: number): Tensor;
  add_(b: TensorLike, opts?: { alpha?: number }): Tensor;
  sub_(b: TensorLike, opts?: { alpha?: number }): Tensor;
  mul_(b: TensorLike): Tensor;
  div_(b: TensorLike): Tensor;
  copy_(src: TensorLike): Tensor;
  zero_(): Tensor;
  fill_(value: number): Tensor;
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
