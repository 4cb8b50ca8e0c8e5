// FLOP counts per recorded op: one typed rule per primitive (a missing one fails tsc) plus the fused and composite nodes.
import type { Primitive, PrimitiveParams } from '../../core/primitives.js';

/** What a FLOP rule sees of one tape node. */
export interface FlopContext<P = unknown> {
  /** The op's recorded parameters. */
  params: P;
  /** Shapes of its inputs. */
  inputShapes: readonly (readonly number[])[];
  /** Shapes of its outputs. */
  outputShapes: readonly (readonly number[])[];
  /** Which inputs need a gradient (backward work is counted only for these). */
  needs: readonly boolean[];
}

/** How an op's cost is counted (docs/diagram.md lists the conventions of each kind). */
export type FlopKind =
  | 'contraction'
  | 'elementwise'
  | 'reduction'
  | 'movement'
  | 'normalization'
  | 'linalg'
  | 'creation'
  | 'unknown';

/** Forward and backward FLOPs of one op (a multiply-add counts 2). `null` when the op has no rule (a user's custom function). */
export interface FlopCount {
  /** Forward FLOPs. */
  forward: number | null;
  /** Backward FLOPs for the inputs that need gradients. */
  backward: number | null;
  /** Which convention counted them. */
  kind: FlopKind;
  /** True for counts by a closed formula (contractions, elementwise); false for the linear-algebra estimates. */
  exact: boolean;
}

type FlopRule<P> = (c: FlopContext<P>) => FlopCount;

/** Number of elements of a shape. */
export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const out0 = (c: FlopContext): number => numel(c.outputShapes[0] ?? []);
const in0 = (c: FlopContext): number => numel(c.inputShapes[0] ?? []);

/** The sum that undoes broadcasting of input i (one add per output element) when i needs a gradient. */
function unbroadcast(c: FlopContext, i: number): number {
  return c.needs[i] && numel(c.inputShapes[i]) < out0(c) ? out0(c) : 0;
}

/**
 * Elementwise op: `fwd` FLOPs per output element; backward, for each input i needing a gradient,
 * `bwd[i]` per output element plus the unbroadcasting sum.
 */
function elementwise(fwd: number, bwd: readonly number[]): FlopRule<unknown> {
  return (c) => {
    let b = 0;
    c.inputShapes.forEach((_, i) => {
      if (c.needs[i]) b += (bwd[i] ?? bwd[bwd.length - 1]) * out0(c) + unbroadcast(c, i);
    });
    return { forward: fwd * out0(c), backward: b, kind: 'elementwise', exact: true };
  };
}

const movement =
  (bwdPerOut = 0): FlopRule<unknown> =>
  (c) => ({ forward: 0, backward: c.needs[0] ? bwdPerOut * out0(c) : 0, kind: 'movement', exact: true });

/** Reduction: one FLOP per input element forward; backward `bwd` per input element. */
const reduction =
  (bwd: number): FlopRule<unknown> =>
  (c) => ({ forward: in0(c), backward: c.needs[0] ? bwd * in0(c) : 0, kind: 'reduction', exact: true });

/** Matmul of [..., m, k] by [..., k, n]: 2·m·k·n per batch forward, the same again per operand needing a gradient. */
function contractionFlops(c: FlopContext, k: number, extraFwd: number, extraBwd: number): FlopCount {
  const mac2 = 2 * out0(c) * k;
  const b = (c.needs[0] ? mac2 : 0) + (c.needs[1] ? mac2 : 0);
  return { forward: mac2 + extraFwd, backward: b + extraBwd, kind: 'contraction', exact: true };
}

/** n of a square operand [..., n, n] and its batch count. */
function square(s: readonly number[]): { n: number; batch: number } {
  const n = s[s.length - 1] ?? 1;
  return { n, batch: numel(s.slice(0, -2)) };
}

/** Linear-algebra estimate: `f(n, batch, shapes)` forward, backward `k`× forward per input needing a gradient. */
const linalg =
  (f: (c: FlopContext) => number, k = 2): FlopRule<unknown> =>
  (c) => {
    const fwd = f(c);
    return {
      forward: fwd,
      backward: c.needs.filter(Boolean).length * k * fwd,
      kind: 'linalg',
      exact: false,
    };
  };

const creation: FlopRule<unknown> = () => ({ forward: 0, backward: 0, kind: 'creation', exact: true });

const UNARY = elementwise(1, [2]);
const LINEAR1 = elementwise(1, [1]);
const NOGRAD = elementwise(1, [0]);

/** One FLOP rule per primitive; adding a primitive without one fails to compile. */
export const PRIMITIVE_FLOPS: { [P in Primitive]: FlopRule<PrimitiveParams[P]> } = {
  neg: LINEAR1,
  exp: elementwise(1, [1]),
  log: elementwise(1, [1]),
  log1p: UNARY,
  expm1: elementwise(1, [1]),
  sin: UNARY,
  cos: UNARY,
  tanh: elementwise(1, [3]),
  sqrt: UNARY,
  abs: UNARY,
  sign: NOGRAD,
  sigmoid: elementwise(1, [3]),
  relu: elementwise(1, [1]),
  erf: elementwise(1, [4]),
  logicalNot: NOGRAD,
  add: elementwise(1, [0, 0]),
  sub: elementwise(1, [0, 1]),
  mul: elementwise(1, [1, 1]),
  div: elementwise(1, [1, 3]),
  pow: elementwise(1, [3, 3]),
  maximum: elementwise(1, [2, 2]),
  minimum: elementwise(1, [2, 2]),
  eq: NOGRAD,
  ne: NOGRAD,
  lt: NOGRAD,
  le: NOGRAD,
  gt: NOGRAD,
  ge: NOGRAD,
  logicalAnd: NOGRAD,
  logicalOr: NOGRAD,
  logicalXor: NOGRAD,
  where: elementwise(1, [0, 1, 1]),
  cast: movement(),
  copy: movement(),
  sum: (c) => ({ forward: in0(c), backward: 0, kind: 'reduction', exact: true }),
  amax: reduction(2),
  amin: reduction(2),
  prod: reduction(2),
  argmax: (c) => ({ forward: in0(c), backward: 0, kind: 'reduction', exact: true }),
  argmin: (c) => ({ forward: in0(c), backward: 0, kind: 'reduction', exact: true }),
  /** A comparison sort: ⌈log2 L⌉ comparisons per element for lanes of length L (an estimate; no gradient). */
  argsort: (c) => {
    const shape = c.inputShapes[0] ?? [];
    const lane = shape.length === 0 ? 1 : (shape[(c.params.dim + shape.length) % shape.length] ?? 1);
    return {
      forward: in0(c) * Math.ceil(Math.log2(Math.max(lane, 2))),
      backward: 0,
      kind: 'reduction',
      exact: false,
    };
  },
  cumsum: reduction(1),
  logSoftmax: (c) => ({
    forward: 5 * in0(c),
    backward: c.needs[0] ? 4 * in0(c) : 0,
    kind: 'reduction',
    exact: true,
  }),
  logSoftmaxGrad: (c) => ({
    forward: 4 * in0(c),
    backward: c.needs.filter(Boolean).length * 4 * in0(c),
    kind: 'reduction',
    exact: true,
  }),
  matmul: (c) => {
    const a = c.inputShapes[0];
    return contractionFlops(c, a[a.length - 1] ?? 1, 0, 0);
  },
  cholesky: linalg((c) => {
    const { n, batch } = square(c.inputShapes[0]);
    return (batch * n ** 3) / 3;
  }),
  triangularSolve: linalg((c) => {
    const { n, batch } = square(c.inputShapes[0]);
    const b = c.inputShapes[1];
    return batch * n * n * (b[b.length - 1] ?? 1);
  }),
  solve: linalg((c) => {
    const { n, batch } = square(c.inputShapes[0]);
    const b = c.inputShapes[1];
    return batch * ((2 * n ** 3) / 3 + 2 * n * n * (b[b.length - 1] ?? 1));
  }),
  slogdet: linalg((c) => {
    const { n, batch } = square(c.inputShapes[0]);
    return (batch * 2 * n ** 3) / 3;
  }),
  qr: linalg((c) => {
    const s = c.inputShapes[0];
    const m = s[s.length - 2] ?? 1;
    const n = s[s.length - 1] ?? 1;
    return numel(s.slice(0, -2)) * Math.max(1, 2 * m * n * n - (2 * n ** 3) / 3);
  }),
  eigh: linalg((c) => {
    const { n, batch } = square(c.inputShapes[0]);
    return batch * 9 * n ** 3;
  }),
  svd: linalg((c) => {
    const s = c.inputShapes[0];
    const m = s[s.length - 2] ?? 1;
    const n = s[s.length - 1] ?? 1;
    return numel(s.slice(0, -2)) * (4 * m * n * n + 8 * n ** 3);
  }),
  reshape: movement(),
  permute: movement(),
  // expand's backward sums over the broadcast axes: one add per output element
  expand: movement(1),
  slice: movement(),
  pad: movement(),
  flip: movement(),
  cat: () => ({ forward: 0, backward: 0, kind: 'movement', exact: true }),
  // gather's backward scatters with adds: one per output element
  gather: movement(1),
  scatterAdd: (c) => ({
    forward: numel(c.inputShapes[2] ?? c.outputShapes[0]),
    backward: 0,
    kind: 'movement',
    exact: true,
  }),
  conv2d: (c) => {
    const w = c.inputShapes[1];
    return contractionFlops(c, numel(w.slice(1)), 0, 0);
  },
  unfold: movement(1),
  fold: (c) => ({ forward: in0(c), backward: 0, kind: 'movement', exact: true }),
  maxPool2d: (c) => {
    const kk = c.params.kernel[0] * c.params.kernel[1];
    return { forward: kk * out0(c), backward: c.needs[0] ? out0(c) : 0, kind: 'reduction', exact: true };
  },
  maxPool2dGrad: (c) => {
    const kk = c.params.kernel[0] * c.params.kernel[1];
    return {
      forward: kk * numel(c.inputShapes[1] ?? c.outputShapes[0]),
      backward: c.needs.filter(Boolean).length * in0(c),
      kind: 'reduction',
      exact: true,
    };
  },
  full: creation,
  random: creation,
};

/** Epilogue nodes: act(x·w + bias) or act(conv(x, w) + bias) as one node over [x, w, bias]. */
function epilogue(k: (c: FlopContext) => number): FlopRule<unknown> {
  return (c) => {
    const act = (c.params as { activation?: string } | null)?.activation ?? 'none';
    const n = out0(c);
    const actFwd = act === 'none' ? 0 : n;
    // the pre-activation gradient (when there is an activation) and the bias gradient's sum
    const actBwd = act === 'none' || !c.needs.some(Boolean) ? 0 : 2 * n;
    return contractionFlops(c, k(c), n + actFwd, actBwd + (c.needs[2] ? n : 0));
  };
}

/** Rules of the tape's non-primitive nodes: fused epilogues and the composites recorded as one node. */
export const COMPOSITE_FLOPS: Readonly<Record<string, FlopRule<unknown>>> = {
  matmulEpilogue: epilogue((c) => {
    const a = c.inputShapes[0];
    return a[a.length - 1] ?? 1;
  }),
  conv2dEpilogue: epilogue((c) => numel(c.inputShapes[1].slice(1))),
  // max, subtract, exp, sum, divide forward; y·(g − Σ g·y) backward
  softmax: (c) => ({
    forward: 5 * in0(c),
    backward: c.needs[0] ? 4 * in0(c) : 0,
    kind: 'reduction',
    exact: true,
  }),
  // log-softmax (5 per logit) and the pick of the target forward; softmax − one-hot backward
  crossEntropy: (c) => ({
    forward: 5 * in0(c),
    backward: c.needs[0] ? 2 * in0(c) : 0,
    kind: 'reduction',
    exact: true,
  }),
  // mean, centre, variance, rstd, scale, affine forward; the three-term input gradient and the affine ones backward
  normalize: (c) => {
    const n = in0(c);
    const affine = c.inputShapes.length > 1;
    return {
      forward: (affine ? 7 : 5) * n,
      backward: (c.needs[0] ? 8 * n : 0) + (c.needs[1] ? 2 * n : 0) + (c.needs[2] ? n : 0),
      kind: 'normalization',
      exact: true,
    };
  },
};

/**
 * FLOPs of one recorded op (a multiply-add counts 2); backward counts only the inputs in `c.needs`.
 * An op with no rule (a user's custom function) gives nulls and kind 'unknown'.
 * @example flopsOf('matmul', { params: null, inputShapes: [[2, 3], [3, 4]], outputShapes: [[2, 4]], needs: [false, true] })
 * // { forward: 48, backward: 48, kind: 'contraction', exact: true }
 */
export function flopsOf(op: string, c: FlopContext): FlopCount {
  const rule = Object.hasOwn(PRIMITIVE_FLOPS, op)
    ? (PRIMITIVE_FLOPS as Record<string, FlopRule<unknown>>)[op]
    : Object.hasOwn(COMPOSITE_FLOPS, op)
      ? COMPOSITE_FLOPS[op]
      : undefined;
  if (!rule) return { forward: null, backward: null, kind: 'unknown', exact: false };
  return rule(c);
}
