// Shape and dtype inference per primitive: validates inputs (named errors) before any kernel runs.
import type { TensorView } from './backend.js';
import { isFloat, type DType } from './dtype.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from './errors.js';
import type {
  KernelPrimitive,
  MaxPoolParams,
  PrimitiveParams,
  ReduceParams,
  ViewPrimitive,
} from './primitives.js';
import { linalgInfer } from './linalg-infer.js';
import { broadcastShapes, broadcastView, contiguousStrides, isContiguous, numel } from './shape.js';
import type { Tensor } from './tensor.js';

/** Result of inference for a kernel primitive: the output, and the input views the kernel reads. */
export interface Inferred {
  shape: number[];
  dtype: DType;
  /** Input views to hand the kernel (e.g. broadcast with zero strides); the inputs themselves when absent. */
  views?: TensorView[];
}

/** Result of inference for a view primitive: a window of the input's storage. */
export interface ViewInferred {
  shape: number[];
  strides: number[];
  offset: number;
}

type InferWith<Params> = (inputs: readonly Tensor[], params: Params) => Inferred;
type InferFn<P extends KernelPrimitive> = InferWith<PrimitiveParams[P]>;
type ViewFn<P extends ViewPrimitive> = (x: Tensor, params: PrimitiveParams[P]) => ViewInferred;

function requireFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype}`);
}

function sameDType(op: string, inputs: readonly Tensor[]): DType {
  const d = inputs[0].dtype;
  for (const t of inputs)
    if (t.dtype !== d)
      throw new DTypeError(
        `${op}: expected inputs of one dtype, got ${inputs.map((i) => i.dtype).join(' and ')}`,
      );
  return d;
}

const unaryFloat: InferWith<null> = ([x]) => ({ shape: [...x.shape], dtype: x.dtype });

function unary(op: string): InferWith<null> {
  return (inputs, params) => {
    requireFloat(op, inputs[0]);
    return unaryFloat(inputs, params);
  };
}

function binary(op: string, out: 'same' | 'bool', needBool = false): InferWith<null> {
  return (inputs) => {
    const dtype = sameDType(op, inputs);
    if (needBool && dtype !== 'bool') throw new DTypeError(`${op}: expected bool tensors, got ${dtype}`);
    const [a, b] = inputs;
    const shape = broadcastShapes(op, a.shape, b.shape);
    return {
      shape,
      dtype: out === 'bool' ? 'bool' : dtype,
      views: [broadcastView(a, shape), broadcastView(b, shape)],
    };
  };
}

function reduceShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (dims.includes(d)) {
      if (keepdim) out.push(1);
    } else out.push(shape[d]);
  }
  return out;
}

function reduce(op: string): InferWith<ReduceParams> {
  return ([x], { dims, keepdim }) => {
    if ((op === 'amax' || op === 'amin') && numel(x.shape) === 0 && dims.some((d) => x.shape[d] === 0))
      throw new ShapeError(`${op}: cannot reduce over a zero-size dimension of ${fmtShape(x.shape)}`);
    return { shape: reduceShape(x.shape, dims, keepdim), dtype: x.dtype };
  };
}

function argReduce(op: string): InferWith<{ dim: number; keepdim: boolean }> {
  return ([x], { dim, keepdim }) => {
    if (x.shape[dim] === 0)
      throw new ShapeError(`${op}: cannot reduce over a zero-size dimension of ${fmtShape(x.shape)}`);
    return { shape: reduceShape(x.shape, [dim], keepdim), dtype: 'int32' };
  };
}

function convOut(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

function require4d(op: string, t: Tensor, what: string): void {
  if (t.shape.length !== 4)
    throw new ShapeError(`${op}: expected a 4-D ${what} [N,C,H,W], got ${fmtShape(t.shape)}`);
}

/** Output size [Ho, Wo] of max pooling x [N,C,H,W]; throws when a window does not fit. */
function poolOut(op: string, x: Tensor, p: MaxPoolParams): [number, number] {
  require4d(op, x, 'input');
  requireFloat(op, x);
  const whole = (v: number) => Number.isInteger(v);
  if (
    ![...p.kernel, ...p.stride, ...p.dilation].every((v) => whole(v) && v >= 1) ||
    !p.padding.every((v) => whole(v) && v >= 0)
  )
    throw new ArgumentError(
      `${op}: kernel, stride and dilation must be integers >= 1 and padding an integer >= 0, got kernel ${p.kernel}, stride ${p.stride}, padding ${p.padding}, dilation ${p.dilation}`,
    );
  const [, , H, W] = x.shape;
  const Ho = convOut(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
  const Wo = convOut(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
  if (Ho <= 0 || Wo <= 0)
    throw new ShapeError(
      `${op}: kernel ${p.kernel[0]}x${p.kernel[1]} does not fit input ${H}x${W} with the given padding and dilation`,
    );
  return [Ho, Wo];
}

export const inferKernel: { [P in KernelPrimitive]: InferFn<P> } = {
  neg: unaryFloat,
  exp: unary('exp'),
  log: unary('log'),
  log1p: unary('log1p'),
  expm1: unary('expm1'),
  sin: unary('sin'),
  cos: unary('cos'),
  tanh: unary('tanh'),
  sqrt: unary('sqrt'),
  abs: unaryFloat,
  sign: unaryFloat,
  sigmoid: unary('sigmoid'),
  relu: unaryFloat,
  erf: unary('erf'),
  logicalNot: ([x]) => {
    if (x.dtype !== 'bool') throw new DTypeError(`logicalNot: expected a bool tensor, got ${x.dtype}`);
    return { shape: [...x.shape], dtype: 'bool' };
  },
  add: binary('add', 'same'),
  sub: binary('sub', 'same'),
  mul: binary('mul', 'same'),
  div: binary('div', 'same'),
  pow: binary('pow', 'same'),
  maximum: binary('maximum', 'same'),
  minimum: binary('minimum', 'same'),
  eq: binary('eq', 'bool'),
  ne: binary('ne', 'bool'),
  lt: binary('lt', 'bool'),
  le: binary('le', 'bool'),
  gt: binary('gt', 'bool'),
  ge: binary('ge', 'bool'),
  logicalAnd: binary('logicalAnd', 'bool', true),
  logicalOr: binary('logicalOr', 'bool', true),
  logicalXor: binary('logicalXor', 'bool', true),
  where: ([c, a, b]) => {
    if (c.dtype !== 'bool') throw new DTypeError(`where: condition must be bool, got ${c.dtype}`);
    const dtype = sameDType('where', [a, b]);
    const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape);
    return {
      shape,
      dtype,
      views: [broadcastView(c, shape), broadcastView(a, shape), broadcastView(b, shape)],
    };
  },
  cast: ([x], { dtype }) => ({ shape: [...x.shape], dtype }),
  copy: ([x]) => ({ shape: [...x.shape], dtype: x.dtype }),
  sum: reduce('sum'),
  amax: reduce('amax'),
  amin: reduce('amin'),
  prod: reduce('prod'),
  argmax: argReduce('argmax'),
  argmin: argReduce('argmin'),
  cumsum: ([x]) => ({ shape: [...x.shape], dtype: x.dtype }),
  argsort: ([x], { dim }) => {
    if (!Number.isInteger(dim) || dim < 0 || dim >= Math.max(1, x.shape.length))
      throw new ArgumentError(`argsort: dim ${dim} is out of range for ${x.shape.length} dims`);
    return { shape: [...x.shape], dtype: 'int32' };
  },
  logSoftmax: ([x]) => {
    requireFloat('logSoftmax', x);
    return { shape: [...x.shape], dtype: x.dtype };
  },
  logSoftmaxGrad: ([g, y], { dim }) => {
    requireFloat('logSoftmaxGrad', g);
    sameDType('logSoftmaxGrad', [g, y]);
    if (g.shape.length !== y.shape.length || g.shape.some((d, i) => d !== y.shape[i]))
      throw new ShapeError(
        `logSoftmaxGrad: expected g and y of one shape, got ${fmtShape(g.shape)} and ${fmtShape(y.shape)}`,
      );
    if (!Number.isInteger(dim) || dim < 0 || dim >= Math.max(1, g.shape.length))
      throw new ArgumentError(`logSoftmaxGrad: dim ${dim} is out of range for ${g.shape.length} dims`);
    return { shape: [...g.shape], dtype: g.dtype };
  },
  matmul: (inputs) => {
    const dtype = sameDType('matmul', inputs);
    const [a, b] = inputs;
    const ra = a.shape.length;
    const rb = b.shape.length;
    if (ra < 2 || rb < 2 || a.shape[ra - 1] !== b.shape[rb - 2])
      throw new ShapeError(
        `matmul: shapes ${fmtShape(a.shape)} x ${fmtShape(b.shape)} do not fit (inner dimensions differ)`,
      );
    const batch = broadcastShapes('matmul', a.shape.slice(0, ra - 2), b.shape.slice(0, rb - 2));
    const m = a.shape[ra - 2];
    const k = a.shape[ra - 1];
    const n = b.shape[rb - 1];
    return {
      shape: [...batch, m, n],
      dtype,
      views: [broadcastView(a, [...batch, m, k]), broadcastView(b, [...batch, k, n])],
    };
  },
  pad: ([x], { pads }) => {
    if (pads.length !== x.shape.length)
      throw new ArgumentError(`pad: expected ${x.shape.length} pad specs, got ${pads.length}`);
    const shape = x.shape.map((n, d) => {
      const p = pads[d];
      if (p.lo < 0 || p.hi < 0 || p.interior < 0)
        throw new ArgumentError(`pad: negative padding is not supported`);
      return p.lo + p.hi + n + Math.max(0, n - 1) * p.interior;
    });
    return { shape, dtype: x.dtype };
  },
  flip: ([x]) => ({ shape: [...x.shape], dtype: x.dtype }),
  cat: (inputs, { dim }) => {
    const dtype = sameDType('cat', inputs);
    const first = inputs[0].shape;
    let total = 0;
    for (const t of inputs) {
      if (t.shape.length !== first.length || t.shape.some((d, i) => i !== dim && d !== first[i]))
        throw new ShapeError(
          `cat: shapes must match except in dim ${dim}, got ${inputs.map((i) => fmtShape(i.shape)).join(', ')}`,
        );
      total += t.shape[dim];
    }
    return { shape: first.map((d, i) => (i === dim ? total : d)), dtype };
  },
  gather: ([x, index], { dim }) => {
    checkIndexTensor('gather', x, index, dim);
    return { shape: [...index.shape], dtype: x.dtype };
  },
  scatterAdd: ([x, index, src], { dim }) => {
    checkIndexTensor('scatterAdd', x, index, dim);
    if (src.dtype !== x.dtype)
      throw new DTypeError(`scatterAdd: src dtype ${src.dtype} differs from input dtype ${x.dtype}`);
    if (src.shape.length !== index.shape.length || index.shape.some((d, i) => d > src.shape[i]))
      throw new ShapeError(
        `scatterAdd: index ${fmtShape(index.shape)} must not be larger than src ${fmtShape(src.shape)}`,
      );
    return { shape: [...x.shape], dtype: x.dtype };
  },
  conv2d: ([x, w], p) => {
    require4d('conv2d', x, 'input');
    require4d('conv2d', w, 'weight');
    sameDType('conv2d', [x, w]);
    const [N, C, H, W] = x.shape;
    const [O, Cg, kh, kw] = w.shape;
    if (C !== Cg * p.groups || O % p.groups !== 0)
      throw new ShapeError(
        `conv2d: input ${fmtShape(x.shape)} and weight ${fmtShape(w.shape)} do not fit with groups=${p.groups} ` +
          `(expected input channels = weight.shape[1] * groups = ${Cg * p.groups})`,
      );
    const Ho = convOut(H, kh, p.stride[0], p.padding[0], p.dilation[0]);
    const Wo = convOut(W, kw, p.stride[1], p.padding[1], p.dilation[1]);
    if (Ho <= 0 || Wo <= 0)
      throw new ShapeError(
        `conv2d: kernel ${kh}x${kw} does not fit input ${H}x${W} with the given padding and dilation`,
      );
    return { shape: [N, O, Ho, Wo], dtype: x.dtype };
  },
  unfold: ([x], p) => {
    require4d('unfold', x, 'input');
    const [N, C, H, W] = x.shape;
    const Ho = convOut(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
    const Wo = convOut(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
    if (Ho <= 0 || Wo <= 0) throw new ShapeError(`unfold: kernel does not fit input ${H}x${W}`);
    return { shape: [N, C * p.kernel[0] * p.kernel[1], Ho * Wo], dtype: x.dtype };
  },
  fold: ([x], p) => {
    if (x.shape.length !== 3)
      throw new ShapeError(`fold: expected a 3-D input [N, C*kh*kw, L], got ${fmtShape(x.shape)}`);
    const [N, K, L] = x.shape;
    const kk = p.kernel[0] * p.kernel[1];
    const [H, W] = p.outputSize;
    const Ho = convOut(H, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0]);
    const Wo = convOut(W, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1]);
    if (K % kk !== 0 || Ho * Wo !== L)
      throw new ShapeError(
        `fold: input ${fmtShape(x.shape)} does not fit kernel ${p.kernel} and output size ${p.outputSize}`,
      );
    return { shape: [N, K / kk, H, W], dtype: x.dtype };
  },
  maxPool2d: ([x], p) => {
    const [Ho, Wo] = poolOut('maxPool2d', x, p);
    return { shape: [x.shape[0], x.shape[1], Ho, Wo], dtype: x.dtype };
  },
  maxPool2dGrad: ([g, x], p) => {
    const [Ho, Wo] = poolOut('maxPool2dGrad', x, p);
    sameDType('maxPool2dGrad', [g, x]);
    const want = [x.shape[0], x.shape[1], Ho, Wo];
    if (g.shape.length !== 4 || g.shape.some((d, i) => d !== want[i]))
      throw new ShapeError(
        `maxPool2dGrad: expected a gradient of shape ${fmtShape(want)} for input ${fmtShape(x.shape)}, got ${fmtShape(g.shape)}`,
      );
    return { shape: [...x.shape], dtype: x.dtype };
  },
  ...linalgInfer,
  full: (_i, { shape, dtype }) => ({ shape: [...shape], dtype }),
  random: (_i, { shape, dtype }) => ({ shape: [...shape], dtype }),
};

function checkIndexTensor(op: string, x: Tensor, index: Tensor, dim: number): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: index must be int32, got ${index.dtype}`);
  if (index.shape.length !== x.shape.length)
    throw new ShapeError(
      `${op}: index ${fmtShape(index.shape)} must have the same rank as input ${fmtShape(x.shape)}`,
    );
  for (let d = 0; d < x.shape.length; d++)
    if (d !== dim && index.shape[d] > x.shape[d])
      throw new ShapeError(
        `${op}: index ${fmtShape(index.shape)} is larger than input ${fmtShape(x.shape)} in dim ${d}`,
      );
}

export const inferView: { [P in ViewPrimitive]: ViewFn<P> } = {
  reshape: (x, { shape }) => {
    if (numel(shape) !== numel(x.shape))
      throw new ShapeError(
        `reshape: cannot reshape ${fmtShape(x.shape)} (${numel(x.shape)} elements) into ${fmtShape(shape)}`,
      );
    if (!isContiguous(x.shape, x.strides))
      throw new ShapeError(`reshape: view of a non-contiguous tensor; call contiguous() first`);
    return { shape: [...shape], strides: contiguousStrides(shape), offset: x.offset };
  },
  permute: (x, { dims }) => ({
    shape: dims.map((d) => x.shape[d]),
    strides: dims.map((d) => x.strides[d]),
    offset: x.offset,
  }),
  expand: (x, { shape }) => {
    const lead = shape.length - x.shape.length;
    if (lead < 0)
      throw new ShapeError(`expand: cannot expand ${fmtShape(x.shape)} to fewer dims ${fmtShape(shape)}`);
    const strides = shape.map((d, i) => {
      if (i < lead) return 0;
      const s = x.shape[i - lead];
      if (s === d) return x.strides[i - lead];
      if (s === 1) return 0;
      throw new ShapeError(
        `expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)} (dim ${i}: ${s} vs ${d})`,
      );
    });
    return { shape: [...shape], strides, offset: x.offset };
  },
  slice: (x, { starts, ends, steps }) => {
    let offset = x.offset;
    const shape: number[] = [];
    const strides: number[] = [];
    for (let d = 0; d < x.shape.length; d++) {
      const n = Math.max(0, Math.ceil((ends[d] - starts[d]) / steps[d]));
      shape.push(n);
      strides.push(x.strides[d] * steps[d]);
      if (n > 0) offset += starts[d] * x.strides[d];
    }
    return { shape, strides, offset };
  },
};
