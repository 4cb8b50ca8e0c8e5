// Turning user values (numbers, nested arrays, tensors) into tensors, and dtype promotion of op arguments.
import type { Backend } from '../core/backend.js';
import { currentBackend } from '../core/backend-registry.js';
import {
  allocArray,
  dtypeOfArray,
  isFloat,
  promoteTypes,
  scalarDType,
  type DType,
  type TypedArray,
} from '../core/dtype.js';
import { apply } from '../core/engine.js';
import { ArgumentError, ShapeError } from '../core/errors.js';
import { pcast } from '../core/primitive-calls.js';
import { contiguousStrides, numel } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';

/** Nested arrays of numbers or booleans. */
export type NestedArray = number | boolean | readonly NestedArray[];
/** Anything an op accepts where a tensor is expected. */
export type TensorLike = Tensor | number | boolean;

/** Options of the creation functions: dtype, requiresGrad and, for gl.tensor, the shape. */
export interface CreateOptions {
  /** The element type (default: float32, bool for booleans, a typed array's own). */
  dtype?: DType;
  /** Make the new tensor a leaf that records gradients (default false). */
  requiresGrad?: boolean;
  /** The shape to give the data (its element count must match); by default the nesting's, or 1-d for typed arrays. */
  shape?: readonly number[];
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as NestedArray;
    if (cur === undefined) break;
  }
  return shape;
}

function flatten(
  data: NestedArray,
  shape: readonly number[],
  out: TypedArray,
  at: { i: number },
  depth = 0,
): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new ShapeError(`tensor: ragged nested array (too deep at depth ${depth})`);
    out[at.i++] = typeof data === 'boolean' ? (data ? 1 : 0) : (data as number);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth])
    throw new ShapeError(`tensor: ragged nested array: expected length ${shape[depth]} at depth ${depth}`);
  for (const x of data as readonly NestedArray[]) flatten(x, shape, out, at, depth + 1);
}

function firstScalar(data: NestedArray): number | boolean | undefined {
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    if (cur.length === 0) return undefined;
    cur = cur[0] as NestedArray;
  }
  return cur as number | boolean;
}

/** Wraps a typed array of `shape` into a tensor on `backend` (data is copied). */
export function fromTypedArray(
  data: TypedArray,
  shape: readonly number[],
  dtype: DType,
  backend: Backend = currentBackend(),
): Tensor {
  let arr = data;
  if (dtypeOfArray(data) !== dtype) {
    arr = allocArray(dtype, data.length);
    for (let i = 0; i < data.length; i++) arr[i] = dtype === 'bool' ? (data[i] ? 1 : 0) : data[i];
  }
  return new Tensor(backend.upload(dtype, arr), [...shape], contiguousStrides(shape), 0, dtype);
}

/**
 * Creates a tensor from nested arrays, a number, a boolean or a typed array (copied).
 * The dtype defaults to float32 (bool for booleans, int32 for Int32Array, float64 for Float64Array).
 * @example const x = gl.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * @example const m = gl.tensor(new Float32Array(6), { shape: [2, 3] });
 */
export function tensor(data: NestedArray | TypedArray, opts: CreateOptions = {}): Tensor {
  if (Array.isArray(opts) || opts === null || typeof opts !== 'object')
    throw new ArgumentError(
      `tensor: the second argument is an options object ({ shape, dtype, requiresGrad }), got ${Array.isArray(opts) ? `the array [${String(opts)}]; for a shape write tensor(data, { shape: [${String(opts)}] })` : String(opts)}`,
    );
  let t: Tensor;
  if (ArrayBuffer.isView(data)) {
    const arr = data as TypedArray;
    t = fromTypedArray(arr, [arr.length], opts.dtype ?? dtypeOfArray(arr));
  } else {
    if (data === null || data === undefined)
      throw new ArgumentError(`tensor: expected numbers or nested arrays, got ${data}`);
    const shape = inferShape(data);
    const first = firstScalar(data);
    if (first !== undefined && typeof first !== 'number' && typeof first !== 'boolean')
      throw new ArgumentError(`tensor: expected numbers or booleans, got ${typeof first}`);
    const dtype = opts.dtype ?? (typeof first === 'boolean' ? 'bool' : 'float32');
    const n = numel(shape);
    const out = allocArray(dtype, n);
    flatten(data, shape, out, { i: 0 });
    t = new Tensor(currentBackend().upload(dtype, out), shape, contiguousStrides(shape), 0, dtype);
  }
  if (opts.shape) t = withShape(t, opts.shape);
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

/** `t` (fresh, contiguous) viewed with `shape`, which must hold exactly its elements. */
function withShape(t: Tensor, shape: readonly number[]): Tensor {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new ArgumentError(
      `tensor: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  const n = numel(shape);
  if (n !== t.numel)
    throw new ShapeError(`tensor: shape [${shape.join(', ')}] holds ${n} elements, the data has ${t.numel}`);
  return new Tensor(t.storage, [...shape], contiguousStrides(shape), 0, t.dtype);
}

/** A 0-d tensor of `value` with the dtype it takes next to a tensor of dtype `other`, on `like`'s backend. */
export function scalarTensor(value: number | boolean, dtype: DType, like?: Tensor): Tensor {
  return apply('full', [], { shape: [], dtype, value: Number(value) }, like?.storage.backend);
}

/** Converts an op argument to a tensor; numbers take the dtype of `other` (weak scalars). */
export function asTensor(x: TensorLike, other?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number' && typeof x !== 'boolean')
    throw new ArgumentError(`expected a tensor or a number, got ${typeof x}`);
  const dtype = other ? scalarDType(x, other.dtype) : typeof x === 'boolean' ? 'bool' : 'float32';
  return scalarTensor(x, dtype, other);
}

/** Both operands as tensors of their common dtype (PyTorch promotion, numbers are weak). */
export function promote(a: TensorLike, b: TensorLike, op = 'op'): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor))
    throw new ArgumentError(`${op}: at least one argument must be a tensor, got ${typeof a} and ${typeof b}`);
  const ta = a instanceof Tensor ? a : asTensor(a, b as Tensor);
  const tb = b instanceof Tensor ? b : asTensor(b, ta);
  const dtype = promoteTypes(ta.dtype, tb.dtype);
  return [pcast(ta, dtype), pcast(tb, dtype)];
}

/** Casts integer and bool tensors to float32 (for ops such as exp and div that need floats). */
export function toFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : pcast(x, 'float32');
}
