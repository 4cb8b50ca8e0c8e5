// Fused elementwise expressions shared by the backend tests: each with its op-by-op equivalent.
import * as gl from '../../src/index.js';
import type { ElementwiseExpr } from '../../src/backends/backend.js';

export const I = (input: number): ElementwiseExpr => ({ input });
export const V = (value: number): ElementwiseExpr => ({ value });
export const op = (name: string, ...args: ElementwiseExpr[]) => ({ op: name, args }) as ElementwiseExpr;

/**
 * [name, expression, the same computation with gl ops, bit-identical on every backend]: chains of one
 * rounding each are; a*b+c may be contracted into an FMA by a GPU driver (1 ulp), never by the native
 * backend (compiled with -ffp-contract=off).
 */
export const ELEMENTWISE_CASES: [
  string,
  ElementwiseExpr,
  (a: gl.Tensor, b: gl.Tensor) => gl.Tensor,
  boolean,
][] = [
  [
    'where(a > 0, b, 0)',
    op('where', op('gt', I(0), V(0)), I(1), V(0)),
    (a, b) => gl.where(gl.gt(a, 0), b, 0),
    true,
  ],
  ['relu(a) * b', op('mul', op('relu', I(0)), I(1)), (a, b) => gl.mul(gl.relu(a), b), true],
  [
    'exp(-|a|) / b',
    op('div', op('exp', op('neg', op('abs', I(0)))), I(1)),
    (a, b) => gl.div(gl.exp(gl.neg(gl.abs(a))), b),
    true,
  ],
  [
    'sigmoid(a) - tanh(b)',
    op('sub', op('sigmoid', I(0)), op('tanh', I(1))),
    (a, b) => gl.sub(gl.sigmoid(a), gl.tanh(b)),
    true,
  ],
  [
    'log(a) + (a <= b) + (a >= b) + (a < b) + (a == b) + (a != b)',
    op(
      'add',
      op(
        'add',
        op('add', op('log', I(0)), op('le', I(0), I(1))),
        op('add', op('ge', I(0), I(1)), op('lt', I(0), I(1))),
      ),
      op('add', op('eq', I(0), I(1)), op('ne', I(0), I(1))),
    ),
    (a, b) =>
      gl.add(
        gl.add(gl.add(gl.log(a), gl.le(a, b).float()), gl.add(gl.ge(a, b).float(), gl.lt(a, b).float())),
        gl.add(gl.eq(a, b).float(), gl.ne(a, b).float()),
      ),
    true,
  ],
  ['a * b + 0.5', op('add', op('mul', I(0), I(1)), V(0.5)), (a, b) => gl.add(gl.mul(a, b), 0.5), false],
  // a constant float32 cannot hold exactly: rounded once, as the op's scalar operand is
  ['a * b + 0.1', op('add', op('mul', I(0), I(1)), V(0.1)), (a, b) => gl.add(gl.mul(a, b), 0.1), false],
];
