// Elementwise expressions, defined once as data: one backend kernel off the tape, the same expression in primitives on it.
import type { DType } from './dtype.js';
import type { ElementwiseExpr, EpilogueActivation } from './fused-kernels.js';
import { runMap, type MapEntry } from './fused.js';
import type { BinaryOp, CompareOp, UnaryOp } from './primitives.js';
import { broadcastShapes } from './shape.js';
import { binary, pcast, pexpand, pwhere, scalarLike, unary } from './primitive-calls.js';
import type { Tensor } from './tensor.js';

export type { ElementwiseExpr };

/** expr(inputs) written with primitives (differentiable to any order); comparisons give bool. */
function evaluate(e: ElementwiseExpr, inputs: readonly Tensor[], dtype: DType): Tensor {
  if ('input' in e) return inputs[e.input];
  if ('value' in e) return scalarLike(e.value, inputs[0], dtype);
  const num = (a: ElementwiseExpr) => pcast(evaluate(a, inputs, dtype), dtype);
  if (e.op === 'where')
    return pwhere(pcast(evaluate(e.args[0], inputs, dtype), 'bool'), num(e.args[1]), num(e.args[2]));
  if (e.args.length === 1) return unary(e.op as UnaryOp, num(e.args[0]));
  return binary(e.op as BinaryOp | CompareOp, num(e.args[0]), num(e.args[1]));
}

/** The broadcast shape of the inputs. */
export function outShape(inputs: readonly { shape: readonly number[] }[]): number[] {
  return inputs.reduce<number[]>((s, t) => broadcastShapes('fused expression', s, t.shape), []);
}

/** The `expression` entry: the result takes the broadcast shape of the entry's `shape` and the inputs. */
export const expressionEntry: MapEntry<ElementwiseExpr> = {
  infer: (inputs) => ({ shape: outShape(inputs), dtype: inputs[0].dtype }),
  composite(inputs, expr) {
    const dtype = inputs[0].dtype;
    const y = pcast(evaluate(expr, inputs, dtype), dtype);
    const shape = outShape(inputs);
    return y.shape.length === shape.length && y.shape.every((d, i) => d === shape[i]) ? y : pexpand(y, shape);
  },
};

/**
 * expr(inputs) elementwise: one backend kernel where nothing is recorded and the backend's `expression`
 * kernel accepts the views, else the same expression written with primitives. Inputs broadcast (numpy rules).
 * @example const dx = fusedMap(RELU_GRAD, [g, y])
 */
export function fusedMap(expr: ElementwiseExpr, inputs: readonly Tensor[]): Tensor {
  return runMap('expression', expressionEntry, inputs, expr);
}

/** relu's input gradient from (g, y): where(y > 0, g, 0). */
export const RELU_GRAD: ElementwiseExpr = {
  op: 'where',
  args: [{ op: 'gt', args: [{ input: 1 }, { value: 0 }] }, { input: 0 }, { value: 0 }],
};

/** tanh's input gradient from (g, y): g * (1 - y * y). */
export const TANH_GRAD: ElementwiseExpr = {
  op: 'mul',
  args: [
    { input: 0 },
    { op: 'sub', args: [{ value: 1 }, { op: 'mul', args: [{ input: 1 }, { input: 1 }] }] },
  ],
};

/** sigmoid's input gradient from (g, y): g * (y * (1 - y)). */
export const SIGMOID_GRAD: ElementwiseExpr = {
  op: 'mul',
  args: [
    { input: 0 },
    { op: 'mul', args: [{ input: 1 }, { op: 'sub', args: [{ value: 1 }, { input: 1 }] }] },
  ],
};

/** softmax's input gradient from (g, y, s) with s = sum(g * y) along the softmax dim: y * (g - s). */
export const SOFTMAX_GRAD: ElementwiseExpr = {
  op: 'mul',
  args: [{ input: 1 }, { op: 'sub', args: [{ input: 0 }, { input: 2 }] }],
};

/** A matmul's or conv's epilogue, activation(h + bias), over inputs [h, bias] (bias broadcast). */
export const EPILOGUE: { readonly [A in EpilogueActivation]: ElementwiseExpr } = {
  none: { op: 'add', args: [{ input: 0 }, { input: 1 }] },
  relu: { op: 'relu', args: [{ op: 'add', args: [{ input: 0 }, { input: 1 }] }] },
  tanh: { op: 'tanh', args: [{ op: 'add', args: [{ input: 0 }, { input: 1 }] }] },
  sigmoid: { op: 'sigmoid', args: [{ op: 'add', args: [{ input: 0 }, { input: 1 }] }] },
};
