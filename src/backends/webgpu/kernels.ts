// The WGSL kernel of every primitive, in one table the compiler checks for completeness.
import type { TensorView } from '../backend.js';
import {
  ELEMENTWISE_BINARY,
  ELEMENTWISE_UNARY,
  LINALG_OPS,
  REDUCE_OPS,
  perOp,
  type KernelPrimitive,
  type PrimitiveParams,
} from '../../core/primitives.js';
import type { WebGPUBackend } from './gpu-backend.js';
import {
  binaryKernel,
  castKernel,
  catKernel,
  copyKernel,
  flipKernel,
  fullKernel,
  padKernel,
  unaryKernel,
  whereKernel,
} from './elementwise.js';
import { argmaxKernel, argminKernel, cumsumKernel, reduceKernel } from './reduce.js';
import { logSoftmaxGradKernel, logSoftmaxKernel } from './softmax.js';
import { conv2dKernel, foldKernel, matmulKernel, unfoldKernel } from './linalg.js';
import { lapackKernel } from './lapack.js';
import { maxPool2dGradKernel, maxPool2dKernel } from './maxpool.js';
import { gatherKernel, scatterAddKernel } from './movement.js';
import { randomKernel } from './random.js';
import { argsortKernel } from './sort.js';

/** A WebGPU kernel: queues its dispatches on the backend. */
export type GpuKernel<P extends KernelPrimitive> = (
  be: WebGPUBackend,
  inputs: readonly TensorView[],
  out: TensorView,
  params: PrimitiveParams[P],
) => void;

export const gpuKernels: { [P in KernelPrimitive]: GpuKernel<P> } = {
  ...perOp(ELEMENTWISE_UNARY, unaryKernel),
  ...perOp(ELEMENTWISE_BINARY, binaryKernel),
  where: whereKernel,
  cast: castKernel,
  copy: copyKernel,
  ...perOp(REDUCE_OPS, reduceKernel),
  argmax: argmaxKernel,
  argmin: argminKernel,
  cumsum: cumsumKernel,
  argsort: argsortKernel,
  logSoftmax: logSoftmaxKernel,
  logSoftmaxGrad: logSoftmaxGradKernel,
  matmul: matmulKernel,
  ...perOp(LINALG_OPS, lapackKernel),
  conv2d: conv2dKernel,
  unfold: unfoldKernel,
  fold: foldKernel,
  maxPool2d: maxPool2dKernel,
  maxPool2dGrad: maxPool2dGradKernel,
  pad: padKernel,
  flip: flipKernel,
  cat: catKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
  full: fullKernel,
  random: randomKernel,
};
