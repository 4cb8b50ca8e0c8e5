// Elementwise ops: arithmetic with broadcasting and promotion, math functions, activations, comparisons.
import { isFloat, type DType } from '../core/dtype.js';
import { apply } from '../core/engine.js';
import { DTypeError } from '../core/errors.js';
import type { CompareOp, UnaryOp } from '../core/primitives.js';
import { pcast } from '../core/primitive-calls.js';
import { Tensor } from '../core/tensor.js';
import { asTensor, promote, scalarTensor, toFloat, type TensorLike } from './tensor-like.js';

/** Options of add and sub: a multiplier of the second operand, as PyTorch's `alpha`. */
export interface AlphaOptions {
  /** Multiplier of the second operand (a + alpha * b). */
  alpha?: number;
}

const floatUnary = (op: UnaryOp) => (x: Tensor) => apply(op, [toFloat(x)], null);

/** @example gl.add(a, b)  // a + b, broadcasting */
export function add(a: TensorLike, b: TensorLike, opts: AlphaOptions = {}): Tensor {
  if (opts.alpha !== undefined && opts.alpha !== 1) b = mul(b, opts.alpha);
  const [x, y] = promote(a, b, 'add');
  return apply('add', [x, y], null);
}

/** @example gl.sub(a, b)  // a - b */
export function sub(a: TensorLike, b: TensorLike, opts: AlphaOptions = {}): Tensor {
  if (opts.alpha !== undefined && opts.alpha !== 1) b = mul(b, opts.alpha);
  const [x, y] = promote(a, b, 'sub');
  return apply('sub', [x, y], null);
}

/** @example gl.mul(a, 2) */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b, 'mul');
  return apply('mul', [x, y], null);
}

/**
 * True division (integers are promoted to float32).
 * @example gl.div(gl.tensor([1, 2]), 4); // [0.25, 0.5]
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b, 'div');
  return apply('div', [toFloat(x), toFloat(y)], null);
}

/** @example gl.pow(gl.tensor([2, 3]), 3); // [8, 27] */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b, 'pow');
  return apply('pow', [x, y], null);
}

/**
 * Elementwise maximum of two tensors (NaN propagates; ties split the gradient).
 * @example gl.maximum(gl.tensor([1, 5]), gl.tensor([3, 2])); // [3, 5]
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b, 'maximum');
  return apply('maximum', [x, y], null);
}

/**
 * Elementwise minimum of two tensors.
 * @example gl.minimum(gl.tensor([1, 5]), gl.tensor([3, 2])); // [1, 2]
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = promote(a, b, 'minimum');
  return apply('minimum', [x, y], null);
}

/**
 * Elementwise -x.
 * @example gl.neg(gl.tensor([1, -2])); // [-1, 2]
 */
export const neg = (x: Tensor): Tensor => apply('neg', [x], null);
/**
 * e^x, elementwise; integer inputs are cast to float32 first.
 * @example gl.exp(gl.tensor([0, 1])); // [1, 2.718]
 */
export const exp = floatUnary('exp');
/**
 * The natural logarithm (-inf at 0, NaN below), elementwise; integer inputs are cast to float32 first.
 * @example gl.log(gl.tensor([1, Math.E])); // [0, 1]
 */
export const log = floatUnary('log');
/**
 * log(1 + x), accurate for small x, elementwise; integer inputs are cast to float32 first.
 * @example gl.log1p(gl.tensor([0, 1e-8])); // [0, 1e-8], exact where log(1 + x) rounds to 0
 */
export const log1p = floatUnary('log1p');
/**
 * e^x - 1, accurate for small x, elementwise; integer inputs are cast to float32 first.
 * @example gl.expm1(gl.tensor([0, 1e-8])); // [0, 1e-8], exact where exp(x) - 1 rounds to 0
 */
export const expm1 = floatUnary('expm1');
/**
 * The square root (NaN below 0), elementwise; integer inputs are cast to float32 first.
 * @example gl.sqrt(gl.tensor([4, 9])); // [2, 3]
 */
export const sqrt = floatUnary('sqrt');
/**
 * The sine (radians), elementwise; integer inputs are cast to float32 first.
 * @example gl.sin(gl.tensor([0, Math.PI / 2])); // [0, 1]
 */
export const sin = floatUnary('sin');
/**
 * The cosine (radians), elementwise; integer inputs are cast to float32 first.
 * @example gl.cos(gl.tensor([0, Math.PI])); // [1, -1]
 */
export const cos = floatUnary('cos');
/**
 * The hyperbolic tangent, elementwise; integer inputs are cast to float32 first.
 * @example gl.tanh(gl.tensor([0, 1])); // [0, 0.762]
 */
export const tanh = floatUnary('tanh');
/**
 * The logistic function 1 / (1 + e^-x), elementwise; integer inputs are cast to float32 first.
 * @example gl.sigmoid(gl.tensor([0])); // [0.5]
 */
export const sigmoid = floatUnary('sigmoid');
/**
 * The error function, elementwise; integer inputs are cast to float32 first.
 * @example gl.erf(gl.tensor([0, 1])); // [0, 0.843]
 */
export const erf = floatUnary('erf');
/**
 * Elementwise |x|.
 * @example gl.abs(gl.tensor([-1, 2])); // [1, 2]
 */
export const abs = (x: Tensor): Tensor => apply('abs', [x], null);
/**
 * Elementwise sign: -1, 0 or 1.
 * @example gl.sign(gl.tensor([-2, 0, 3])); // [-1, 0, 1]
 */
export const sign = (x: Tensor): Tensor => apply('sign', [x], null);
/**
 * Elementwise max(x, 0); its gradient is 0 at 0, as in PyTorch.
 * @example gl.relu(gl.tensor([-1, 2])); // [0, 2]
 */
export const relu = (x: Tensor): Tensor => apply('relu', [x], null);

/**
 * 1 / sqrt(x).
 * @example gl.rsqrt(gl.tensor([4, 16])); // [0.5, 0.25]
 */
export function rsqrt(x: Tensor): Tensor {
  return div(1, sqrt(x));
}

/**
 * Casts to `dtype` (differentiable between float dtypes).
 * @example gl.cast(gl.tensor([1.7, -2.2]), 'int32'); // [1, -2]
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  return pcast(x, dtype);
}

/**
 * x * sigmoid(x).
 * @example gl.silu(gl.tensor([0, 1])); // [0, 0.731]
 */
export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

/**
 * GELU: exact (erf) by default, or the tanh approximation.
 * @example gl.gelu(gl.tensor([0, 1]), { approximate: 'tanh' }); // [0, 0.841]
 */
export function gelu(x: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  if (opts.approximate === 'tanh') {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/**
 * max(0,x) + negativeSlope * min(0,x).
 * @example gl.leakyRelu(gl.tensor([-2, 3]), 0.1); // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/**
 * x for x > 0, alpha * (exp(x) - 1) otherwise.
 * @example gl.elu(gl.tensor([-1, 2])); // [exp(-1) - 1, 2] = [-0.632, 2]
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  const pos = gt(x, 0);
  return where(pos, x, mul(expm1(where(pos, 0, x)), alpha));
}

/**
 * log(1 + exp(beta x)) / beta, linear above `threshold` (PyTorch's definition).
 * @example gl.softplus(gl.tensor([0, 30])); // [log 2, 30]
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  const bx = mul(x, beta);
  const smooth = div(add(relu(bx), log1p(exp(neg(abs(bx))))), beta);
  return where(gt(bx, threshold), x, smooth);
}

/**
 * Limits values to [min, max] (either bound may be omitted; numbers or tensors). The gradient is 1
 * inside the range, bounds included, as in PyTorch.
 * @example gl.clamp(gl.tensor([-1, 0.5, 2]), 0, 1); // [0, 0.5, 1]
 */
export function clamp(x: Tensor, min?: TensorLike | null, max?: TensorLike | null): Tensor {
  let out = x;
  if (min !== undefined && min !== null) out = where(lt(out, min), promote(min, out)[0], out);
  if (max !== undefined && max !== null) out = where(gt(out, max), promote(max, out)[0], out);
  return out;
}

function compare(op: CompareOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const [x, y] = promote(a, b, op);
    return apply(op, [x, y], null);
  };
}
/**
 * a == b, elementwise with broadcasting and type promotion; a bool tensor (no gradient).
 * @example gl.eq(gl.tensor([0, 1]), 0); // [true, false]
 */
export const eq = compare('eq');
/**
 * a != b, elementwise with broadcasting and type promotion; a bool tensor (no gradient).
 * @example gl.ne(gl.tensor([0, 2]), 0); // [false, true]
 */
export const ne = compare('ne');
/**
 * a < b, elementwise with broadcasting and type promotion; a bool tensor (no gradient).
 * @example gl.lt(gl.tensor([-1, 0, 1]), 0); // [true, false, false]
 */
export const lt = compare('lt');
/**
 * a <= b, elementwise with broadcasting and type promotion; a bool tensor (no gradient).
 * @example gl.le(gl.tensor([-1, 0, 1]), 0); // [true, true, false]
 */
export const le = compare('le');
/**
 * a > b, elementwise with broadcasting and type promotion; a bool tensor (no gradient).
 * @example gl.gt(gl.tensor([-1, 0, 1]), 0); // [false, false, true]
 */
export const gt = compare('gt');
/**
 * a >= b, elementwise with broadcasting and type promotion; a bool tensor (no gradient).
 * @example gl.ge(gl.tensor([-1, 0, 1]), 0); // [false, true, true]
 */
export const ge = compare('ge');

function logical(op: 'logicalAnd' | 'logicalOr' | 'logicalXor') {
  return (a: TensorLike, b: TensorLike): Tensor =>
    apply(op, [toBool(asTensor(a)), toBool(asTensor(b))], null);
}
const toBool = (x: Tensor) => pcast(x, 'bool');
/**
 * a AND b of the truth values (non-zero is true), elementwise with broadcasting; a bool tensor.
 * @example gl.logicalAnd(gl.gt(x, 0), mask)
 */
export const logicalAnd = logical('logicalAnd');
/**
 * a OR b of the truth values (non-zero is true), elementwise with broadcasting; a bool tensor.
 * @example gl.logicalOr(gl.gt(x, 0), mask)
 */
export const logicalOr = logical('logicalOr');
/**
 * a XOR b of the truth values (non-zero is true), elementwise with broadcasting; a bool tensor.
 * @example gl.logicalXor(gl.gt(x, 0), mask)
 */
export const logicalXor = logical('logicalXor');
/**
 * NOT of the truth value (non-zero is true); a bool tensor.
 * @example gl.logicalNot(mask)
 */
export const logicalNot = (x: Tensor): Tensor => apply('logicalNot', [toBool(x)], null);

/**
 * Picks from `a` where `cond` holds, else from `b` (broadcasting).
 * @example gl.where(gl.tensor([-1, 2]).gt(0), gl.tensor([-1, 2]), 0); // [0, 2]
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  if (cond.dtype !== 'bool')
    throw new DTypeError(`where: condition must be a bool tensor, got ${cond.dtype}`);
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    const dtype: DType = Number.isInteger(Number(a)) && Number.isInteger(Number(b)) ? 'int32' : 'float32';
    a = scalarTensor(a, dtype, cond);
  }
  const [x, y] = promote(a, b, 'where');
  return apply('where', [cond, x, y], null);
}

/**
 * True where x is finite (not NaN or +-Inf).
 * @example gl.isfinite(gl.tensor([1, Infinity, NaN])); // [true, false, false]
 */
export function isfinite(x: Tensor): Tensor {
  if (!isFloat(x.dtype)) return apply('full', [], { shape: [...x.shape], dtype: 'bool', value: 1 });
  return lt(abs(x), Infinity);
}
