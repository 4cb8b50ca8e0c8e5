// Finite-difference gradient checks over every differentiable op: first order for all of them,
// second order (gradients of gradients) for the smooth math ops, matmul, softmax, conv, pooling,
// normalization and the common losses. Inputs are float64; ops with kinks get inputs kept away
// from the kink by a margin, and max-like ops get inputs without ties.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { checkGrad, checkJvpVjp, fromData, type TensorFn } from '../helpers/check-grad.js';

type Tensor = gl.Tensor;

// ---------------------------------------------------------------- input builders

/** Deterministic JS PRNG (mulberry32), reseeded per test, for inputs built element by element. */
let prngState = 1;
function rnd(): number {
  prngState = (prngState + 0x6d2b79f5) | 0;
  let t = prngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function gauss(): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
const numelOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const F64 = { dtype: 'float64' } as const;
/** Standard normal float64 (gl.randn, seeded by gl.manualSeed). */
const rn = (shape: number[], scale = 1): Tensor => gl.mul(gl.randn(shape, F64), scale);
/** Uniform in [lo, hi). */
const uni = (shape: number[], lo = 0.5, hi = 2): Tensor => gl.add(gl.mul(gl.rand(shape, F64), hi - lo), lo);
/** A float64 tensor from literal values. */
const t64 = (data: number[], shape: number[] = [data.length]): Tensor =>
  fromData(Float64Array.from(data), shape);
/** An int32 index tensor. */
const idx = (data: number[] | number, shape?: number[]): Tensor => {
  if (typeof data === 'number') return gl.tensor(data, { dtype: 'int32' });
  return gl.tensor(data, { dtype: 'int32' }).reshape(shape ?? [data.length]);
};
/** Normal values (times `scale`) at least `margin` away from every point in `kinks`. */
function away(shape: number[], kinks: number[] = [0], margin = 0.1, scale = 1): Tensor {
  const out = new Float64Array(numelOf(shape));
  for (let i = 0; i < out.length; i++) {
    let v: number;
    do v = gauss() * scale;
    while (kinks.some((k) => Math.abs(v - k) < margin));
    out[i] = v;
  }
  return fromData(out, shape);
}
/** Values with no two closer than ~0.1 (no ties for max/min), in random order, centred near 0. */
function distinct(shape: number[], spacing = 0.13): Tensor {
  const n = numelOf(shape);
  const vals = Array.from({ length: n }, (_, i) => (i - n / 2) * spacing + rnd() * 0.02);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [vals[i], vals[j]] = [vals[j], vals[i]];
  }
  return t64(vals, shape);
}
/** A bool tensor. */
const mask = (data: boolean[], shape: number[]): Tensor => gl.tensor(data).reshape(shape);

// ---------------------------------------------------------------- case runner

export interface Case {
  name: string;
  fn: TensorFn;
  inputs: () => Tensor[];
  order?: 1 | 2;
  atol?: number;
  rtol?: number;
}

/** Every case, also checked forward-against-reverse at the end of the file. */
const ALL: Case[] = [];

/** The cases registered so far (once per suite call), with the seeds their inputs are drawn under. */
export function registeredCases(): readonly Case[] {
  return ALL;
}

/** Seeds every case's inputs are drawn under (gl.manualSeed and the element-wise PRNG). */
export function seedCaseInputs(): void {
  gl.manualSeed(7);
  prngState = 12345;
}

function cases(list: Case[]): void {
  ALL.push(...list);
  for (const c of list) {
    it(`${c.name}${c.order === 2 ? ' [order 2]' : ''}`, () => {
      gl.manualSeed(7);
      prngState = 12345;
      checkGrad(c.fn, c.inputs(), { order: c.order ?? 1, atol: c.atol, rtol: c.rtol });
    });
  }
}

const O2 = 2 as const;

// ---------------------------------------------------------------- the helper itself

/** Registers every gradient check; the test file calls it once per backend. */
export function gradcheckSuite(): void {
  describe('checkGrad helper', () => {
    it('reports a wrong gradient with input, element and both values', () => {
      const wrong = gl.customGrad({
        forward: (_ctx, x: Tensor) => gl.mul(x, x),
        backward: (ctx, g) => [gl.mul(g, 3)],
      });
      gl.manualSeed(0);
      const x = rn([2, 2]);
      expect(() => checkGrad((a) => wrong(a), [x])).toThrow(
        /input 0 \(shape \[2,2\]\), element \d \(index \[\d,\d\]\): analytic .* vs numeric/,
      );
    });

    it('reports a wrong second-order gradient', () => {
      // the backward is right in value but detached, so the second derivative is missing
      const detached = gl.customGrad({
        forward: (ctx, x: Tensor) => {
          ctx.save(x);
          return gl.mul(gl.mul(x, x), x);
        },
        backward: (ctx, g) => [gl.mul(g, gl.mul(gl.mul(ctx.saved[0]!, ctx.saved[0]!), 3).detach())],
      });
      gl.manualSeed(0);
      const x = rn([3]);
      expect(() => checkGrad((a) => detached(a), [x])).not.toThrow();
      expect(() => checkGrad((a) => detached(a), [x], { order: 2 })).toThrow(/order 2 \(rev\): input 0/);
    });

    it('rejects non-float64 inputs', () => {
      expect(() => checkGrad((a) => a, [gl.randn([2])])).toThrow(/float64/);
    });
  });

  // ---------------------------------------------------------------- elementwise unary

  describe('unary math ops', () => {
    const S = [2, 3];
    cases([
      { name: 'neg', fn: (x) => gl.neg(x), inputs: () => [rn(S)], order: O2 },
      { name: 'exp', fn: (x) => gl.exp(x), inputs: () => [rn(S)], order: O2 },
      { name: 'log', fn: (x) => gl.log(x), inputs: () => [uni(S)], order: O2 },
      { name: 'log1p', fn: (x) => gl.log1p(x), inputs: () => [uni(S, -0.5, 2)], order: O2 },
      { name: 'expm1', fn: (x) => gl.expm1(x), inputs: () => [rn(S)], order: O2 },
      { name: 'sqrt', fn: (x) => gl.sqrt(x), inputs: () => [uni(S)], order: O2 },
      { name: 'rsqrt', fn: (x) => gl.rsqrt(x), inputs: () => [uni(S)], order: O2 },
      { name: 'sin', fn: (x) => gl.sin(x), inputs: () => [rn(S, 2)], order: O2 },
      { name: 'cos', fn: (x) => gl.cos(x), inputs: () => [rn(S, 2)], order: O2 },
      { name: 'tanh', fn: (x) => gl.tanh(x), inputs: () => [rn(S)], order: O2 },
      { name: 'sigmoid', fn: (x) => gl.sigmoid(x), inputs: () => [rn(S, 2)], order: O2 },
      { name: 'erf', fn: (x) => gl.erf(x), inputs: () => [rn(S)], order: O2 },
      { name: 'abs', fn: (x) => gl.abs(x), inputs: () => [away(S)], order: O2 },
      { name: 'sign (zero gradient)', fn: (x) => gl.mul(gl.sign(x), x), inputs: () => [away(S)], order: O2 },
      { name: 'relu', fn: (x) => gl.relu(x), inputs: () => [away(S)], order: O2 },
      { name: 'silu', fn: (x) => gl.silu(x), inputs: () => [rn(S, 2)], order: O2 },
      { name: 'gelu (erf)', fn: (x) => gl.gelu(x), inputs: () => [rn(S, 2)], order: O2 },
      {
        name: 'gelu (tanh)',
        fn: (x) => gl.gelu(x, { approximate: 'tanh' }),
        inputs: () => [rn(S, 2)],
        order: O2,
      },
      { name: 'leakyRelu', fn: (x) => gl.leakyRelu(x, 0.1), inputs: () => [away(S)], order: O2 },
      { name: 'leakyRelu default slope', fn: (x) => gl.leakyRelu(x), inputs: () => [away(S)], order: O2 },
      { name: 'elu', fn: (x) => gl.elu(x, 1.3), inputs: () => [away(S)], order: O2 },
      { name: 'softplus', fn: (x) => gl.softplus(x), inputs: () => [rn([3, 3], 3)], order: O2 },
      // beta 2, threshold 3: linear above x = 1.5 (the switch itself is a jump, kept away from)
      {
        name: 'softplus beta/threshold',
        fn: (x) => gl.softplus(x, 2, 3),
        inputs: () => [away([3, 3], [1.5], 0.1, 2)],
        order: O2,
      },
      {
        name: 'clamp numbers',
        fn: (x) => gl.clamp(x, -0.5, 0.5),
        inputs: () => [away([3, 4], [-0.5, 0.5])],
        order: O2,
      },
      {
        name: 'clamp min only',
        fn: (x) => gl.clamp(x, -0.2),
        inputs: () => [away([3, 4], [-0.2])],
        order: O2,
      },
      {
        name: 'clamp max only',
        fn: (x) => gl.clamp(x, null, 0.3),
        inputs: () => [away([3, 4], [0.3])],
        order: O2,
      },
      {
        name: 'clamp tensor bounds (same shape)',
        fn: (x, lo, hi) => gl.clamp(x, lo, hi),
        inputs: () => clampInputs([3, 4], [3, 4]),
        order: O2,
      },
      {
        name: 'clamp tensor bounds (broadcast [4])',
        fn: (x, lo, hi) => gl.clamp(x, lo, hi),
        inputs: () => clampInputs([3, 4], [4]),
      },
      {
        name: 'tensor methods chain',
        fn: (x) => x.exp().sin().mul(x.tanh()),
        inputs: () => [rn(S)],
        order: O2,
      },
    ]);
  });

  /** x of xShape and bounds lo < hi of boundShape (broadcast over x), with x away from both bounds. */
  function clampInputs(xShape: number[], boundShape: number[]): Tensor[] {
    const nb = numelOf(boundShape);
    const lo = Array.from({ length: nb }, () => -0.5 + 0.3 * rnd());
    const hi = Array.from({ length: nb }, () => 0.4 + 0.3 * rnd());
    const x = Array.from({ length: numelOf(xShape) }, (_, i) => {
      const b = i % nb;
      let v: number;
      do v = gauss();
      while (Math.abs(v - lo[b]) < 0.05 || Math.abs(v - hi[b]) < 0.05);
      return v;
    });
    return [t64(x, xShape), t64(lo, boundShape), t64(hi, boundShape)];
  }

  // ---------------------------------------------------------------- elementwise binary

  /** a and b (b broadcast over a's trailing dims) with |a - b| >= 0.1 everywhere. */
  function untied(aShape: number[], bShape: number[]): Tensor[] {
    const nb = numelOf(bShape);
    const b = Array.from({ length: nb }, gauss);
    const a = Array.from(
      { length: numelOf(aShape) },
      (_, i) => b[i % nb] + (rnd() < 0.5 ? -1 : 1) * (0.1 + Math.abs(gauss())),
    );
    return [t64(a, aShape), t64(b, bShape)];
  }

  describe('binary ops with broadcasting', () => {
    cases([
      { name: 'add [2,3]+[3]', fn: (a, b) => gl.add(a, b), inputs: () => [rn([2, 3]), rn([3])] },
      {
        name: 'add [2,1,3]+[4,1] (size-1 dims)',
        fn: (a, b) => gl.add(a, b),
        inputs: () => [rn([2, 1, 3]), rn([4, 1])],
      },
      { name: 'add rank-0 + [2,3]', fn: (a, b) => gl.add(a, b), inputs: () => [rn([]), rn([2, 3])] },
      {
        name: 'add alpha',
        fn: (a, b) => gl.add(a, b, { alpha: 2.5 }),
        inputs: () => [rn([2, 3]), rn([2, 1])],
      },
      { name: 'add number', fn: (a) => gl.add(a, 1.5), inputs: () => [rn([2, 3])] },
      { name: 'sub [2,3]-[3]', fn: (a, b) => gl.sub(a, b), inputs: () => [rn([2, 3]), rn([3])] },
      {
        name: 'sub [3,1]-[1,4]',
        fn: (a, b) => gl.sub(a, b, { alpha: -0.5 }),
        inputs: () => [rn([3, 1]), rn([1, 4])],
      },
      { name: 'sub number - tensor', fn: (a) => gl.sub(2, a), inputs: () => [rn([3])] },
      {
        name: 'mul [2,3]*[2,1]',
        fn: (a, b) => gl.mul(a, b),
        inputs: () => [rn([2, 3]), rn([2, 1])],
        order: O2,
      },
      {
        name: 'mul [2,1,3]*[4,1]',
        fn: (a, b) => gl.mul(a, b),
        inputs: () => [rn([2, 1, 3]), rn([4, 1])],
        order: O2,
      },
      {
        name: 'mul rank-0 * [2,3]',
        fn: (a, b) => gl.mul(a, b),
        inputs: () => [rn([]), rn([2, 3])],
        order: O2,
      },
      { name: 'mul self', fn: (a) => gl.mul(a, a), inputs: () => [rn([2, 3])], order: O2 },
      { name: 'div [2,3]/[3]', fn: (a, b) => gl.div(a, b), inputs: () => [rn([2, 3]), uni([3])], order: O2 },
      {
        name: 'div [2,1,3]/[4,1]',
        fn: (a, b) => gl.div(a, b),
        inputs: () => [rn([2, 1, 3]), uni([4, 1], -2, -0.5)],
        order: O2,
      },
      {
        name: 'div rank-0 denominator',
        fn: (a, b) => gl.div(a, b),
        inputs: () => [rn([2, 3]), uni([])],
        order: O2,
      },
      { name: 'div number / tensor', fn: (a) => gl.div(2, a), inputs: () => [uni([4])], order: O2 },
      {
        name: 'pow tensor exponent',
        fn: (a, b) => gl.pow(a, b),
        inputs: () => [uni([2, 3]), rn([2, 3])],
        order: O2,
      },
      {
        name: 'pow tensor exponent broadcast [3]',
        fn: (a, b) => gl.pow(a, b),
        inputs: () => [uni([2, 3]), rn([3])],
        order: O2,
      },
      {
        name: 'pow rank-0 exponent',
        fn: (a, b) => gl.pow(a, b),
        inputs: () => [uni([2, 3]), rn([])],
        order: O2,
      },
      {
        name: 'pow integer power of negative base',
        fn: (a) => gl.pow(a, 3),
        inputs: () => [rn([2, 3])],
        order: O2,
      },
      { name: 'pow fractional power', fn: (a) => gl.pow(a, 0.5), inputs: () => [uni([2, 3])], order: O2 },
      { name: 'pow number base', fn: (b) => gl.pow(2, b), inputs: () => [rn([2, 3])], order: O2 },
      {
        name: 'maximum [2,3] vs [3] (no ties)',
        fn: (a, b) => gl.maximum(a, b),
        inputs: () => untied([2, 3], [3]),
        order: O2,
      },
      {
        name: 'minimum [2,3] vs [3] (no ties)',
        fn: (a, b) => gl.minimum(a, b),
        inputs: () => untied([2, 3], [3]),
        order: O2,
      },
      { name: 'maximum same shape', fn: (a, b) => gl.maximum(a, b), inputs: () => untied([3, 2], [3, 2]) },
      {
        name: 'where with broadcasting',
        fn: (a, b) => gl.where(mask([true, false, true, false, false, true], [2, 3]), a, b),
        inputs: () => [rn([2, 3]), rn([3])],
        order: O2,
      },
      {
        name: 'where with a number branch',
        fn: (a) => gl.where(mask([true, false, true], [3]), a, 0),
        inputs: () => [rn([2, 3])],
      },
      {
        name: 'where broadcast condition',
        fn: (a, b) => gl.where(mask([true, false], [2, 1]), a, b),
        inputs: () => [rn([2, 3]), rn([2, 3])],
      },
    ]);
  });

  // ---------------------------------------------------------------- reductions

  /** [3,4] with row 0 free of zeros, row 1 one zero, row 2 two zeros. */
  const withZeros = () => t64([0.7, -1.3, 1.1, 0.9, 1.2, 0, -0.8, 1.4, 0, 0.6, 0, -1.5], [3, 4]);

  describe('reductions', () => {
    const X = [2, 3, 4];
    cases([
      { name: 'sum all', fn: (x) => gl.sum(x), inputs: () => [rn(X)] },
      { name: 'sum dim 1', fn: (x) => gl.sum(x, 1), inputs: () => [rn(X)] },
      { name: 'sum dims [0,2] keepdim', fn: (x) => gl.sum(x, [0, 2], true), inputs: () => [rn(X)] },
      { name: 'sum dim -1 keepdim', fn: (x) => gl.sum(x, -1, true), inputs: () => [rn(X)] },
      { name: 'mean all', fn: (x) => gl.mean(x), inputs: () => [rn(X)] },
      { name: 'mean dims [0,2]', fn: (x) => gl.mean(x, [0, 2]), inputs: () => [rn(X)] },
      { name: 'mean dim 1 keepdim', fn: (x) => gl.mean(x, 1, true), inputs: () => [rn(X)] },
      { name: 'prod all', fn: (x) => gl.prod(x), inputs: () => [uni([2, 3], 0.5, 1.5)], order: O2 },
      { name: 'prod dim 1', fn: (x) => gl.prod(x, 1), inputs: () => [rn([3, 4])], order: O2 },
      { name: 'prod dim 0 keepdim', fn: (x) => gl.prod(x, 0, true), inputs: () => [rn([3, 4])] },
      {
        name: 'prod dim 1 with zeros (none / one / two zeros per row)',
        fn: (x) => gl.prod(x, 1),
        inputs: () => [withZeros()],
      },
      {
        name: 'prod all with one zero',
        fn: (x) => gl.prod(x),
        inputs: () => [t64([0.7, -1.3, 0, 0.9, 1.2, 1.1], [2, 3])],
      },
      {
        name: 'prod all with two zeros',
        fn: (x) => gl.prod(x),
        inputs: () => [t64([0.7, 0, 0, 0.9, 1.2, 1.1], [2, 3])],
      },
      { name: 'prod dim 1 with zeros', fn: (x) => gl.prod(x, 1), inputs: () => [withZeros()], order: O2 },
      { name: 'amax all', fn: (x) => gl.amax(x), inputs: () => [distinct(X)] },
      { name: 'amax dim 1', fn: (x) => gl.amax(x, 1), inputs: () => [distinct(X)] },
      { name: 'amax dims [0,2] keepdim', fn: (x) => gl.amax(x, [0, 2], true), inputs: () => [distinct(X)] },
      { name: 'amin dim -1', fn: (x) => gl.amin(x, -1), inputs: () => [distinct(X)] },
      { name: 'amin dims [1,2] keepdim', fn: (x) => gl.amin(x, [1, 2], true), inputs: () => [distinct(X)] },
      { name: 'max all', fn: (x) => gl.max(x), inputs: () => [distinct(X)] },
      { name: 'max(dim).values', fn: (x) => gl.max(x, 1).values, inputs: () => [distinct(X)] },
      { name: 'max(dim, keepdim).values', fn: (x) => gl.max(x, 2, true).values, inputs: () => [distinct(X)] },
      { name: 'min all', fn: (x) => gl.min(x), inputs: () => [distinct(X)] },
      { name: 'min(dim).values', fn: (x) => gl.min(x, 0).values, inputs: () => [distinct(X)] },
      {
        name: 'min(dim, keepdim).values',
        fn: (x) => gl.min(x, -1, true).values,
        inputs: () => [distinct(X)],
      },
      { name: 'var all', fn: (x) => gl.var(x), inputs: () => [rn(X)], order: O2 },
      { name: 'var dim 1', fn: (x) => gl.var(x, 1), inputs: () => [rn(X)] },
      {
        name: 'var dims [0,2] correction 0 keepdim',
        fn: (x) => gl.var(x, [0, 2], { correction: 0, keepdim: true }),
        inputs: () => [rn(X)],
      },
      { name: 'std all', fn: (x) => gl.std(x), inputs: () => [rn(X)], order: O2 },
      { name: 'std dim -1 keepdim', fn: (x) => gl.std(x, -1, { keepdim: true }), inputs: () => [rn(X)] },
      {
        name: 'std dims [0,1] correction 0',
        fn: (x) => gl.std(x, [0, 1], { correction: 0 }),
        inputs: () => [rn(X)],
      },
      { name: 'logsumexp dim 1', fn: (x) => gl.logsumexp(x, 1), inputs: () => [rn(X, 2)], order: O2 },
      {
        name: 'logsumexp dims [0,2] keepdim',
        fn: (x) => gl.logsumexp(x, [0, 2], true),
        inputs: () => [rn(X, 2)],
        order: O2,
      },
      { name: 'logsumexp dim -1', fn: (x) => gl.logsumexp(x, -1), inputs: () => [rn([3, 4], 2)], order: O2 },
      { name: 'cumsum dim 0', fn: (x) => gl.cumsum(x, 0), inputs: () => [rn(X)] },
      { name: 'cumsum dim 1', fn: (x) => gl.cumsum(x, 1), inputs: () => [rn(X)] },
      { name: 'cumsum dim -1', fn: (x) => gl.cumsum(x, -1), inputs: () => [rn(X)], order: O2 },
      {
        name: 'norm p=1 dims [0,2] keepdim',
        fn: (x) => gl.norm(x, 1, [0, 2], true),
        inputs: () => [away(X)],
      },
      { name: 'norm p=1 all', fn: (x) => gl.norm(x, 1), inputs: () => [away(X)] },
      { name: 'norm p=2 all', fn: (x) => gl.norm(x), inputs: () => [rn(X)], order: O2 },
      { name: 'norm p=2 dim 1', fn: (x) => gl.norm(x, 2, 1), inputs: () => [rn(X)] },
      { name: 'norm p=2 dims [1,2] keepdim', fn: (x) => gl.norm(x, 2, [1, 2], true), inputs: () => [rn(X)] },
      { name: 'norm p=3 dims [0,1]', fn: (x) => gl.norm(x, 3, [0, 1]), inputs: () => [away(X)] },
      {
        name: 'norm p=3 dim -1 keepdim',
        fn: (x) => gl.norm(x, 3, -1, true),
        inputs: () => [away(X)],
        order: O2,
      },
      {
        name: 'norm p=Infinity dim 1',
        fn: (x) => gl.norm(x, Infinity, 1),
        inputs: () => [gl.add(distinct(X), 5)],
      },
      { name: 'norm fro', fn: (x) => gl.norm(x, 'fro'), inputs: () => [rn([3, 4])] },
    ]);
  });

  // ---------------------------------------------------------------- linear algebra

  describe('matmul / outer / einsum', () => {
    const mm: [string, number[], number[], boolean?][] = [
      ['1-D x 1-D', [3], [3], true],
      ['1-D x 2-D', [3], [3, 2]],
      ['2-D x 1-D', [2, 3], [3]],
      ['2-D x 2-D', [2, 3], [3, 4], true],
      ['1-D x 3-D', [3], [2, 3, 4]],
      ['3-D x 1-D', [2, 4, 3], [3]],
      ['2-D x 3-D', [4, 3], [2, 3, 5]],
      ['3-D x 2-D', [2, 4, 3], [3, 5]],
      ['3-D x 3-D', [2, 4, 3], [2, 3, 5], true],
      ['4-D x 3-D broadcast batch', [2, 1, 4, 3], [3, 3, 2], true],
      ['4-D x 4-D broadcast batch', [1, 2, 2, 3], [2, 1, 3, 2]],
      ['1-D x 4-D', [3], [2, 1, 3, 2]],
    ];
    cases(
      mm.map(([name, sa, sb, second]) => ({
        name: `matmul ${name}`,
        fn: (a: Tensor, b: Tensor) => gl.matmul(a, b),
        inputs: () => [rn(sa), rn(sb)],
        order: second ? O2 : 1,
      })),
    );
    cases([
      { name: 'matmul x @ x^T', fn: (a) => gl.matmul(a, a.t()), inputs: () => [rn([3, 4])], order: O2 },
      { name: 'outer', fn: (a, b) => gl.outer(a, b), inputs: () => [rn([3]), rn([4])], order: O2 },
      {
        name: "einsum 'ij,jk->ik'",
        fn: (a, b) => gl.einsum('ij,jk->ik', a, b),
        inputs: () => [rn([2, 3]), rn([3, 4])],
        order: O2,
      },
      {
        name: "einsum 'bij,bjk->bik'",
        fn: (a, b) => gl.einsum('bij,bjk->bik', a, b),
        inputs: () => [rn([2, 2, 3]), rn([2, 3, 2])],
      },
      { name: "einsum 'i,i->'", fn: (a, b) => gl.einsum('i,i->', a, b), inputs: () => [rn([4]), rn([4])] },
      { name: "einsum 'ij->ji'", fn: (a) => gl.einsum('ij->ji', a), inputs: () => [rn([2, 3])] },
      { name: "einsum 'ij->' (total sum)", fn: (a) => gl.einsum('ij->', a), inputs: () => [rn([2, 3])] },
      { name: "einsum 'ijk->ik'", fn: (a) => gl.einsum('ijk->ik', a), inputs: () => [rn([2, 3, 2])] },
      {
        name: "einsum 'ij,ij->i'",
        fn: (a, b) => gl.einsum('ij,ij->i', a, b),
        inputs: () => [rn([3, 4]), rn([3, 4])],
      },
      {
        name: "einsum 'i,j->ij'",
        fn: (a, b) => gl.einsum('i,j->ij', a, b),
        inputs: () => [rn([3]), rn([2])],
      },
      {
        name: "einsum 'bhqd,bhkd->bhqk'",
        fn: (q, k) => gl.einsum('bhqd,bhkd->bhqk', q, k),
        inputs: () => [rn([1, 2, 3, 2]), rn([1, 2, 2, 2])],
      },
      {
        name: "einsum 'ij,jk,kl->il' (3 operands)",
        fn: (a, b, c) => gl.einsum('ij,jk,kl->il', a, b, c),
        inputs: () => [rn([2, 3]), rn([3, 2]), rn([2, 2])],
      },
      {
        name: "einsum implicit 'ij,jk'",
        fn: (a, b) => gl.einsum('ij,jk', a, b),
        inputs: () => [rn([2, 3]), rn([3, 2])],
      },
      {
        name: "einsum 'ijk,jk->i' (two contracted)",
        fn: (a, b) => gl.einsum('ijk,jk->i', a, b),
        inputs: () => [rn([2, 3, 2]), rn([3, 2])],
      },
    ]);
  });

  // ---------------------------------------------------------------- movement

  describe('shape and movement ops', () => {
    const X = [2, 3, 4];
    const pieces = (ps: Tensor[]) => gl.cat(ps.map((p, i) => gl.mul(gl.flatten(p), i + 1)));
    cases([
      { name: 'reshape with -1', fn: (x) => gl.reshape(x, [4, -1]), inputs: () => [rn(X)] },
      {
        name: 'reshape of a non-contiguous tensor',
        fn: (x) => gl.reshape(gl.transpose(x, 0, 2), [-1]),
        inputs: () => [rn(X)],
      },
      { name: 'view', fn: (x) => gl.view(x, [6, 4]), inputs: () => [rn(X)] },
      { name: 'flatten', fn: (x) => gl.flatten(x), inputs: () => [rn(X)] },
      { name: 'flatten 1..2', fn: (x) => gl.flatten(x, 1, 2), inputs: () => [rn(X)] },
      { name: 'permute', fn: (x) => gl.permute(x, [2, 0, 1]), inputs: () => [rn(X)] },
      { name: 'transpose', fn: (x) => gl.transpose(x, 0, -1), inputs: () => [rn(X)] },
      { name: 't()', fn: (x) => x.t(), inputs: () => [rn([2, 3])] },
      { name: 'unsqueeze', fn: (x) => gl.unsqueeze(x, 1), inputs: () => [rn(X)] },
      { name: 'unsqueeze -1', fn: (x) => gl.unsqueeze(x, -1), inputs: () => [rn([3])] },
      { name: 'squeeze all', fn: (x) => gl.squeeze(x), inputs: () => [rn([1, 3, 1, 2])] },
      { name: 'squeeze dim', fn: (x) => gl.squeeze(x, 2), inputs: () => [rn([1, 3, 1, 2])] },
      { name: 'expand', fn: (x) => gl.expand(x, [2, 3, 4]), inputs: () => [rn([3, 1])] },
      {
        name: 'expand -1 and new leading dim',
        fn: (x) => gl.expand(x, [2, -1, 4]),
        inputs: () => [rn([3, 1])],
      },
      { name: 'expand rank-0', fn: (x) => gl.expand(x, [2, 3]), inputs: () => [rn([])] },
      { name: 'repeat', fn: (x) => gl.repeat(x, [2, 3]), inputs: () => [rn([2, 3])] },
      {
        name: 'repeat with extra leading dim',
        fn: (x) => gl.repeat(x, [2, 1, 2]),
        inputs: () => [rn([2, 3])],
      },
      { name: 'cat dim 0', fn: (a, b) => gl.cat([a, b]), inputs: () => [rn([2, 3]), rn([1, 3])] },
      {
        name: 'cat dim 1, three tensors',
        fn: (a, b, c) => gl.cat([a, b, c], 1),
        inputs: () => [rn([2, 1]), rn([2, 3]), rn([2, 2])],
      },
      { name: 'cat same tensor twice', fn: (a) => gl.cat([a, a], -1), inputs: () => [rn([2, 3])] },
      { name: 'stack dim 0', fn: (a, b) => gl.stack([a, b]), inputs: () => [rn([2, 3]), rn([2, 3])] },
      {
        name: 'stack dim -1',
        fn: (a, b, c) => gl.stack([a, b, c], -1),
        inputs: () => [rn([2, 3]), rn([2, 3]), rn([2, 3])],
      },
      { name: 'split by size', fn: (x) => pieces(gl.split(x, 2, 1)), inputs: () => [rn([2, 5])] },
      { name: 'split by sections', fn: (x) => pieces(gl.split(x, [1, 3, 1], 1)), inputs: () => [rn([2, 5])] },
      { name: 'split one piece used', fn: (x) => gl.split(x, 2, 0)[1], inputs: () => [rn([5, 2])] },
      { name: 'chunk', fn: (x) => pieces(gl.chunk(x, 3, -1)), inputs: () => [rn([2, 7])] },
      { name: 'narrow', fn: (x) => gl.narrow(x, 2, 1, 2), inputs: () => [rn(X)] },
      { name: 'narrow negative start', fn: (x) => gl.narrow(x, 0, -2, 1), inputs: () => [rn([3, 2])] },
      { name: 'slice step 2', fn: (x) => gl.slice(x, 2, 0, 4, 2), inputs: () => [rn(X)] },
      {
        name: 'slice step 2, odd length, offset',
        fn: (x) => gl.slice(x, 1, 1, undefined, 2),
        inputs: () => [rn([2, 6])],
      },
      {
        name: 'slice step 3 negative bounds',
        fn: (x) => gl.slice(x, 0, -7, -1, 3),
        inputs: () => [rn([8, 2])],
      },
      {
        name: 'slice twice (slice of slice)',
        fn: (x) => gl.slice(gl.slice(x, 1, 1, 6, 2), 0, 1, 3),
        inputs: () => [rn([3, 7])],
      },
      { name: 'select', fn: (x) => gl.select(x, 1, 2), inputs: () => [rn(X)] },
      { name: 'select negative index', fn: (x) => gl.select(x, -1, -1), inputs: () => [rn(X)] },
      {
        name: 'indexSelect dim 0 (repeats)',
        fn: (x) => gl.indexSelect(x, 0, idx([2, 0, 2, 1])),
        inputs: () => [rn([3, 4])],
      },
      {
        name: 'indexSelect dim 1',
        fn: (x) => gl.indexSelect(x, 1, idx([3, 3, 0])),
        inputs: () => [rn([2, 4])],
      },
      {
        name: 'gather dim 1 (repeats)',
        fn: (x) => gl.gather(x, 1, idx([0, 0, 3, 2, 1, 2], [2, 3])),
        inputs: () => [rn([2, 4])],
      },
      {
        name: 'gather dim 0',
        fn: (x) => gl.gather(x, 0, idx([2, 0, 1, 1, 2, 0], [2, 3])),
        inputs: () => [rn([3, 3])],
      },
      {
        name: 'scatter dim 1 (x and src)',
        fn: (x, s) => gl.scatter(x, 1, idx([0, 2, 3, 1], [2, 2]), s),
        inputs: () => [rn([2, 4]), rn([2, 2])],
      },
      {
        name: 'scatter number',
        fn: (x) => gl.scatter(x, 0, idx([1, 0, 2], [1, 3]), 0.5),
        inputs: () => [rn([3, 3])],
      },
      {
        name: 'scatterAdd dim 0 (duplicates)',
        fn: (x, s) => gl.scatterAdd(x, 0, idx([0, 1, 0, 0, 0, 2], [2, 3]), s),
        inputs: () => [rn([3, 3]), rn([2, 3])],
      },
      {
        name: 'scatterAdd index smaller than src',
        fn: (x, s) => gl.scatterAdd(x, 1, idx([3, 3, 0, 1], [2, 2]), s),
        inputs: () => [rn([3, 4]), rn([3, 3])],
      },
      {
        name: 'indexAdd dim 0 (duplicates, alpha)',
        fn: (x, s) => gl.indexAdd(x, 0, idx([0, 2, 0]), s, { alpha: 2 }),
        inputs: () => [rn([3, 4]), rn([3, 4])],
      },
      {
        name: 'indexAdd dim 1',
        fn: (x, s) => gl.indexAdd(x, 1, idx([1, 1]), s),
        inputs: () => [rn([2, 3]), rn([2, 2])],
      },
      { name: 'pad positive last dim', fn: (x) => gl.pad(x, [1, 2]), inputs: () => [rn([2, 3])] },
      {
        name: 'pad two dims with value',
        fn: (x) => gl.pad(x, [1, 1, 2, 0], { value: 0.5 }),
        inputs: () => [rn([2, 3])],
      },
      { name: 'pad negative (crop)', fn: (x) => gl.pad(x, [-1, -1]), inputs: () => [rn([2, 4])] },
      {
        name: 'pad mixed positive/negative',
        fn: (x) => gl.pad(x, [2, -1, -1, 1]),
        inputs: () => [rn([3, 4])],
      },
      { name: 'pad middle dim of 3-D', fn: (x) => gl.pad(x, [0, 0, 1, 2]), inputs: () => [rn(X)] },
      { name: 'flip one dim', fn: (x) => gl.flip(x, 1), inputs: () => [rn(X)] },
      { name: 'flip several dims', fn: (x) => gl.flip(x, [0, -1]), inputs: () => [rn(X)] },
      { name: 'roll dim 0', fn: (x) => gl.roll(x, 1, 0), inputs: () => [rn([3, 4])] },
      {
        name: 'roll two dims, negative shift',
        fn: (x) => gl.roll(x, [-1, 2], [0, 1]),
        inputs: () => [rn([3, 4])],
      },
      { name: 'roll flattened', fn: (x) => gl.roll(x, 5), inputs: () => [rn([3, 4])] },
      { name: 'tril', fn: (x) => gl.tril(x), inputs: () => [rn([3, 4])] },
      { name: 'tril diagonal -1', fn: (x) => gl.tril(x, -1), inputs: () => [rn([4, 3])] },
      { name: 'triu diagonal 1', fn: (x) => gl.triu(x, 1), inputs: () => [rn([3, 4])] },
      { name: 'triu batched', fn: (x) => gl.triu(x), inputs: () => [rn([2, 3, 3])] },
      {
        name: 'contiguous of a transpose',
        fn: (x) => gl.contiguous(gl.transpose(x, 0, 1)),
        inputs: () => [rn([2, 3])],
      },
      { name: 'clone', fn: (x) => gl.mul(gl.clone(x), x), inputs: () => [rn([2, 3])], order: O2 },
    ]);
  });

  // ---------------------------------------------------------------- neural-network functions

  describe('nn functions', () => {
    cases([
      { name: 'softmax dim -1', fn: (x) => gl.softmax(x, -1), inputs: () => [rn([2, 4], 2)], order: O2 },
      {
        name: 'softmax dim 0 of 3-D',
        fn: (x) => gl.softmax(x, 0),
        inputs: () => [rn([3, 2, 2], 2)],
        order: O2,
      },
      { name: 'logSoftmax dim 1', fn: (x) => gl.logSoftmax(x, 1), inputs: () => [rn([2, 4], 2)], order: O2 },
      {
        name: 'logSoftmax dim 1 of 3-D',
        fn: (x) => gl.logSoftmax(x, 1),
        inputs: () => [rn([2, 3, 2], 2)],
        order: O2,
      },
      {
        name: 'conv1d stride/padding/dilation/groups + bias',
        fn: (x, w, b) => gl.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }),
        inputs: () => [rn([2, 4, 7]), rn([4, 2, 3]), rn([4])],
      },
      { name: 'conv1d plain', fn: (x, w) => gl.conv1d(x, w), inputs: () => [rn([1, 2, 5]), rn([3, 2, 2])] },
      {
        name: 'conv2d plain + bias',
        fn: (x, w, b) => gl.conv2d(x, w, b),
        inputs: () => [rn([1, 2, 4, 4]), rn([2, 2, 3, 3]), rn([2])],
        order: O2,
      },
      {
        name: 'conv2d stride 2 padding 1',
        fn: (x, w) => gl.conv2d(x, w, null, { stride: 2, padding: 1 }),
        inputs: () => [rn([2, 2, 5, 5]), rn([3, 2, 3, 3])],
        order: O2,
      },
      {
        name: 'conv2d dilation 2 padding 2',
        fn: (x, w) => gl.conv2d(x, w, null, { dilation: 2, padding: 2 }),
        inputs: () => [rn([1, 1, 5, 5]), rn([2, 1, 3, 3])],
      },
      {
        name: 'conv2d groups 2 + bias',
        fn: (x, w, b) => gl.conv2d(x, w, b, { groups: 2, padding: 1 }),
        inputs: () => [rn([1, 4, 4, 3]), rn([4, 2, 2, 3]), rn([4])],
        order: O2,
      },
      {
        name: 'conv2d depthwise, rectangular stride/padding',
        fn: (x, w) => gl.conv2d(x, w, null, { groups: 3, stride: [2, 1], padding: [1, 0] }),
        inputs: () => [rn([1, 3, 5, 4]), rn([3, 1, 3, 2])],
      },
      {
        name: 'conv2d unbatched [C,H,W]',
        fn: (x, w) => gl.conv2d(x, w),
        inputs: () => [rn([2, 4, 4]), rn([2, 2, 2, 2])],
      },
      {
        name: 'convTranspose2d stride 2 outputPadding 1',
        fn: (x, w) => gl.convTranspose2d(x, w, null, { stride: 2, outputPadding: 1 }),
        inputs: () => [rn([1, 2, 3, 3]), rn([2, 3, 3, 3])],
      },
      {
        name: 'convTranspose2d groups 2, padding 1, stride 2, outputPadding 1, bias',
        fn: (x, w, b) => gl.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
        inputs: () => [rn([2, 4, 2, 3]), rn([4, 1, 3, 3]), rn([2])],
      },
      {
        name: 'convTranspose2d dilation 2',
        fn: (x, w) => gl.convTranspose2d(x, w, null, { dilation: 2 }),
        inputs: () => [rn([1, 2, 3, 3]), rn([2, 1, 2, 2])],
        order: O2,
      },
      {
        name: 'maxPool2d 2x2',
        fn: (x) => gl.maxPool2d(x, 2),
        inputs: () => [distinct([1, 2, 4, 4])],
        order: O2,
      },
      {
        name: 'maxPool2d 3x3 stride 2 padding 1',
        fn: (x) => gl.maxPool2d(x, 3, { stride: 2, padding: 1 }),
        inputs: () => [distinct([2, 1, 5, 5])],
        order: O2,
      },
      {
        name: 'maxPool2d overlapping stride 1',
        fn: (x) => gl.maxPool2d(x, 2, { stride: 1 }),
        inputs: () => [distinct([1, 1, 4, 4])],
      },
      {
        name: 'maxPool2d dilation 2',
        fn: (x) => gl.maxPool2d(x, 2, { dilation: 2, stride: 1 }),
        inputs: () => [distinct([1, 2, 4, 4])],
      },
      {
        name: 'maxPool2d unbatched',
        fn: (x) => gl.maxPool2d(x, [2, 1]),
        inputs: () => [distinct([2, 4, 3])],
      },
      { name: 'avgPool2d 2x2', fn: (x) => gl.avgPool2d(x, 2), inputs: () => [rn([1, 2, 4, 4])] },
      {
        name: 'avgPool2d 3x3 stride 2 padding 1',
        fn: (x) => gl.avgPool2d(x, 3, { stride: 2, padding: 1 }),
        inputs: () => [rn([1, 2, 5, 5])],
      },
      {
        name: 'avgPool2d countIncludePad false',
        fn: (x) => gl.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
        inputs: () => [rn([2, 1, 5, 4])],
      },
      {
        name: 'adaptiveAvgPool2d non-divisible 5x7 -> 3x4',
        fn: (x) => gl.adaptiveAvgPool2d(x, [3, 4]),
        inputs: () => [rn([1, 2, 5, 7])],
      },
      {
        name: 'adaptiveAvgPool2d divisible 4x4 -> 2x2',
        fn: (x) => gl.adaptiveAvgPool2d(x, 2),
        inputs: () => [rn([2, 1, 4, 4])],
      },
      {
        name: 'adaptiveAvgPool2d global',
        fn: (x) => gl.adaptiveAvgPool2d(x, 1),
        inputs: () => [rn([1, 3, 3, 5])],
      },
      {
        name: 'embedding (repeated indices)',
        fn: (w) => gl.embedding(idx([1, 3, 1, 0, 4, 1], [2, 3]), w),
        inputs: () => [rn([5, 4])],
      },
      {
        name: 'layerNorm last dim, affine',
        fn: (x, w, b) => gl.layerNorm(x, [4], w, b),
        inputs: () => [rn([2, 3, 4]), rn([4]), rn([4])],
        order: O2,
      },
      {
        name: 'layerNorm two dims, no affine',
        fn: (x) => gl.layerNorm(x, [3, 4]),
        inputs: () => [rn([2, 3, 4])],
        order: O2,
      },
      {
        name: 'layerNorm weight only, eps',
        fn: (x, w) => gl.layerNorm(x, [5], w, null, { eps: 1e-3 }),
        inputs: () => [rn([3, 5]), rn([5])],
      },
      {
        name: 'batchNorm training [N,C], affine',
        fn: (x, w, b) => gl.batchNorm(x, null, null, w, b, { training: true }),
        inputs: () => [rn([4, 3]), rn([3]), rn([3])],
        order: O2,
      },
      {
        name: 'batchNorm training [N,C,H,W] with running stats',
        fn: (x, w, b) =>
          gl.batchNorm(x, gl.zeros([2], F64), gl.ones([2], F64), w, b, { training: true, momentum: 0.2 }),
        inputs: () => [rn([2, 2, 2, 3]), rn([2]), rn([2])],
      },
      {
        name: 'batchNorm eval (running stats)',
        fn: (x, w, b) => gl.batchNorm(x, t64([0.1, -0.2]), t64([1.5, 0.7]), w, b),
        inputs: () => [rn([3, 2, 2]), rn([2]), rn([2])],
      },
      {
        name: 'dropout (fixed generator)',
        fn: (x) => gl.dropout(x, 0.4, true, { generator: new gl.Generator(3) }),
        inputs: () => [rn([4, 5])],
      },
    ]);

    it('embedding paddingIdx: the padding row gets no gradient, others as without padding', () => {
      gl.manualSeed(3);
      const w = rn([5, 3]);
      const ids = idx([1, 3, 1, 0], [2, 2]);
      const v = rn([2, 2, 3]);
      const [gp] = gl.vjp((t) => gl.embedding(ids, t, { paddingIdx: 1 }), [w], [v])[1];
      const [g] = gl.vjp((t) => gl.embedding(ids, t), [w], [v])[1];
      const rows = gp.toArray() as number[][];
      const plain = g.toArray() as number[][];
      expect(rows[1]).toEqual([0, 0, 0]);
      for (const r of [0, 2, 3, 4]) rows[r].forEach((val, j) => expect(val).toBeCloseTo(plain[r][j], 12));
    });
  });

  // ---------------------------------------------------------------- losses

  describe('losses', () => {
    const R = ['mean', 'sum', 'none'] as const;
    const labels = () => idx([1, 0, 4, 2]);
    const perR = (name: string, build: (r: (typeof R)[number]) => Omit<Case, 'name'>): Case[] =>
      R.map((r) => ({ name: `${name} reduction=${r}`, ...build(r) }));
    cases([
      ...perR('crossEntropy', (r) => ({
        fn: (x) => gl.crossEntropy(x, labels(), { reduction: r }),
        inputs: () => [rn([4, 5])],
        order: O2,
      })),
      ...perR('crossEntropy class weights', (r) => ({
        fn: (x) => gl.crossEntropy(x, labels(), { reduction: r, weight: t64([1, 0.5, 2, 1.5, 0.3]) }),
        inputs: () => [rn([4, 5])],
      })),
      ...perR('crossEntropy ignoreIndex', (r) => ({
        fn: (x) => gl.crossEntropy(x, idx([1, -100, 4, 2]), { reduction: r }),
        inputs: () => [rn([4, 5])],
      })),
      ...perR('crossEntropy labelSmoothing', (r) => ({
        fn: (x) => gl.crossEntropy(x, labels(), { reduction: r, labelSmoothing: 0.1 }),
        inputs: () => [rn([4, 5])],
      })),
      ...perR('crossEntropy weights + ignoreIndex + labelSmoothing', (r) => ({
        fn: (x) =>
          gl.crossEntropy(x, idx([1, 3, 4, 3]), {
            reduction: r,
            ignoreIndex: 3,
            labelSmoothing: 0.2,
            weight: t64([1, 0.5, 2, 1.5, 0.3]),
          }),
        inputs: () => [rn([4, 5])],
      })),
      ...perR('crossEntropy probability targets (grad to target too)', (r) => ({
        fn: (x, t) => gl.crossEntropy(x, t, { reduction: r }),
        inputs: () => [rn([3, 4]), gl.softmax(rn([3, 4]), 1)],
        order: O2,
      })),
      ...perR('crossEntropy [N,C,d] targets', (r) => ({
        fn: (x) => gl.crossEntropy(x, idx([0, 2, 1, 1, 0, 2], [2, 3]), { reduction: r }),
        inputs: () => [rn([2, 3, 3])],
      })),
      { name: 'crossEntropy unbatched', fn: (x) => gl.crossEntropy(x, idx(2)), inputs: () => [rn([4])] },
      ...perR('nllLoss', (r) => ({
        fn: (x) => gl.nllLoss(x, labels(), { reduction: r }),
        inputs: () => [rn([4, 5])],
      })),
      ...perR('nllLoss weights + ignoreIndex', (r) => ({
        fn: (x) =>
          gl.nllLoss(gl.logSoftmax(x, 1), idx([1, 0, 4, 0]), {
            reduction: r,
            weight: t64([1, 0.5, 2, 1.5, 0.3]),
            ignoreIndex: 0,
          }),
        inputs: () => [rn([4, 5])],
      })),
      ...perR('mseLoss', (r) => ({
        fn: (x, t) => gl.mseLoss(x, t, { reduction: r }),
        inputs: () => [rn([3, 4]), rn([3, 4])],
        order: O2,
      })),
      ...perR('l1Loss', (r) => ({
        fn: (x, t) => gl.l1Loss(x, t, { reduction: r }),
        inputs: () => untied([3, 4], [3, 4]),
      })),
      ...perR('smoothL1Loss beta 1', (r) => ({
        fn: (x) => gl.smoothL1Loss(x, gl.zeros([3, 4], F64), { reduction: r }),
        inputs: () => [away([3, 4], [-1, 0, 1], 0.1, 1.5)],
        order: O2,
      })),
      ...perR('smoothL1Loss beta 0.5 (grad to target)', (r) => ({
        fn: (x, t) => gl.smoothL1Loss(gl.add(x, t), t, { reduction: r, beta: 0.5 }),
        inputs: () => [away([2, 3], [-0.5, 0, 0.5], 0.1), rn([2, 3])],
      })),
      ...perR('bceWithLogits', (r) => ({
        fn: (x, t) => gl.bceWithLogits(x, t, { reduction: r }),
        inputs: () => [away([3, 4], [0], 0.05, 2), uni([3, 4], 0, 1)],
        order: O2,
      })),
      ...perR('bceWithLogits weight + posWeight', (r) => ({
        fn: (x, t) =>
          gl.bceWithLogits(x, t, {
            reduction: r,
            weight: t64([0.5, 1, 2, 1.5]),
            posWeight: t64([2, 0.5, 1, 3]),
          }),
        inputs: () => [away([3, 4], [0], 0.05, 2), uni([3, 4], 0, 1)],
      })),
      ...(['mean', 'sum', 'none', 'batchmean'] as const).map((r) => ({
        name: `klDiv reduction=${r}`,
        fn: (x: Tensor, t: Tensor) => gl.klDiv(gl.logSoftmax(x, 1), t, { reduction: r }),
        inputs: () => [rn([3, 4]), gl.softmax(rn([3, 4]), 1)],
      })),
      ...(['mean', 'sum', 'none', 'batchmean'] as const).map((r) => ({
        name: `klDiv logTarget reduction=${r}`,
        fn: (x: Tensor, t: Tensor) => gl.klDiv(gl.logSoftmax(x, 1), t, { reduction: r, logTarget: true }),
        inputs: () => [rn([3, 4]), gl.logSoftmax(rn([3, 4]), 1)],
      })),
    ]);
  });

  // ---------------------------------------------------------------- composites

  describe('composite models', () => {
    cases([
      {
        name: 'tanh MLP',
        fn: (x, w1, b1, w2) => gl.matmul(gl.tanh(gl.add(gl.matmul(x, w1), b1)), w2),
        inputs: () => [rn([4, 3]), rn([3, 5], 0.7), rn([5]), rn([5, 2], 0.7)],
        order: O2,
      },
      {
        name: 'tanh MLP + crossEntropy',
        fn: (x, w1, w2) => gl.crossEntropy(gl.matmul(gl.tanh(gl.matmul(x, w1)), w2), idx([0, 2, 1])),
        inputs: () => [rn([3, 3]), rn([3, 4], 0.7), rn([4, 3], 0.7)],
        order: O2,
      },
      {
        name: 'attention block',
        fn: (q, k, v) =>
          gl.matmul(gl.softmax(gl.div(gl.matmul(q, gl.transpose(k, -1, -2)), Math.sqrt(2)), -1), v),
        inputs: () => [rn([1, 3, 2]), rn([1, 3, 2]), rn([1, 3, 2])],
        order: O2,
      },
    ]);
  });

  // ---------------------------------------------------------------- zero-size dimensions

  describe('zero-size dimensions', () => {
    const zeroGrads = (fn: TensorFn, inputs: Tensor[], outShape: number[]) => {
      const leaves = inputs.map((x) => x.detach().requiresGrad_());
      const y = fn(...leaves);
      expect([...y.shape]).toEqual(outShape);
      const gs = gl.grad([y], leaves, { gradOutputs: [gl.onesLike(y)], allowUnused: true });
      gs.forEach((g, i) => {
        expect(g, `gradient ${i}`).not.toBeNull();
        expect([...g!.shape]).toEqual([...inputs[i].shape]);
        expect(Array.from(g!.dataSync()).every((v) => v === 0)).toBe(true);
      });
      checkGrad(fn, inputs);
    };
    it('sum of [0,3]', () => zeroGrads((x) => gl.sum(x), [gl.zeros([0, 3], F64)], []));
    it('sum of [0,3] over dim 0', () => zeroGrads((x) => gl.sum(x, 0), [gl.zeros([0, 3], F64)], [3]));
    it('sum of [2,0] over dim 1', () =>
      zeroGrads((x) => gl.sum(x, 1, true), [gl.zeros([2, 0], F64)], [2, 1]));
    it('add [0,3] + [3]', () => zeroGrads((a, b) => gl.add(a, b), [gl.zeros([0, 3], F64), rn([3])], [0, 3]));
    it('mul [0,3] * [3]', () => zeroGrads((a, b) => gl.mul(a, b), [gl.zeros([0, 3], F64), rn([3])], [0, 3]));
    it('matmul [0,3] x [3,2]', () =>
      zeroGrads((a, b) => gl.matmul(a, b), [gl.zeros([0, 3], F64), rn([3, 2])], [0, 2]));
    it('matmul [2,0] x [0,3] (empty contraction)', () => {
      const leaves = [gl.zeros([2, 0], F64).requiresGrad_(), gl.zeros([0, 3], F64).requiresGrad_()];
      const y = gl.matmul(leaves[0], leaves[1]);
      expect([...y.shape]).toEqual([2, 3]);
      expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
      const gs = gl.grad([y], leaves, { gradOutputs: [gl.onesLike(y)] });
      expect([...gs[0]!.shape]).toEqual([2, 0]);
      expect([...gs[1]!.shape]).toEqual([0, 3]);
    });
    it('cat [0,3] with [2,3]', () => {
      gl.manualSeed(1);
      const b = rn([2, 3]);
      const fn: TensorFn = (x, y) => gl.cat([x, y], 0);
      const leaves = [gl.zeros([0, 3], F64).requiresGrad_(), b.detach().requiresGrad_()];
      const y = fn(...leaves);
      expect([...y.shape]).toEqual([2, 3]);
      const gs = gl.grad([y], leaves, { gradOutputs: [gl.onesLike(y)] });
      expect([...gs[0]!.shape]).toEqual([0, 3]);
      expect(Array.from(gs[1]!.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
      checkGrad(fn, [gl.zeros([0, 3], F64), b]);
    });
    it('mean over an empty dim of [0,3] gives NaN but shaped gradients', () => {
      const x = gl.zeros([0, 3], F64).requiresGrad_();
      const y = gl.mean(x, 0);
      expect([...y.shape]).toEqual([3]);
      const [g] = gl.grad([y], [x], { gradOutputs: [gl.onesLike(y)] });
      expect([...g!.shape]).toEqual([0, 3]);
    });
  });

  // ---------------------------------------------------------------- in-place ops (on non-leaf tensors)

  describe('in-place ops', () => {
    /** A non-leaf copy of x that in-place ops may write into. */
    const work = (x: Tensor) => gl.mul(x, 1);
    cases([
      {
        name: 'add_ / sub_ with alpha',
        fn: (a, b) => work(a).add_(b, { alpha: 2 }).sub_(gl.exp(a), { alpha: 0.5 }),
        inputs: () => [rn([2, 3]), rn([3])],
      },
      {
        name: 'mul_ / div_ by numbers',
        fn: (a) => work(a).mul_(3).div_(-2).add_(1),
        inputs: () => [rn([2, 3])],
      },
      {
        name: 'mul_ by a tensor that requires grad',
        fn: (a, b) => work(a).mul_(b),
        inputs: () => [rn([2, 3]), rn([3])],
      },
      {
        name: 'div_ by a tensor that requires grad',
        fn: (a, b) => work(a).div_(b),
        inputs: () => [rn([2, 3]), uni([2, 3])],
      },
      {
        name: 'clamp_ numbers',
        fn: (a) => work(a).clamp_(-0.5, 0.5),
        inputs: () => [away([3, 4], [-0.5, 0.5])],
      },
      {
        name: 'copy_ from a tensor that requires grad',
        fn: (a, b) => work(a).copy_(gl.exp(b)),
        inputs: () => [rn([2, 3]), rn([3])],
      },
      {
        name: 'copy_ from a constant tensor',
        fn: (a) => gl.add(work(a).copy_(t64([1, 2, 3])), 0),
        inputs: () => [rn([3])],
      },
      { name: 'fill_', fn: (a) => work(a).fill_(1.5), inputs: () => [rn([2, 2])] },
      {
        name: 'zero_ then add_',
        fn: (a, b) => work(a).zero_().add_(b),
        inputs: () => [rn([2, 2]), rn([2, 2])],
      },
    ]);

    it('y.mul_(y) needs the overwritten value and throws in backward (as in PyTorch)', () => {
      const a = t64([1, 2, 3]).requiresGrad_();
      const y = work(a);
      y.mul_(y);
      expect(() => gl.grad([gl.sum(y)], [a])).toThrow(gl.InplaceModificationError);
    });
  });

  // ---------------------------------------------------------------- strided and broadcast inputs

  describe('non-contiguous, expanded and rank-0 operands', () => {
    const T = (x: Tensor) => gl.transpose(x, 0, 1);
    cases([
      { name: 'exp of a transpose', fn: (x) => gl.exp(T(x)), inputs: () => [rn([3, 4])], order: O2 },
      {
        name: 'mul of transposed and sliced',
        fn: (a, b) => gl.mul(T(a), gl.slice(b, 1, 0, 6, 2)),
        inputs: () => [rn([3, 2]), rn([2, 6])],
        order: O2,
      },
      {
        name: 'matmul of transposes',
        fn: (a, b) => gl.matmul(T(a), T(b)),
        inputs: () => [rn([3, 2]), rn([4, 3])],
        order: O2,
      },
      {
        name: 'batched matmul of permuted operands',
        fn: (a, b) => gl.matmul(gl.permute(a, [1, 0, 2]), b),
        inputs: () => [rn([3, 2, 4]), rn([2, 4, 3])],
      },
      {
        name: 'sum of a step-2 slice',
        fn: (x) => gl.sum(gl.slice(x, 1, 1, 7, 2), 0),
        inputs: () => [rn([3, 7])],
      },
      { name: 'prod of a transpose', fn: (x) => gl.prod(T(x), 1), inputs: () => [rn([3, 4])], order: O2 },
      { name: 'cumsum of a transpose', fn: (x) => gl.cumsum(T(x), 1), inputs: () => [rn([3, 4])] },
      { name: 'amax of a transpose', fn: (x) => gl.amax(T(x), 1), inputs: () => [distinct([3, 4])] },
      {
        name: 'logSoftmax of a transpose',
        fn: (x) => gl.logSoftmax(T(x), -1),
        inputs: () => [rn([3, 4])],
        order: O2,
      },
      {
        name: 'logsumexp of a flipped slice',
        fn: (x) => gl.logsumexp(gl.flip(gl.slice(x, 0, 0, 4, 2), 1), 0),
        inputs: () => [rn([4, 3])],
      },
      {
        name: 'gather from a transpose',
        fn: (x) => gl.gather(T(x), 1, idx([2, 0, 1, 1, 0, 2, 2, 2], [4, 2])),
        inputs: () => [rn([3, 4])],
      },
      {
        name: 'scatterAdd into a transpose',
        fn: (x, s) => gl.scatterAdd(T(x), 0, idx([1, 0, 3], [1, 3]), T(s)),
        inputs: () => [rn([3, 4]), rn([3, 1])],
      },
      { name: 'pad of a transpose', fn: (x) => gl.pad(T(x), [1, -1, 0, 2]), inputs: () => [rn([3, 4])] },
      {
        name: 'conv2d of a permuted input',
        fn: (x, w) => gl.conv2d(gl.permute(x, [0, 3, 1, 2]), w, null, { padding: 1 }),
        inputs: () => [rn([1, 4, 4, 2]), rn([2, 2, 3, 3])],
        order: O2,
      },
      {
        name: 'maxPool2d of a transposed image',
        fn: (x) => gl.maxPool2d(gl.transpose(x, 2, 3), 2),
        inputs: () => [distinct([1, 1, 4, 6])],
      },
      {
        name: 'cumsum of an expanded tensor',
        fn: (x) => gl.cumsum(gl.expand(x, [3, 4]), 0),
        inputs: () => [rn([1, 4])],
      },
      {
        name: 'prod over an expanded dim',
        fn: (x) => gl.prod(gl.expand(x, [3, 4]), 0),
        inputs: () => [rn([4])],
        order: O2,
      },
      // copies of one value tie; the shares must add up to 1
      {
        name: 'amax over an expanded dim (tied copies)',
        fn: (x) => gl.amax(gl.expand(x, [3, 4]), 0),
        inputs: () => [rn([4])],
      },
      {
        name: 'max(dim) over an expanded dim (tied copies)',
        fn: (x) => gl.max(gl.expand(x, [3, 4]), 0).values,
        inputs: () => [rn([4])],
      },
      { name: 'maximum(x, x) (tie everywhere)', fn: (x) => gl.maximum(x, x), inputs: () => [rn([5])] },
      {
        name: 'minimum(x, x) (tie everywhere)',
        fn: (x) => gl.minimum(x, gl.mul(x, 1)),
        inputs: () => [rn([5])],
      },
      { name: 'sum of rank-0', fn: (x) => gl.sum(x), inputs: () => [rn([])] },
      { name: 'mean of rank-0', fn: (x) => gl.mean(gl.exp(x)), inputs: () => [rn([])], order: O2 },
      { name: 'prod of rank-0', fn: (x) => gl.prod(x), inputs: () => [rn([])] },
      { name: 'amax of rank-0', fn: (x) => gl.amax(x), inputs: () => [rn([])] },
      { name: 'rank-0 times rank-0', fn: (a, b) => gl.mul(a, b), inputs: () => [rn([]), rn([])], order: O2 },
      {
        name: 'unsqueeze/reshape of rank-0',
        fn: (x) => gl.reshape(gl.unsqueeze(x, 0), [1, 1]),
        inputs: () => [rn([])],
      },
    ]);
  });

  // ---------------------------------------------------------------- second order through linear ops

  describe('second order through movement and indexing ops (squared, so the Hessian is not zero)', () => {
    const sq = (t: Tensor) => gl.mul(t, t);
    cases([
      {
        name: 'slice step 2 squared',
        fn: (x) => sq(gl.slice(x, 1, 1, 6, 2)),
        inputs: () => [rn([2, 6])],
        order: O2,
      },
      {
        name: 'pad (negative and positive) squared',
        fn: (x) => sq(gl.pad(x, [2, -1, -1, 1])),
        inputs: () => [rn([3, 4])],
        order: O2,
      },
      {
        name: 'cat squared',
        fn: (a, b) => sq(gl.cat([a, b], 1)),
        inputs: () => [rn([2, 1]), rn([2, 3])],
        order: O2,
      },
      {
        name: 'flip/roll squared',
        fn: (x) => sq(gl.roll(gl.flip(x, 0), 1, 1)),
        inputs: () => [rn([2, 3])],
        order: O2,
      },
      {
        name: 'permute/reshape squared',
        fn: (x) => sq(gl.reshape(gl.permute(x, [2, 0, 1]), [4, 6])),
        inputs: () => [rn([2, 3, 4])],
        order: O2,
      },
      {
        name: 'expand squared',
        fn: (x) => sq(gl.expand(x, [3, 2, 4])),
        inputs: () => [rn([2, 1])],
        order: O2,
      },
      {
        name: 'gather squared',
        fn: (x) => sq(gl.gather(x, 1, idx([0, 0, 3, 2, 1, 2], [2, 3]))),
        inputs: () => [rn([2, 4])],
        order: O2,
      },
      {
        name: 'indexSelect squared',
        fn: (x) => sq(gl.indexSelect(x, 0, idx([2, 0, 2]))),
        inputs: () => [rn([3, 2])],
        order: O2,
      },
      {
        name: 'scatterAdd squared (index smaller than src)',
        fn: (x, s) => sq(gl.scatterAdd(x, 1, idx([3, 3, 0, 1], [2, 2]), s)),
        inputs: () => [rn([3, 4]), rn([3, 3])],
        order: O2,
      },
      {
        name: 'scatter squared',
        fn: (x, s) => sq(gl.scatter(x, 1, idx([0, 2, 3, 1], [2, 2]), s)),
        inputs: () => [rn([2, 4]), rn([2, 2])],
        order: O2,
      },
      {
        name: 'indexAdd squared',
        fn: (x, s) => sq(gl.indexAdd(x, 0, idx([0, 2, 0]), s)),
        inputs: () => [rn([3, 2]), rn([3, 2])],
        order: O2,
      },
      {
        name: 'embedding squared',
        fn: (w) => sq(gl.embedding(idx([1, 3, 1]), w)),
        inputs: () => [rn([4, 2])],
        order: O2,
      },
      {
        name: 'tril/triu squared',
        fn: (x) => sq(gl.add(gl.tril(x, -1), gl.triu(x, 1))),
        inputs: () => [rn([3, 3])],
        order: O2,
      },
      { name: 'cumsum squared', fn: (x) => sq(gl.cumsum(x, 0)), inputs: () => [rn([3, 2])], order: O2 },
      { name: 'amax squared', fn: (x) => sq(gl.amax(x, 1)), inputs: () => [distinct([3, 4])], order: O2 },
      {
        name: 'max(dim) squared',
        fn: (x) => sq(gl.max(x, 0).values),
        inputs: () => [distinct([3, 4])],
        order: O2,
      },
      {
        name: 'avgPool2d squared',
        fn: (x) => sq(gl.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })),
        inputs: () => [rn([1, 1, 5, 4])],
        order: O2,
      },
      {
        name: 'adaptiveAvgPool2d squared',
        fn: (x) => sq(gl.adaptiveAvgPool2d(x, [2, 3])),
        inputs: () => [rn([1, 1, 5, 5])],
        order: O2,
      },
      {
        name: 'convTranspose2d groups/stride squared',
        fn: (x, w) =>
          sq(gl.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1, groups: 2 })),
        inputs: () => [rn([1, 4, 2, 2]), rn([4, 1, 3, 3])],
        order: O2,
      },
      {
        name: 'conv1d stride/dilation/groups squared',
        fn: (x, w) => sq(gl.conv1d(x, w, null, { stride: 2, padding: 1, dilation: 2, groups: 2 })),
        inputs: () => [rn([1, 4, 7]), rn([4, 2, 3])],
        order: O2,
      },
    ]);
  });

  // ---------------------------------------------------------------- PyTorch conventions at kinks

  describe('gradients at non-differentiable points follow PyTorch', () => {
    const gradOf = (fn: TensorFn, ...xs: Tensor[]) =>
      gl.vjp(fn, xs, [gl.onesLike(fn(...xs))])[1].map((g) => Array.from(g.dataSync()));
    it('abs, relu at 0 give 0; leakyRelu/elu at 0 give the negative-side slope', () => {
      const z = t64([0, 0]);
      expect(gradOf((x) => gl.abs(x), z)[0]).toEqual([0, 0]);
      expect(gradOf((x) => gl.relu(x), z)[0]).toEqual([0, 0]);
      expect(gradOf((x) => gl.leakyRelu(x, 0.2), z)[0]).toEqual([0.2, 0.2]);
      expect(gradOf((x) => gl.elu(x, 1.5), z)[0]).toEqual([1.5, 1.5]);
    });
    it('clamp at a bound passes the gradient; maximum/minimum ties split it', () => {
      expect(gradOf((x) => gl.clamp(x, -1, 1), t64([-1, 1, 2]))[0]).toEqual([1, 1, 0]);
      expect(gradOf((a, b) => gl.maximum(a, b), t64([1, 2]), t64([1, 3]))).toEqual([
        [0.5, 0],
        [0.5, 1],
      ]);
      expect(gradOf((a, b) => gl.minimum(a, b), t64([1, 2]), t64([1, 3]))).toEqual([
        [0.5, 1],
        [0.5, 0],
      ]);
    });
    it('amax ties share the gradient evenly; max(dim) gives it to the returned index', () => {
      expect(gradOf((x) => gl.amax(x, 1), t64([3, 1, 3, 2], [1, 4]))[0]).toEqual([0.5, 0, 0.5, 0]);
      expect(gradOf((x) => gl.max(x, 1).values, t64([3, 1, 3, 2], [1, 4]))[0]).toEqual([1, 0, 0, 0]);
    });
    it('pow at a zero base: no gradient to the exponent, and none to the base for exponent 0', () => {
      expect(gradOf((a, b) => gl.pow(a, b), t64([0, 0, 2]), t64([2, 0, 0]))).toEqual([
        [0, 0, 0],
        [0, 0, Math.log(2)],
      ]);
    });
    it('norm of an all-zero vector has a zero gradient (p = 2 and p = 3)', () => {
      expect(gradOf((x) => gl.norm(x), t64([0, 0, 0]))[0]).toEqual([0, 0, 0]);
      expect(gradOf((x) => gl.norm(x, 3), t64([0, 0, 0]))[0]).toEqual([0, 0, 0]);
    });
  });

  // ---------------------------------------------------------------- forward against reverse mode

  describe('jvp against vjp for every case', () => {
    for (const c of ALL)
      it(c.name, () => {
        gl.manualSeed(7);
        prngState = 12345;
        checkJvpVjp(c.fn, c.inputs(), { atol: c.atol, rtol: c.rtol });
      });
  });
}
