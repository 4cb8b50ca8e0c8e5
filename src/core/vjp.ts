// The VJP rule table: one entry per primitive (a missing entry does not compile), written with differentiable ops.
import { conv2dInputGrad, conv2dWeightGrad } from './conv-grad.js';
import { apply, installVjpRules } from './engine.js';
import { linalgVjpRules } from './linalg-vjp.js';
import { fusedMap, RELU_GRAD, SIGMOID_GRAD, TANH_GRAD } from './fused-map.js';
import type { MaxPoolParams, PrimitiveParams, ReduceParams } from './primitives.js';
import {
  binary,
  padd,
  pcast,
  pdiv,
  pexpand,
  pfold,
  pgather,
  pmatmul,
  pmaxPool2dGrad,
  pmul,
  pneg,
  ppad,
  ppermute,
  preshape,
  pscale,
  pscatterAdd,
  pslice,
  psub,
  psum,
  ptransposeLast,
  punfold,
  pwhere,
  pzeros,
  scalarLike,
  unary,
} from './primitive-calls.js';
import { Tensor } from './tensor.js';
import type { GradThunk, VjpRule, VjpRuleTable } from './vjp-types.js';

/** A rule for an op with no gradient (comparisons, integer results, creation). */
const none: VjpRule<any> = { vjp: (ctx) => ctx.inputShapes.map(() => null) };

const one = (x: Tensor, like: Tensor = x) => scalarLike(1, like);
const mask = (b: Tensor, like: Tensor) => pcast(b, like.dtype);

/** A unary rule saving the input (x) or the output (y) and mapping (g, saved) to the input gradient. */
function unaryRule(which: 'x' | 'y', f: (g: Tensor, s: Tensor) => Tensor): VjpRule<any> {
  return {
    save: (ctx, [x], y) => ctx.save(which === 'x' ? x : y),
    vjp: (ctx, g) => [() => f(g, ctx.saved[0]!)],
  };
}

/** Reshapes a reduced gradient back to keepdim form and expands it over the input shape. */
function unreduce(g: Tensor, inShape: readonly number[], { dims, keepdim }: ReduceParams): Tensor {
  const kept = keepdim
    ? g
    : preshape(
        g,
        inShape.map((d, i) => (dims.includes(i) ? 1 : d)),
      );
  return pexpand(kept, inShape);
}

function inversePerm(dims: readonly number[]): number[] {
  const inv = new Array<number>(dims.length);
  dims.forEach((d, i) => (inv[d] = i));
  return inv;
}

function extremumRule(): VjpRule<any> {
  return {
    save: (ctx, [x], y) => ctx.save(x, y),
    vjp: (ctx, g) => [
      () => {
        const [x, y] = ctx.saved as Tensor[];
        const m = mask(binary('eq', x, unreduce(y, x.shape, ctx.params)), x);
        const count = psum(m, ctx.params.dims, true);
        return pdiv(pmul(unreduce(g, x.shape, ctx.params), m), pexpand(count, x.shape));
      },
    ],
  };
}

/** max/min of two tensors: ties split the gradient evenly (as PyTorch does). */
function pairExtremumRule(wins: 'gt' | 'lt'): VjpRule<any> {
  return {
    save: (ctx, [a, b]) => ctx.save(a, b),
    vjp: (ctx, g) => {
      const [a, b] = ctx.saved as Tensor[];
      const share = () => padd(mask(binary(wins, a, b), g), pscale(mask(binary('eq', a, b), g), 0.5));
      return [() => pmul(g, share()), () => pmul(g, psub(one(g), share()))];
    },
  };
}

/**
 * Product of the other elements of each lane of `x` over `dims` (same shape as x), computed on the
 * device with no host read, exact in value and in first derivative (so prod is right to second order)
 * whatever the number of zeros in a lane. With z = (x == 0), P = the product of the lane's non-zero
 * elements and c_i = the zeros in the lane other than x_i:
 *   prod_{k != i} x_k = (P / x_i if x_i != 0 else P) * (1 if c_i = 0; the other zero x_j if c_i = 1; 0 if c_i >= 2)
 * where "the other zero" is written as the lane's sum of zero elements minus x_i's own (value 0, but
 * carrying the derivative), and a product of two or more zero factors has zero first derivative.
 */
function prodOthers(x: Tensor, p: ReduceParams): Tensor {
  const lane = (t: Tensor) => pexpand(psum(t, p.dims, true), x.shape);
  const isZero = binary('eq', x, scalarLike(0, x));
  const z = mask(isZero, x);
  const safe = pwhere(isZero, one(x), x);
  const nonZeroProd = pexpand(apply('prod', [safe], { dims: p.dims, keepdim: true }), x.shape);
  const otherZeros = psub(lane(z), z);
  const zeroSum = lane(pwhere(isZero, x, scalarLike(0, x)));
  const otherZero = psub(zeroSum, pwhere(isZero, x, scalarLike(0, x)));
  const zeroFactor = pwhere(
    binary('eq', otherZeros, scalarLike(0, x)),
    one(x),
    pwhere(binary('eq', otherZeros, one(x)), otherZero, scalarLike(0, x)),
  );
  return pmul(pdiv(nonZeroProd, safe), zeroFactor);
}

const prodRule: VjpRule<'prod'> = {
  save: (ctx, [x]) => ctx.save(x),
  vjp: (ctx, g) => [
    () => {
      const [x] = ctx.saved as Tensor[];
      const p = ctx.params;
      return pmul(unreduce(g, x.shape, p), prodOthers(x, p));
    },
  ],
};

/**
 * The transpose of maxPool2dGrad in its gradient argument: for each window of `x`, the value of `gg`
 * (shaped like x) at the window's argmax, as [N, C, Ho, Wo]; 0 where the argmax is a padded position.
 * Written with unfold/argmax/gather so that it is differentiable in `gg` again.
 */
function gatherAtWindowMax(gg: Tensor, x: Tensor, p: MaxPoolParams, Ho: number, Wo: number): Tensor {
  const [N, C] = x.shape;
  const lanes = [N, C, p.kernel[0] * p.kernel[1], Ho * Wo];
  const windows = preshape(punfold(x, { ...p, padValue: -Infinity }), lanes);
  const at = apply('argmax', [windows], { dim: 2, keepdim: true });
  const picked = pgather(preshape(punfold(gg, { ...p, padValue: 0 }), lanes), 2, at);
  return preshape(picked, [N, C, Ho, Wo]);
}

function flip(x: Tensor, dims: number[]): Tensor {
  return apply('flip', [x], { dims });
}

export const vjpRules: VjpRuleTable = {
  neg: { vjp: (_c, g) => [() => pneg(g)] },
  exp: unaryRule('y', (g, y) => pmul(g, y)),
  log: unaryRule('x', (g, x) => pdiv(g, x)),
  log1p: unaryRule('x', (g, x) => pdiv(g, padd(x, one(x)))),
  expm1: unaryRule('y', (g, y) => pmul(g, padd(y, one(y)))),
  sin: unaryRule('x', (g, x) => pmul(g, unary('cos', x))),
  cos: unaryRule('x', (g, x) => pneg(pmul(g, unary('sin', x)))),
  tanh: unaryRule('y', (g, y) => fusedMap(TANH_GRAD, [g, y])),
  sqrt: unaryRule('y', (g, y) => pdiv(g, pscale(y, 2))),
  abs: unaryRule('x', (g, x) => pmul(g, unary('sign', x))),
  sign: { vjp: (ctx, g) => [() => pzeros(ctx.inputShapes[0], g)] },
  sigmoid: unaryRule('y', (g, y) => fusedMap(SIGMOID_GRAD, [g, y])),
  relu: unaryRule('y', (g, y) => fusedMap(RELU_GRAD, [g, y])),
  erf: unaryRule('x', (g, x) => pmul(g, pscale(unary('exp', pneg(pmul(x, x))), 2 / Math.sqrt(Math.PI)))),
  logicalNot: none,
  add: { vjp: (_c, g) => [() => g, () => g] },
  sub: { vjp: (_c, g) => [() => g, () => pneg(g)] },
  mul: {
    save: (ctx, [a, b]) => ctx.save(ctx.needsInputGrad[0] ? b : null, ctx.needsInputGrad[1] ? a : null),
    vjp: (ctx, g) => [() => pmul(g, ctx.saved[0]!), () => pmul(g, ctx.saved[1]!)],
  },
  div: {
    save: (ctx, [a, b]) => ctx.save(b, ctx.needsInputGrad[1] ? a : null),
    vjp: (ctx, g) => {
      const [b, a] = ctx.saved;
      return [() => pdiv(g, b!), () => pneg(pdiv(pmul(g, a!), pmul(b!, b!)))];
    },
  },
  pow: {
    save: (ctx, [a, b], y) => ctx.save(a, b, ctx.needsInputGrad[1] ? y : null),
    vjp: (ctx, g) => {
      const [a, b, y] = ctx.saved as Tensor[];
      const z = scalarLike(0, g);
      return [
        () => {
          const d = pmul(b, apply('pow', [a, psub(b, one(b))], null));
          return pmul(g, pwhere(binary('eq', b, z), z, d));
        },
        () => pmul(g, pwhere(binary('eq', a, z), z, pmul(y, unary('log', a)))),
      ];
    },
  },
  maximum: pairExtremumRule('gt'),
  minimum: pairExtremumRule('lt'),
  eq: none,
  ne: none,
  lt: none,
  le: none,
  gt: none,
  ge: none,
  logicalAnd: none,
  logicalOr: none,
  logicalXor: none,
  where: {
    save: (ctx, [c]) => ctx.save(c),
    vjp: (ctx, g) => {
      const c = ctx.saved[0]!;
      const z = scalarLike(0, g);
      return [null, () => pwhere(c, g, z), () => pwhere(c, z, g)];
    },
  },
  cast: { vjp: (ctx, g) => [() => pcast(g, ctx.inputDTypes[0])] },
  copy: { vjp: (_c, g) => [() => g] },
  sum: { vjp: (ctx, g) => [() => unreduce(g, ctx.inputShapes[0], ctx.params)] },
  amax: extremumRule(),
  amin: extremumRule(),
  prod: prodRule,
  argmax: none,
  argsort: none,
  argmin: none,
  cumsum: {
    vjp: (ctx, g) => [() => flip(apply('cumsum', [flip(g, [ctx.params.dim])], ctx.params), [ctx.params.dim])],
  },
  logSoftmax: {
    save: (ctx, _i, y) => ctx.save(y),
    vjp: (ctx, g) => [() => apply('logSoftmaxGrad', [g, ctx.saved[0]!], ctx.params)],
  },
  logSoftmaxGrad: {
    // z = g - exp(y) * S with S = sum(g, dim): dz/dg = I - exp(y) 1^T per lane, dz/dy = -diag(exp(y) * S)
    save: (ctx, [g, y]) => ctx.save(ctx.needsInputGrad[1] ? g : null, y),
    vjp: (ctx, gz) => {
      const [g, y] = ctx.saved;
      const dim = [ctx.params.dim];
      const e = () => unary('exp', y!);
      const laneSum = (t: Tensor) => pexpand(psum(t, dim, true), t.shape);
      return [() => psub(gz, laneSum(pmul(gz, e()))), () => pneg(pmul(pmul(gz, e()), laneSum(g!)))];
    },
  },
  matmul: {
    save: (ctx, [a, b]) => ctx.save(ctx.needsInputGrad[0] ? b : null, ctx.needsInputGrad[1] ? a : null),
    vjp: (ctx, g) => [
      () => pmatmul(g, ptransposeLast(ctx.saved[0]!)),
      () => pmatmul(ptransposeLast(ctx.saved[1]!), g),
    ],
  },
  reshape: { vjp: (ctx, g) => [() => preshape(g, ctx.inputShapes[0])] },
  permute: { vjp: (ctx, g) => [() => ppermute(g, inversePerm(ctx.params.dims))] },
  expand: { vjp: (_c, g) => [() => g] },
  slice: {
    vjp: (ctx, g) => [
      () => {
        const { starts, steps } = ctx.params;
        const pads = ctx.inputShapes[0].map((n, d) => {
          const m = g.shape[d];
          if (m === 0) return { lo: 0, hi: n, interior: 0 };
          const lo = starts[d];
          return { lo, hi: n - (lo + (m - 1) * steps[d] + 1), interior: steps[d] - 1 };
        });
        return ppad(g, pads);
      },
    ],
  },
  pad: {
    vjp: (ctx, g) => [
      () => {
        const inShape = ctx.inputShapes[0];
        const { pads } = ctx.params;
        return pslice(
          g,
          pads.map((p) => p.lo),
          pads.map((p, d) => p.lo + (inShape[d] > 0 ? (inShape[d] - 1) * (p.interior + 1) + 1 : 0)),
          pads.map((p) => p.interior + 1),
        );
      },
    ],
  },
  flip: { vjp: (ctx, g) => [() => flip(g, ctx.params.dims)] },
  cat: {
    vjp: (ctx, g) => {
      const dim = ctx.params.dim;
      let at = 0;
      return ctx.inputShapes.map((s): GradThunk => {
        const start = at;
        at += s[dim];
        return () =>
          pslice(
            g,
            g.shape.map((_, d) => (d === dim ? start : 0)),
            g.shape.map((n, d) => (d === dim ? start + s[dim] : n)),
            g.shape.map(() => 1),
          );
      });
    },
  },
  gather: {
    save: (ctx, [, index]) => ctx.save(index),
    vjp: (ctx, g) => [
      () => pscatterAdd(pzeros(ctx.inputShapes[0], g), ctx.params.dim, ctx.saved[0]!, g),
      null,
    ],
  },
  scatterAdd: {
    save: (ctx, [, index]) => ctx.save(index),
    vjp: (ctx, g) => [
      () => g,
      null,
      () => {
        const index = ctx.saved[0]!;
        const got = pgather(g, ctx.params.dim, index);
        const srcShape = ctx.inputShapes[2];
        if (got.shape.every((d, i) => d === srcShape[i])) return got;
        return ppad(
          got,
          srcShape.map((n, d) => ({ lo: 0, hi: n - got.shape[d], interior: 0 })),
        );
      },
    ],
  },
  conv2d: {
    save: (ctx, [x, w]) => ctx.save(ctx.needsInputGrad[1] ? x : null, ctx.needsInputGrad[0] ? w : null),
    vjp: (ctx, g) => {
      const [x, w] = ctx.saved;
      return [
        () => conv2dInputGrad(g, w!, ctx.inputShapes[0], ctx.params),
        () => conv2dWeightGrad(x!, g, ctx.inputShapes[1], ctx.params),
      ];
    },
  },
  unfold: {
    vjp: (ctx, g) => {
      const { kernel, stride, padding, dilation } = ctx.params;
      const s = ctx.inputShapes[0];
      return [() => pfold(g, { kernel, stride, padding, dilation, outputSize: [s[2], s[3]] })];
    },
  },
  fold: {
    vjp: (ctx, g) => {
      const { kernel, stride, padding, dilation } = ctx.params;
      return [() => punfold(g, { kernel, stride, padding, dilation, padValue: 0 })];
    },
  },
  maxPool2d: {
    save: (ctx, [x]) => ctx.save(x),
    vjp: (ctx, g) => [() => pmaxPool2dGrad(g, ctx.saved[0]!, ctx.params)],
  },
  maxPool2dGrad: {
    // the gradient is linear in g (a fixed selection per window) and piecewise constant in x: x gets none
    save: (ctx, [, x]) => ctx.save(x),
    vjp: (ctx, gg) => {
      const [, , Ho, Wo] = ctx.inputShapes[0];
      return [() => gatherAtWindowMax(gg, ctx.saved[0]!, ctx.params, Ho, Wo), null];
    },
  },
  ...linalgVjpRules,
  full: none,
  random: none,
};
installVjpRules(vjpRules);

/** Parameters type re-exported for rule authors. */
export type { PrimitiveParams };
