// Per-primitive cases for the batching-rule tests: per-example input specs and params, one list per primitive (typed exhaustive).
import type { Primitive, PrimitiveParams } from '../../../src/core/primitives.js';

/** How an input's values are made: any float, positive float, bool, int index in [0, hi), or a matrix kind. */
export type Kind = 'float' | 'pos' | 'bool' | { int: number } | 'spd' | 'tril' | 'wellcond' | 'sym';

export interface InputSpec {
  shape: number[];
  kind?: Kind;
}

export interface Case<P extends Primitive> {
  name?: string;
  ins: InputSpec[];
  params: PrimitiveParams[P];
  /** Looser tolerance (float32 casts, factorizations). */
  tol?: number;
}

/** Why a primitive has no case here (it has no tensor inputs: its test is elsewhere in this folder). */
export type Dedicated = { dedicated: string };

export type CaseTable = { [P in Primitive]: Case<P>[] | Dedicated };

const f = (...shape: number[]): InputSpec => ({ shape });
const pos = (...shape: number[]): InputSpec => ({ shape, kind: 'pos' });
const bool = (...shape: number[]): InputSpec => ({ shape, kind: 'bool' });
const un = (spec: InputSpec = f(2, 3)): Case<any>[] => [{ ins: [spec], params: null }];
const bin = (b: InputSpec = f(3)): Case<any>[] => [
  { name: 'same shape', ins: [f(2, 3), f(2, 3)], params: null },
  { name: 'broadcast', ins: [f(2, 3), b], params: null },
  { name: 'broadcast, rank grows', ins: [b, f(2, 3)], params: null },
];
const logical = (): Case<any>[] => [
  { ins: [bool(2, 3), bool(2, 3)], params: null },
  { name: 'broadcast', ins: [bool(3), bool(2, 3)], params: null },
];
const red = (): Case<any>[] => [
  { name: 'dim 1', ins: [f(2, 3)], params: { dims: [1], keepdim: false } },
  { name: 'all dims, keepdim', ins: [f(2, 3)], params: { dims: [0, 1], keepdim: true } },
  { name: 'dims 0 and 2 of rank 3', ins: [f(2, 3, 2)], params: { dims: [0, 2], keepdim: false } },
];
const pool = {
  kernel: [2, 2] as [number, number],
  stride: [2, 2] as [number, number],
  padding: [0, 0] as [number, number],
  dilation: [1, 1] as [number, number],
};

export const CASES: CaseTable = {
  neg: un(),
  exp: un(),
  log: un(pos(2, 3)),
  log1p: un(pos(2, 3)),
  expm1: un(),
  sin: un(),
  cos: un(),
  tanh: un(),
  sqrt: un(pos(2, 3)),
  abs: un(),
  sign: un(),
  sigmoid: un(),
  relu: un(),
  erf: un(),
  logicalNot: un(bool(2, 3)),
  add: bin(),
  sub: bin(),
  mul: bin(),
  div: [
    { ins: [f(2, 3), pos(3)], params: null },
    { name: 'rank grows', ins: [pos(3), pos(2, 3)], params: null },
  ],
  pow: [{ ins: [pos(2, 3), f(3)], params: null }],
  maximum: bin(),
  minimum: bin(),
  eq: bin(),
  ne: bin(),
  lt: bin(),
  le: bin(),
  gt: bin(),
  ge: bin(),
  logicalAnd: logical(),
  logicalOr: logical(),
  logicalXor: logical(),
  where: [
    { ins: [bool(2, 3), f(2, 3), f(3)], params: null },
    { name: 'scalar branch', ins: [bool(3), f(2, 3), f()], params: null },
  ],
  cast: [
    { name: 'to float32', ins: [f(2, 3)], params: { dtype: 'float32' }, tol: 1e-6 },
    { name: 'bool to int32', ins: [bool(2, 3)], params: { dtype: 'int32' } },
  ],
  copy: un(),
  sum: red(),
  amax: red(),
  amin: red(),
  prod: red(),
  argmax: [
    { ins: [f(2, 3)], params: { dim: 1, keepdim: false } },
    { ins: [f(2, 3)], params: { dim: 0, keepdim: true } },
  ],
  argmin: [{ ins: [f(2, 3)], params: { dim: 1, keepdim: true } }],
  argsort: [
    { ins: [f(2, 3)], params: { dim: 1, descending: false } },
    { ins: [f(2, 3)], params: { dim: 0, descending: true } },
  ],
  cumsum: [
    { ins: [f(2, 3)], params: { dim: 1 } },
    { ins: [f(4)], params: { dim: 0 } },
  ],
  logSoftmax: [{ ins: [f(2, 3)], params: { dim: 1 } }],
  logSoftmaxGrad: [{ ins: [f(2, 3), f(2, 3)], params: { dim: 1 } }],
  matmul: [
    { ins: [f(2, 3), f(3, 4)], params: null },
    { name: 'broadcast batch dims', ins: [f(2, 2, 3), f(3, 4)], params: null },
    { name: 'rank grows', ins: [f(2, 3), f(2, 3, 2)], params: null },
  ],
  cholesky: [{ ins: [{ shape: [3, 3], kind: 'spd' }], params: { check: true }, tol: 1e-8 }],
  triangularSolve: [
    {
      ins: [{ shape: [3, 3], kind: 'tril' }, f(3, 2)],
      params: { upper: false, unitriangular: false },
      tol: 1e-8,
    },
  ],
  solve: [{ ins: [{ shape: [3, 3], kind: 'wellcond' }, f(3, 2)], params: null, tol: 1e-8 }],
  slogdet: [{ ins: [{ shape: [3, 3], kind: 'wellcond' }], params: null, tol: 1e-8 }],
  qr: [{ ins: [f(4, 3)], params: { complete: false }, tol: 1e-8 }],
  eigh: [{ ins: [{ shape: [3, 3], kind: 'sym' }], params: null, tol: 1e-7 }],
  svd: [{ ins: [f(4, 3)], params: null, tol: 1e-7 }],
  reshape: [
    { ins: [f(2, 3)], params: { shape: [3, 2] } },
    { ins: [f(2, 3)], params: { shape: [6] } },
  ],
  permute: [{ ins: [f(2, 3, 4)], params: { dims: [2, 0, 1] } }],
  expand: [
    { ins: [f(3, 1)], params: { shape: [2, 3, 4] } },
    { name: 'same rank', ins: [f(1, 3)], params: { shape: [2, 3] } },
  ],
  slice: [{ ins: [f(4, 5)], params: { starts: [1, 0], ends: [3, 5], steps: [1, 2] } }],
  pad: [
    {
      ins: [f(2, 3)],
      params: {
        pads: [
          { lo: 1, hi: 0, interior: 1 },
          { lo: 0, hi: 2, interior: 0 },
        ],
        value: 0.5,
      },
    },
  ],
  flip: [
    { ins: [f(2, 3)], params: { dims: [1] } },
    { ins: [f(2, 3)], params: { dims: [0, 1] } },
  ],
  cat: [
    { ins: [f(2, 3), f(2, 2)], params: { dim: 1 } },
    { ins: [f(1, 3), f(2, 3), f(1, 3)], params: { dim: 0 } },
  ],
  gather: [{ ins: [f(3, 4), { shape: [3, 2], kind: { int: 4 } }], params: { dim: 1 } }],
  scatterAdd: [{ ins: [f(3, 4), { shape: [3, 2], kind: { int: 4 } }, f(3, 2)], params: { dim: 1 } }],
  conv2d: [
    {
      name: 'groups 2, padding',
      ins: [f(2, 2, 5, 5), f(4, 1, 3, 3)],
      params: { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 },
    },
    {
      name: 'stride 2',
      ins: [f(1, 3, 5, 5), f(2, 3, 2, 2)],
      params: { stride: [2, 2], padding: [0, 0], dilation: [1, 1], groups: 1 },
    },
  ],
  unfold: [{ ins: [f(1, 2, 4, 4)], params: { ...pool, stride: [1, 1], padding: [1, 0], padValue: 0 } }],
  fold: [{ ins: [f(1, 8, 4)], params: { ...pool, outputSize: [4, 4] } }],
  maxPool2d: [{ ins: [f(1, 2, 4, 4)], params: pool }],
  maxPool2dGrad: [{ ins: [f(1, 2, 2, 2), f(1, 2, 4, 4)], params: pool }],
  full: { dedicated: 'no tensor inputs: creation inside vmap is tested in vmap.test.ts (unbatched outputs)' },
  random: { dedicated: 'no tensor inputs: randomness.test.ts tests error/different/same' },
};
