// Which built-in modules keep no reference to the tensors their forward receives or returns (Sequential releases those between them).
import {
  GELU,
  ELU,
  LeakyReLU,
  LogSoftmax,
  ReLU,
  SiLU,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
} from './activation.js';
import { Conv1d, Conv2d, ConvTranspose2d } from './conv.js';
import { Dropout } from './dropout.js';
import { Flatten, Identity, Linear, Unflatten } from './linear.js';
import type { Module } from './module.js';
import { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm } from './normalization.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from './pooling.js';

/**
 * The built-in layers whose forward neither stores its input or output nor hands them to anything
 * but gradlab's ops (checked by exact class: a subclass may keep what it likes).
 */
const KEEPS_NOTHING: ReadonlySet<unknown> = new Set<unknown>([
  ReLU,
  Tanh,
  Sigmoid,
  GELU,
  SiLU,
  LeakyReLU,
  ELU,
  Softplus,
  Softmax,
  LogSoftmax,
  Conv1d,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  Identity,
  Linear,
  Flatten,
  Unflatten,
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  GroupNorm,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
]);

/**
 * True when `m` is a built-in layer of KEEPS_NOTHING (or a container whose children all are, as
 * `isContainer` says) with no hooks and its own forward: no user code sees what flows through it.
 */
export function keepsNothing(m: Module, isContainer: (m: Module) => Module[] | null): boolean {
  if (!m._ownForwardOnly) return false;
  if (KEEPS_NOTHING.has(m.constructor)) return true;
  const children = isContainer(m);
  return children !== null && children.every((c) => keepsNothing(c, isContainer));
}
