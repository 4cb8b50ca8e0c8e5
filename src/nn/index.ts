// gl.nn: Module and Parameter, containers, layers, losses as modules, and nn.init.
export { Module } from './module.js';
export type { StateDict, LoadStateDictOptions, LoadStateDictResult } from './module.js';
export { Parameter } from './parameter.js';
export { StateDictError } from './errors.js';
export type { ShapeMismatch } from './errors.js';
export type { ForwardHook, ForwardPreHook, BackwardHook, BackwardPreHook } from './hooks.js';
export { Sequential, ModuleList, ModuleDict } from './containers.js';
export { Identity, Linear, Bilinear, Flatten, Unflatten } from './linear.js';
export type { FactoryOptions } from './linear.js';
export { Conv1d, Conv2d, ConvTranspose2d } from './conv.js';
export { setLayerFusion } from './fusion.js';
export type { ConvLayerOptions } from './conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling.js';
export { Dropout } from './dropout.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm } from './normalization.js';
export { PowerNorm, type PowerNormOptions } from './power-norm.js';
export { GhostBatchNorm1d, GhostBatchNorm2d, type GhostBatchNormOptions } from './ghost-batch-norm.js';
export { InstanceNorm2d } from './instance-norm.js';
export type { InstanceNormOptions } from './instance-norm.js';
export type { BatchNormLayerOptions } from './normalization.js';
export { Embedding } from './embedding.js';
export {
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
} from './activation.js';
export { MultiheadAttention } from './attention.js';
export type { MultiheadAttentionOptions, AttentionForwardOptions } from './attention.js';
export { TransformerEncoderLayer, TransformerEncoder } from './transformer.js';
export type { TransformerEncoderLayerOptions, EncoderForwardOptions } from './transformer.js';
export { LSTMCell, GRUCell, LSTM, GRU } from './rnn.js';
export type { RNNOptions } from './rnn.js';
export { Residual } from './residual.js';
export {
  CrossEntropyLoss,
  NLLLoss,
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  BCEWithLogitsLoss,
  KLDivLoss,
} from './loss.js';
export * as init from './init.js';
export { GradientReversal, gradReverse, dannLambda, dannLearningRate } from './gradient-reversal.js';
