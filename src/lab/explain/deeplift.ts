// DeepLIFT (Rescale rule) as per-primitive backward overrides from a cached reference pass, and DeepLiftShap.
import { overrideGrad, type GradOverrides } from '../../core/custom.js';
import { grad } from '../../core/functional.js';
import type { Node } from '../../core/node.js';
import { pmaxPool2dGrad } from '../../core/primitive-calls.js';
import type { MaxPoolParams, Primitive } from '../../core/primitives.js';
import { enableGrad, noGrad } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { vjpRules } from '../../core/vjp.js';
import type { BackwardContext, SaveContext, VjpRule } from '../../core/vjp-types.js';
import { onesLike, zerosLike } from '../../ops/creation.js';
import { logicalOr, where } from '../../ops/elementwise.js';
import { cat } from '../../ops/shape.js';
import {
  ExplainError,
  asTuple,
  baselinesFor,
  callForward,
  selectTarget,
  sumPerExample,
  targetIndices,
  type Attr,
  type Baseline,
  type CommonOptions,
  type ForwardFn,
  type Inputs,
  type WithDelta,
} from './common.js';

/**
 * An op DeepLift has no rule for: it names the op instead of silently using the plain gradient.
 * @example
 * declare const model: gl.nn.Module; // with an op DeepLift has no rule for
 * try {
 *   new gl.explain.DeepLift(model).attribute(gl.randn([2, 4]), { target: 0 });
 * } catch (e) {
 *   if (e instanceof gl.explain.UnsupportedNonlinearityError) console.log(e.message); // names the op
 * }
 */
export class UnsupportedNonlinearityError extends ExplainError {}

/**
 * How DeepLift treats each primitive (a typed, exhaustive table: a new primitive fails to compile until classified).
 * - linear: the ordinary gradient is exact (Δy is linear in the Δ of the inputs).
 * - rescale: unary nonlinearity, multiplier Δy/Δx (the local derivative where |Δx| < eps).
 * - bilinear: Δ(a∘b) = ā∘Δb + Δa∘b̄ exactly, with ā, b̄ the means of the input and reference operands.
 * - div: a/b as a · (1/b), the reciprocal rescaled.
 * - pow: rescale in whichever operand needs a gradient (both: unsupported).
 * - switch: where/maximum/minimum: linear routing where input and reference take the same branch, else
 *   both branches get Δy / (Δa + Δb) (for elementwise activations built from `where` this composes to Δy/Δx).
 * - maxPool: Captum's max-pool rule (the output change split between the input's and the reference's argmax).
 * - logSoftmax: y = x − L(x); L's change is shared out in proportion to the mean softmax times Δx.
 * - unsupported: a named error.
 */
export type DeepLiftKind =
  'linear' | 'rescale' | 'bilinear' | 'div' | 'pow' | 'switch' | 'maxPool' | 'logSoftmax' | 'unsupported';

/** The DeepLift rule kind of every primitive (see DeepLiftKind). */
export const DEEPLIFT_KINDS: { [P in Primitive]: DeepLiftKind } = {
  neg: 'linear',
  exp: 'rescale',
  log: 'rescale',
  log1p: 'rescale',
  expm1: 'rescale',
  sin: 'rescale',
  cos: 'rescale',
  tanh: 'rescale',
  sqrt: 'rescale',
  abs: 'rescale',
  sign: 'rescale',
  sigmoid: 'rescale',
  relu: 'rescale',
  erf: 'rescale',
  logicalNot: 'linear',
  add: 'linear',
  sub: 'linear',
  mul: 'bilinear',
  div: 'div',
  pow: 'pow',
  maximum: 'switch',
  minimum: 'switch',
  eq: 'linear',
  ne: 'linear',
  lt: 'linear',
  le: 'linear',
  gt: 'linear',
  ge: 'linear',
  logicalAnd: 'linear',
  logicalOr: 'linear',
  logicalXor: 'linear',
  where: 'switch',
  cast: 'linear',
  copy: 'linear',
  sum: 'linear',
  amax: 'unsupported',
  amin: 'unsupported',
  prod: 'unsupported',
  argmax: 'linear',
  argmin: 'linear',
  argsort: 'linear',
  cumsum: 'linear',
  logSoftmax: 'logSoftmax',
  logSoftmaxGrad: 'unsupported',
  matmul: 'bilinear',
  cholesky: 'unsupported',
  triangularSolve: 'unsupported',
  solve: 'unsupported',
  slogdet: 'unsupported',
  qr: 'unsupported',
  eigh: 'unsupported',
  svd: 'unsupported',
  reshape: 'linear',
  permute: 'linear',
  expand: 'linear',
  slice: 'linear',
  pad: 'linear',
  flip: 'linear',
  cat: 'linear',
  gather: 'linear',
  scatterAdd: 'linear',
  conv2d: 'bilinear',
  unfold: 'linear',
  fold: 'linear',
  maxPool2d: 'maxPool',
  maxPool2dGrad: 'unsupported',
  full: 'linear',
  random: 'linear',
};

/** Custom-function nodes that are identities (module backward hooks) and so need no rule. */
const IDENTITY_NODES = new Set(['BackwardHookInputs', 'BackwardHookOutputs']);

interface RefRecord {
  prim: Primitive;
  inputs: Tensor[];
  out: Tensor;
}

const rule = (p: Primitive): VjpRule<any> => vjpRules[p] as VjpRule<any>;

/** The default rule's local derivative of input `i` (its vjp at a cotangent of ones). */
function localGrad(p: Primitive, params: unknown, inputs: readonly Tensor[], out: Tensor, i: number): Tensor {
  const saved: (Tensor | null)[] = [];
  const needs = inputs.map((_, k) => k === i);
  const r = rule(p);
  r.save?.(
    { params, needsInputGrad: needs, save: (...ts) => void saved.push(...ts) } as SaveContext<any>,
    inputs,
    out,
  );
  const ctx = {
    params,
    needsInputGrad: needs,
    saved,
    inputShapes: inputs.map((t) => t.shape),
    inputDTypes: inputs.map((t) => t.dtype),
    outShape: out.shape,
  } as BackwardContext<any>;
  return r.vjp(ctx, onesLike(out))[i]!()!;
}

/** Δy/Δx, or the local derivative where |Δx| < eps. */
function rescale(dy: Tensor, dx: Tensor, local: () => Tensor, eps: number): Tensor {
  const small = dx.abs().lt(eps);
  return where(small, local(), dy.div(where(small, onesLike(dx), dx)));
}

function actualRule(
  p: Primitive,
  next: (p: Primitive, inputs: readonly Tensor[]) => RefRecord,
  eps: number,
): VjpRule<any> {
  const kind = DEEPLIFT_KINDS[p];
  const base = rule(p);
  const unsupported = (why: string) =>
    new UnsupportedNonlinearityError(
      `DeepLift: no rule for the primitive '${p}'${why}; it would fall back to the plain gradient`,
    );
  return {
    save(ctx, inputs, out) {
      const ref = next(p, inputs);
      if (kind === 'linear') return base.save?.(ctx, inputs, out);
      if (kind === 'unsupported') throw unsupported('');
      noGrad(() => {
        const x = inputs;
        const r = ref.inputs;
        const dy = out.sub(ref.out);
        switch (kind) {
          case 'rescale':
            ctx.save(rescale(dy, x[0].sub(r[0]), () => localGrad(p, ctx.params, x, out, 0), eps));
            return;
          case 'pow': {
            const [na, nb] = ctx.needsInputGrad;
            if (na && nb) throw unsupported(' with both base and exponent depending on the input');
            const i = na ? 0 : 1;
            const m = rescale(dy, x[i].sub(r[i]), () => localGrad(p, ctx.params, x, out, i), eps);
            ctx.save(na ? m : null, nb ? m : null);
            return;
          }
          case 'bilinear': {
            const avg = x.map((t, i) => t.add(r[i]).mul(0.5));
            if (p === 'conv2d')
              ctx.save(ctx.needsInputGrad[1] ? avg[0] : null, ctx.needsInputGrad[0] ? avg[1] : null);
            else ctx.save(ctx.needsInputGrad[0] ? avg[1] : null, ctx.needsInputGrad[1] ? avg[0] : null);
            return;
          }
          case 'div': {
            const [a, b] = x;
            const [a0, b0] = r;
            const recip = onesLike(b).div(b);
            const recip0 = onesLike(b0).div(b0);
            const rbar = recip.add(recip0).mul(0.5);
            const abar = a.add(a0).mul(0.5);
            const mb = rescale(recip.sub(recip0), b.sub(b0), () => recip.mul(recip).neg(), eps);
            ctx.save(rbar, abar.mul(mb));
            return;
          }
          case 'switch': {
            const [ia, ib] = p === 'where' ? [1, 2] : [0, 1];
            const cond = (v: readonly Tensor[]) =>
              p === 'where' ? v[0] : p === 'maximum' ? v[0].gt(v[1]) : v[0].lt(v[1]);
            const c = cond(x).expand(out.shape);
            const c0 = cond(r).expand(out.shape);
            const da = x[ia].sub(r[ia]).expand(out.shape);
            const db = x[ib].sub(r[ib]).expand(out.shape);
            const den = da.add(db);
            const small = den.abs().lt(eps);
            const k = dy.div(where(small, onesLike(den), den));
            const one = onesLike(out);
            const zero = zerosLike(out);
            const same = logicalOr(c.eq(c0), small);
            ctx.save(where(same, where(c, one, zero), k), where(same, where(c, zero, one), k));
            return;
          }
          case 'maxPool':
            ctx.save(x[0], r[0], out, ref.out);
            return;
          case 'logSoftmax': {
            const dim = (ctx.params as { dim: number }).dim;
            const dx = x[0].sub(r[0]);
            const sbar = out.exp().add(ref.out.exp()).mul(0.5);
            const dL = dx.sub(dy).narrow(dim, 0, 1);
            const den = sbar.mul(dx).sum(dim, true);
            const small = den.abs().lt(eps);
            ctx.save(
              where(small.expand(out.shape), sbar, sbar.mul(dL).div(where(small, onesLike(den), den))),
            );
            return;
          }
        }
      });
    },
    vjp(ctx, g) {
      switch (kind) {
        case 'linear':
          return base.vjp(ctx, g);
        case 'rescale':
          return [() => g.mul(ctx.saved[0]!)];
        case 'pow':
          return ctx.saved.map((m) => (m ? () => g.mul(m) : null));
        case 'bilinear':
          return base.vjp(ctx, g);
        case 'div':
          return [() => g.mul(ctx.saved[0]!), () => g.mul(ctx.saved[1]!)];
        case 'switch': {
          const [ma, mb] = ctx.saved;
          const gs = [() => g.mul(ma!), () => g.mul(mb!)];
          return p === 'where' ? [null, ...gs] : gs;
        }
        case 'maxPool': {
          const [x, x0, y, y0] = ctx.saved as Tensor[];
          const params = ctx.params as MaxPoolParams;
          const ymax = y.maximum(y0);
          const u = pmaxPool2dGrad(g.mul(ymax.sub(y0)), x, params).add(
            pmaxPool2dGrad(g.mul(y.sub(ymax)), x0, params),
          );
          const dx = x.sub(x0);
          const small = dx.abs().lt(eps);
          return [() => where(small, pmaxPool2dGrad(g, x, params), u.div(where(small, onesLike(dx), dx)))];
        }
        case 'logSoftmax': {
          const dim = (ctx.params as { dim: number }).dim;
          const m = ctx.saved[0]!;
          return [() => g.sub(m.mul(g.sum(dim, true)))];
        }
        case 'unsupported':
          throw unsupported('');
      }
    },
  };
}

/** Every node behind `out` that is not a primitive or an identity hook node (a custom function DeepLift cannot see into). */
function customNodes(out: Tensor): string[] {
  const seen = new Set<Node>();
  const stack: Node[] = out.gradFn ? [out.gradFn] : [];
  const found = new Set<string>();
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (!(n.op in DEEPLIFT_KINDS) && !IDENTITY_NODES.has(n.op)) found.add(n.op);
    for (const e of n.inputs) if (e && e.node) stack.push(e.node);
  }
  return [...found];
}

/** Options of DeepLift.attribute. */
export interface DeepLiftOptions extends CommonOptions {
  /** Reference input per input (default 0). */
  baselines?: Baseline | readonly Baseline[];
  /** Multiply the multipliers by (x − baseline) (default true). */
  multiplyByInputs?: boolean;
  /** |Δx| below which a rule uses the local derivative (default 1e-10, Captum's). */
  eps?: number;
  /** Also return the summation-to-delta gap per example. */
  returnConvergenceDelta?: boolean;
}

/**
 * DeepLIFT with the Rescale rule (Shrikumar et al.), Captum's `DeepLift`. The forward runs once on the
 * baselines, caching every primitive's inputs and output, then on the inputs with each primitive's
 * backward replaced by its DeepLift rule (`DEEPLIFT_KINDS`) through `gl.overrideGrad` — per op, so
 * functional activations and reused modules get the rule. An op without a rule raises
 * `UnsupportedNonlinearityError`. Attributions sum to f(x) − f(baseline) (summation-to-delta).
 * @example
 * const { attributions, delta } = new gl.explain.DeepLift(model).attribute(x, { target: 1, returnConvergenceDelta: true });
 */
export class DeepLift {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }

  /**
   * Attributions of the same shape as the inputs, with the summation-to-delta gap when asked.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * const { attributions, delta } = new gl.explain.DeepLift(model).attribute(gl.randn([2, 4]), {
   *   target: 0,
   *   returnConvergenceDelta: true,
   * }); // attributions [2, 4]; delta ≈ 0 (they sum to f(x) − f(baseline))
   */
  attribute<I extends Inputs>(
    inputs: I,
    opts: DeepLiftOptions & { returnConvergenceDelta: true },
  ): WithDelta<I>;
  attribute<I extends Inputs>(inputs: I, opts?: DeepLiftOptions): Attr<I>;
  attribute<I extends Inputs>(inputs: I, opts: DeepLiftOptions = {}): Attr<I> | WithDelta<I> {
    const { xs, wrap } = asTuple(inputs);
    const bases = baselinesFor(xs, opts.baselines);
    const idx = targetIndices(opts.target, xs[0].shape[0]);
    const extra = opts.additionalForwardArgs ?? [];
    const eps = opts.eps ?? 1e-10;
    const prims = Object.keys(DEEPLIFT_KINDS) as Primitive[];
    return enableGrad(() => {
      const records: RefRecord[] = [];
      const recording = Object.fromEntries(
        prims.map((p) => [
          p,
          {
            save: (_c: unknown, ins: readonly Tensor[], out: Tensor) =>
              void records.push({ prim: p, inputs: ins.map((t) => t.detach()), out: out.detach() }),
            vjp: () => {
              throw new ExplainError('DeepLift: the reference pass is not differentiated');
            },
          },
        ]),
      ) as GradOverrides;
      const refLeaves = bases.map((b) => b.detach().requiresGrad_());
      const refScores = selectTarget(
        overrideGrad(recording, () => callForward(this.forward, refLeaves, extra)),
        idx,
      ).detach();
      let pos = 0;
      const next = (p: Primitive, ins: readonly Tensor[]): RefRecord => {
        const r = records[pos++];
        if (!r || r.prim !== p || r.inputs.some((t, i) => t.shape.join() !== ins[i].shape.join()))
          throw new ExplainError(
            `DeepLift: op #${pos} of the input pass (${p}) differs from the reference pass (${r ? r.prim : 'none'}); the forward must run the same ops on inputs and baselines`,
          );
        return r;
      };
      const rules = Object.fromEntries(prims.map((p) => [p, actualRule(p, next, eps)])) as GradOverrides;
      const leaves = xs.map((x) => x.detach().requiresGrad_());
      const out = overrideGrad(rules, () => callForward(this.forward, leaves, extra));
      if (pos !== records.length)
        throw new ExplainError(
          `DeepLift: the input pass ran ${pos} ops, the reference pass ${records.length}`,
        );
      const custom = customNodes(out);
      if (custom.length)
        throw new UnsupportedNonlinearityError(
          `DeepLift: the forward contains custom-gradient functions with no DeepLift rule: ${custom.join(', ')}`,
        );
      const scores = selectTarget(out, idx);
      const grads = grad(scores.sum(), leaves, { allowUnused: true }).map((g, i) => g ?? zerosLike(xs[i]));
      const attributions = noGrad(() =>
        opts.multiplyByInputs === false ? grads : grads.map((g, i) => g.mul(xs[i].sub(bases[i]))),
      );
      if (!opts.returnConvergenceDelta) return wrap(attributions);
      const delta = noGrad(() => sumPerExample(attributions).sub(scores.detach().sub(refScores)));
      return { attributions: wrap(attributions), delta };
    });
  }
}

/**
 * DeepLiftShap: DeepLift averaged over a distribution of baselines (`baselines` with K rows per input),
 * Captum's `DeepLiftShap`. The delta has one entry per (example, baseline), example-major.
 * @example new gl.explain.DeepLiftShap(model).attribute(x, { baselines: gl.randn([10, 1, 8, 8]).mul(0.001), target: 0 })
 */
export class DeepLiftShap {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }

  /**
   * Attributions of the same shape as the inputs (the mean over baselines).
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * const attr = new gl.explain.DeepLiftShap(model).attribute(gl.randn([2, 4]), { baselines: gl.randn([5, 4]), target: 0 });
   */
  attribute<I extends Inputs>(
    inputs: I,
    opts: DeepLiftOptions & { baselines: Tensor | readonly Tensor[]; returnConvergenceDelta: true },
  ): WithDelta<I>;
  attribute<I extends Inputs>(
    inputs: I,
    opts: DeepLiftOptions & { baselines: Tensor | readonly Tensor[] },
  ): Attr<I>;
  attribute<I extends Inputs>(
    inputs: I,
    opts: DeepLiftOptions & { baselines: Tensor | readonly Tensor[] },
  ): Attr<I> | WithDelta<I> {
    const { xs, wrap } = asTuple(inputs);
    const dist = opts.baselines instanceof Tensor ? [opts.baselines] : [...opts.baselines];
    if (dist.length !== xs.length || !dist.every((d) => d instanceof Tensor && d.ndim === xs[0].ndim))
      throw new ExplainError('DeepLiftShap: baselines must be one [K, ...] tensor per input');
    const K = dist[0].shape[0];
    const B = xs[0].shape[0];
    const dl = new DeepLift(this.forward);
    let sum: Tensor[] | null = null;
    const deltas: Tensor[] = [];
    for (let k = 0; k < K; k++) {
      const r = dl.attribute(xs, {
        ...opts,
        baselines: dist.map((d) => d.narrow(0, k, 1)),
        returnConvergenceDelta: true,
      });
      const a = r.attributions as Tensor[];
      sum = sum ? sum.map((s, i) => s.add(a[i])) : a;
      deltas.push(r.delta.reshape([B, 1]));
    }
    const attributions = sum!.map((s) => s.div(K));
    if (!opts.returnConvergenceDelta) return wrap(attributions);
    return { attributions: wrap(attributions), delta: noGrad(() => cat(deltas, 1).reshape([B * K])) };
  }
}
