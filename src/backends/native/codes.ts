// Numeric codes the addon uses for dtypes and ops; each table is typed so a missing entry fails to compile.
import type { DType } from '../../core/dtype.js';
import type { BinaryOp, CompareOp, ReduceOp, UnaryOp } from '../../core/primitives.js';

export const dtypeCode: { [D in DType]: number } = { float32: 0, float64: 1, int32: 2, bool: 3 };

/** Order matches `UnaryCode` in native/src/kernels.h. */
export const unaryCode: { [U in UnaryOp]: number } = {
  neg: 0,
  exp: 1,
  log: 2,
  log1p: 3,
  expm1: 4,
  sin: 5,
  cos: 6,
  tanh: 7,
  sqrt: 8,
  abs: 9,
  sign: 10,
  sigmoid: 11,
  relu: 12,
  erf: 13,
};

/** Order matches `BinaryCode` in native/src/kernels.h. */
export const binaryCode: { [B in BinaryOp | CompareOp]: number } = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  maximum: 5,
  minimum: 6,
  eq: 7,
  ne: 8,
  lt: 9,
  le: 10,
  gt: 11,
  ge: 12,
};

/** Order matches `ReduceCode` in native/src/kernels.h. */
export const reduceCode: { [R in ReduceOp]: number } = { sum: 0, amax: 1, amin: 2, prod: 3 };
