// The WGSL kernel of every primitive, in one table the compiler checks for completeness.
import type { TensorView } from '../backend.js';
import type { KernelPrimitive, PrimitiveParams } from '../../core/primitives.js';
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
import { argmaxKernel, argminKernel, cumsumKernel, logSoftmaxKernel, reduceKernel } from './reduce.js';
import { conv2dKernel, foldKernel, matmulKernel, unfoldKernel } from './linalg.js';
import { gatherKernel, scatterAddKernel } from './movement.js';
import { randomKernel } from './random.js';

/** A WebGPU kernel: queues its dispatches on the backend. */
export type GpuKernel<P extends KernelPrimitive> = (
  be: WebGPUBackend,
  inputs: readonly TensorView[],
  out: TensorView,
  params: PrimitiveParams[P],
) => void;

export const gpuKernels: { [P in KernelPrimitive]: GpuKernel<P> } = {
  neg: unaryKernel('neg'),
  exp: unaryKernel('exp'),
  log: unaryKernel('log'),
  log1p: unaryKernel('log1p'),
  expm1: unaryKernel('expm1'),
  sin: unaryKernel('sin'),
  cos: unaryKernel('cos'),
  tanh: unaryKernel('tanh'),
  sqrt: unaryKernel('sqrt'),
  abs: unaryKernel('abs'),
  sign: unaryKernel('sign'),
  sigmoid: unaryKernel('sigmoid'),
  relu: unaryKernel('relu'),
  erf: unaryKernel('erf'),
  logicalNot: unaryKernel('logicalNot'),
  add: binaryKernel('add'),
  sub: binaryKernel('sub'),
  mul: binaryKernel('mul'),
  div: binaryKernel('div'),
  pow: binaryKernel('pow'),
  maximum: binaryKernel('maximum'),
  minimum: binaryKernel('minimum'),
  eq: binaryKernel('eq'),
  ne: binaryKernel('ne'),
  lt: binaryKernel('lt'),
  le: binaryKernel('le'),
  gt: binaryKernel('gt'),
  ge: binaryKernel('ge'),
  logicalAnd: binaryKernel('logicalAnd'),
  logicalOr: binaryKernel('logicalOr'),
  logicalXor: binaryKernel('logicalXor'),
  where: whereKernel,
  cast: castKernel,
  copy: copyKernel,
  sum: reduceKernel('sum'),
  amax: reduceKernel('amax'),
  amin: reduceKernel('amin'),
  prod: reduceKernel('prod'),
  argmax: argmaxKernel,
  argmin: argminKernel,
  cumsum: cumsumKernel,
  logSoftmax: logSoftmaxKernel,
  matmul: matmulKernel,
  conv2d: conv2dKernel,
  unfold: unfoldKernel,
  fold: foldKernel,
  pad: padKernel,
  flip: flipKernel,
  cat: catKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
  full: fullKernel,
  random: randomKernel,
};
