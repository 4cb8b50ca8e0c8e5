// The fused-kernel set: one name per fused entry and the kernel type a backend supplies for it (types only).
import type { TensorView } from './backend.js';
import type { Conv2dParams } from './primitives.js';

/** One node of an elementwise expression: an input (by position), a constant, or an op on nodes. */
export type ElementwiseExpr =
  | { input: number }
  | { value: number }
  | { op: 'relu' | 'neg' | 'exp' | 'log' | 'sigmoid' | 'tanh' | 'abs'; args: [ElementwiseExpr] }
  | {
      op: 'add' | 'sub' | 'mul' | 'div' | 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';
      args: [ElementwiseExpr, ElementwiseExpr];
    }
  | { op: 'where'; args: [ElementwiseExpr, ElementwiseExpr, ElementwiseExpr] };

/** conv2d's geometry plus the shape of the gradient being made (the input's or the weight's). */
export interface Conv2dGradParams extends Conv2dParams {
  outShape: number[];
}

/** The activation a matmul epilogue applies after adding the bias. */
export type EpilogueActivation = 'none' | 'relu' | 'tanh' | 'sigmoid';

/** Parameters of the matmulEpilogue entry. */
export interface MatmulEpilogueParams {
  activation: EpilogueActivation;
}

/** Parameters of the conv2dEpilogue entry: the convolution's geometry and the activation. */
export interface Conv2dEpilogueParams extends Conv2dParams {
  activation: EpilogueActivation;
}

/** Hyper-parameters of a fused SGD step (PyTorch 1.13 semantics, as src/optim/updates.ts). */
export interface FusedSgdHyper {
  /** The learning rate. */
  lr: number;
  /** Momentum factor (0: plain SGD). */
  momentum: number;
  /** Dampening of the momentum: the gradient enters the buffer times (1 − dampening). */
  dampening: number;
  /** L2 penalty: weightDecay · p is added to the gradient. */
  weightDecay: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** Ascend the objective instead of descending it. */
  maximize: boolean;
}

/** Hyper-parameters of a fused Adam/AdamW step; `step` is the step count after this update. */
export interface FusedAdamHyper {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** AdamW's decoupled decay instead of Adam's L2 term */
  decoupled: boolean;
  maximize: boolean;
  step: number;
}

/** The options of a fused cross-entropy over int32 class targets (see CrossEntropyKernel). */
export interface FusedCrossEntropyParams {
  ignoreIndex: number;
  /** float32-rounded 1 - labelSmoothing (1 without smoothing) */
  keep: number;
  /** float32-rounded labelSmoothing / C (0 without smoothing) */
  spread: number;
  reduction: 'mean' | 'sum' | 'none';
}

/**
 * A kernel that makes one new tensor: `accepts` says (before anything is allocated) whether it covers
 * these views and parameters; `run` then fills `out`, a fresh dense view of the entry's inferred shape.
 */
export interface MapKernel<P> {
  accepts(inputs: readonly TensorView[], params: P): boolean;
  run(inputs: readonly TensorView[], out: TensorView, params: P): void;
}

/** A kernel that updates some of its inputs in place (which ones is the entry's `writes`). */
export interface UpdateKernel<P> {
  accepts(inputs: readonly TensorView[], params: P): boolean;
  run(inputs: readonly TensorView[], params: P): void;
}

/**
 * Cross-entropy of logits [N, C] against int32 targets [N] (optional class weights [C]).
 * Inputs are [logits, target] or [logits, target, weight]. `stats` is a float32 workspace of 3N + 1
 * elements that `forward` fills and `backward` reads; its layout is the backend's own.
 */
export interface CrossEntropyKernel {
  accepts(inputs: readonly TensorView[], params: FusedCrossEntropyParams): boolean;
  /** out = the loss ([N] for reduction 'none', else 0-d); fills `stats`. */
  forward(
    inputs: readonly TensorView[],
    stats: TensorView,
    out: TensorView,
    params: FusedCrossEntropyParams,
  ): void;
  /** out [N, C] = gradient w.r.t. the logits for upstream `g` (0-d, or [N] for 'none'). */
  backward(
    inputs: readonly TensorView[],
    stats: TensorView,
    g: TensorView,
    out: TensorView,
    params: FusedCrossEntropyParams,
  ): void;
}

/**
 * Every fused entry and the kernel a backend supplies for it. Adding a name here without an entry in
 * its layer's table (core/fused-table.ts, ops/fused-cross-entropy.ts, optim/updates.ts) fails to compile.
 */
export interface FusedKernelTypes {
  /** out = expr(inputs) elementwise (float32; inputs broadcast to the output's shape) */
  expression: MapKernel<ElementwiseExpr>;
  /** out [N, C, H, W] = conv2d's input gradient from [g, w] */
  conv2dInputGrad: MapKernel<Conv2dGradParams>;
  /** out [O, C/groups, kh, kw] = conv2d's weight gradient from [x, g] */
  conv2dWeightGrad: MapKernel<Conv2dGradParams>;
  /** out [..., m, n] = activation(a [..., m, k] @ b [k, n] + bias [n]): bias and activation in the GEMM's call */
  matmulEpilogue: MapKernel<MatmulEpilogueParams>;
  /** out [N, O, Ho, Wo] = activation(conv2d(x, w) + bias [O] per channel) from [x, w, bias]: bias and activation as the convolution stores */
  conv2dEpilogue: MapKernel<Conv2dEpilogueParams>;
  /** [p, g] or [p, g, momentumBuffer]: one SGD step in place */
  sgdStep: UpdateKernel<FusedSgdHyper>;
  /** [p, g, expAvg, expAvgSq]: one Adam/AdamW step in place */
  adamStep: UpdateKernel<FusedAdamHyper>;
  crossEntropy: CrossEntropyKernel;
}

/** The name of a fused entry (expression, conv2dInputGrad, conv2dWeightGrad, matmulEpilogue, sgdStep, adamStep, crossEntropy). */
export type FusedKernel = keyof FusedKernelTypes;

/** What a backend has: a kernel per entry it covers; an absent entry runs its composite. */
export type BackendFusedTable = { readonly [K in FusedKernel]?: FusedKernelTypes[K] };
