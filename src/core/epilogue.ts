// The bias + activation epilogue of matmul and conv2d on the tape: one node whose gradient comes from the activations' fused gradient expressions.
import { conv2dInputGrad, conv2dWeightGrad } from './conv-grad.js';
import type { ElementwiseExpr, EpilogueActivation } from './fused-kernels.js';
import { RELU_GRAD, SIGMOID_GRAD, TANH_GRAD, fusedMap } from './fused-map.js';
import { conv2dEpilogueOp } from './conv2d-epilogue.js';
import { matmulEpilogue } from './matmul-epilogue.js';
import { Node } from './node.js';
import { pmatmul, psum, ptransposeLast } from './primitive-calls.js';
import type { Conv2dParams } from './primitives.js';
import { currentScope, noGrad, state } from './state.js';
import type { Tensor } from './tensor.js';
import type { GradThunk } from './vjp-types.js';

/**
 * The gradient through each activation from (g, y), y its output: the same expressions the relu, tanh
 * and sigmoid rules of src/core/vjp.ts use, so the fused node and the composite agree by construction.
 */
const ACTIVATION_GRAD: { readonly [A in Exclude<EpilogueActivation, 'none'>]: ElementwiseExpr } = {
  relu: RELU_GRAD,
  tanh: TANH_GRAD,
  sigmoid: SIGMOID_GRAD,
};

/** The gradient w.r.t. the pre-activation h + bias. */
function preActivationGrad(g: Tensor, y: Tensor | null, act: EpilogueActivation): Tensor {
  return act === 'none' ? g : fusedMap(ACTIVATION_GRAD[act], [g, y!]);
}

/**
 * Records `y = act(linear(x, w) + bias)` as one tape node over [x, w, bias]. It saves what the
 * unfused ops would: x (for w's gradient), w (for x's) and, with an activation, y (as relu, tanh and
 * sigmoid do). `grads(gp, x, w)` gives the gradients of the linear part from the pre-activation one.
 */
function record(
  op: string,
  params: unknown,
  [x, w, bias]: readonly [Tensor, Tensor, Tensor],
  y: Tensor,
  act: EpilogueActivation,
  grads: (gp: Tensor, x: Tensor | null, w: Tensor | null) => [() => Tensor, () => Tensor],
  biasDims: number[],
): Tensor {
  const node = new Node(
    state.nextNodeId++,
    op,
    params,
    [x, w, bias],
    [{ shape: y.shape, dtype: y.dtype }],
    currentScope(),
  );
  const needs = node.inputs.map((e) => e !== null);
  node.backward = (saved, [g], needsNow): GradThunk[] => {
    const [xs, ws, ys] = saved;
    const gp = preActivationGrad(g, ys, act);
    const [gx, gw] = grads(gp, xs, ws);
    return [
      needsNow[0] ? gx : null,
      needsNow[1] ? gw : null,
      needsNow[2] ? () => psum(gp, biasDims, false) : null,
    ];
  };
  y._setGradFn(node, 0);
  // saved after y is linked to the node: a saved output is then known as one (not a leaf)
  node.save([needs[1] ? x : null, needs[0] ? w : null, act === 'none' ? null : y]);
  node.seal();
  return y;
}

const onTape = (inputs: readonly Tensor[]): boolean =>
  state.gradEnabled && inputs.some((t) => t.requiresGrad);

/**
 * act(a @ b + bias) for a [m, k], b [k, n], bias [n] (Linear's layout, b = W^T). Off the tape: the
 * backend's fused matmulEpilogue kernel where it has one. On the tape: the same forward values
 * recorded as one node (no matmul output or pre-activation is kept), whose backward is that of
 * matmul, add and the activation.
 * @example const h = linearEpilogue(x, w.transpose(0, 1), b, 'relu')
 */
export function linearEpilogue(a: Tensor, b: Tensor, bias: Tensor, act: EpilogueActivation): Tensor {
  if (!onTape([a, b, bias]) || a.ndim !== 2) return matmulEpilogue(a, b, bias, act);
  const y = noGrad(() => matmulEpilogue(a, b, bias, act));
  return record(
    'matmulEpilogue',
    { activation: act },
    [a, b, bias],
    y,
    act,
    (gp, x, w) => [() => pmatmul(gp, ptransposeLast(w!)), () => pmatmul(ptransposeLast(x!), gp)],
    [0],
  );
}

/**
 * act(conv2d(x, w) + bias) for x [N, C, H, W], w [O, C/groups, kh, kw], bias [O]: the conv2dEpilogue
 * entry (the backend's kernel storing bias and activation with the convolution where it has one, else
 * the convolution then one elementwise pass), recorded as one node on the tape (the convolution's raw
 * output is never kept).
 * @example const h = conv2dEpilogue(x, w, b, { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }, 'relu')
 */
export function conv2dEpilogue(
  x: Tensor,
  w: Tensor,
  bias: Tensor,
  p: Conv2dParams,
  act: EpilogueActivation,
): Tensor {
  const forward = (): Tensor => conv2dEpilogueOp(x, w, bias, p, act);
  if (!onTape([x, w, bias])) return forward();
  const xShape = x.shape;
  const wShape = w.shape;
  const y = noGrad(forward);
  return record(
    'conv2dEpilogue',
    { ...p, activation: act },
    [x, w, bias],
    y,
    act,
    (gp, xs, ws) => [() => conv2dInputGrad(gp, ws!, xShape, p), () => conv2dWeightGrad(xs!, gp, wShape, p)],
    [0, 2, 3],
  );
}
