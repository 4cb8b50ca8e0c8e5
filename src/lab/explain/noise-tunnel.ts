// NoiseTunnel (SmoothGrad, SmoothGrad², VarGrad) and GradientShap, Captum's noise-averaging wrappers.
import { ArgumentError } from '../../core/errors.js';
import type { Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { rand, randint, randn } from '../../ops/creation.js';
import { indexSelect } from '../../ops/shape.js';
import { attributionsOf } from './gradient.js';
import {
  ExplainError,
  asTuple,
  gradOfTarget,
  positiveInt,
  targetIndices,
  type Attr,
  type CommonOptions,
  type ForwardFn,
  type Inputs,
} from './common.js';

/** Captum's noise-tunnel types. */
export type NoiseTunnelType = 'smoothgrad' | 'smoothgrad_sq' | 'vargrad';

/** A method NoiseTunnel can wrap: any gl.explain attribution class. */
export interface AttributionMethod {
  /** Attributions for `inputs` with the method's options. */
  attribute(inputs: any, opts?: any): unknown;
}

/** Options of NoiseTunnel.attribute (the wrapped method's options pass through). */
export interface NoiseTunnelOptions {
  /** 'smoothgrad' (mean, default), 'smoothgrad_sq' (mean of squares) or 'vargrad' (variance). */
  ntType?: NoiseTunnelType;
  /** Noisy copies per example (default 5). */
  ntSamples?: number;
  /** Standard deviation of the Gaussian noise, per input or one for all (default 1, Captum's). */
  stdevs?: number | readonly number[];
  /** The noise stream (default: the global generator). */
  generator?: Generator;
  /**
   * Captum's `draw_baseline_from_distrib`: `baselines` (one [K, ...] tensor per input) is a distribution, and for
   * every noisy copy each example gets a baseline drawn uniformly from its K rows (drawn after that copy's noise,
   * from the same stream). Default false: `baselines` passes to the method unchanged.
   */
  drawBaselineFromDistrib?: boolean;
  /** Options handed to the wrapped method on each noisy copy. */
  [option: string]: unknown;
}

/**
 * Averages a method's attributions over Gaussian-perturbed copies of the inputs (Smilkov et al.),
 * Captum's `NoiseTunnel`: mean (smoothgrad), mean of squares (smoothgrad_sq) or variance (vargrad).
 * @example
 * const sg = new gl.explain.NoiseTunnel(new gl.explain.Saliency(model));
 * const map = sg.attribute(x, { ntType: 'smoothgrad_sq', ntSamples: 10, stdevs: 0.1, target: 3 });
 * // IG with a baseline drawn per example and noisy copy from a set of 20 reference images [20, 1, 28, 28]
 * const nt = new gl.explain.NoiseTunnel(new gl.explain.IntegratedGradients(model));
 * nt.attribute(x, { baselines: refs, drawBaselineFromDistrib: true, ntSamples: 8, stdevs: 0.1, target: 3 });
 */
export class NoiseTunnel {
  /** The wrapped attribution method. */
  readonly method: AttributionMethod;
  constructor(method: AttributionMethod) {
    this.method = method;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * const smoothGrad = new gl.explain.NoiseTunnel(new gl.explain.Saliency(model));
   * smoothGrad.attribute(gl.randn([2, 4]), { ntType: 'smoothgrad', ntSamples: 8, stdevs: 0.1, target: 0 }).shape; // [2, 4]
   */
  attribute<I extends Inputs>(inputs: I, opts: NoiseTunnelOptions = {}): Attr<I> {
    const {
      ntType = 'smoothgrad',
      ntSamples,
      stdevs = 1,
      generator,
      drawBaselineFromDistrib = false,
      ...rest
    } = opts;
    if (!['smoothgrad', 'smoothgrad_sq', 'vargrad'].includes(ntType))
      throw new ArgumentError(
        `NoiseTunnel: ntType must be smoothgrad|smoothgrad_sq|vargrad, got ${JSON.stringify(ntType)}`,
      );
    const n = positiveInt(ntSamples, 5, 'NoiseTunnel: ntSamples');
    const { xs, wrap } = asTuple(inputs);
    const sd = typeof stdevs === 'number' ? xs.map(() => stdevs) : [...stdevs];
    if (sd.length !== xs.length)
      throw new ExplainError(`NoiseTunnel: ${sd.length} stdevs for ${xs.length} inputs`);
    const dist = drawBaselineFromDistrib ? baselineDistribution(rest.baselines, xs) : null;
    let s1: Tensor[] | null = null;
    let s2: Tensor[] | null = null;
    for (let k = 0; k < n; k++) {
      const noisy = noGrad(() =>
        xs.map((x, i) => x.add(randn(x.shape, { dtype: x.dtype, generator }).mul(sd[i]))),
      );
      const drawn = dist
        ? noGrad(() =>
            dist.map((b, i) =>
              indexSelect(b, 0, randint(0, b.shape[0], [xs[i].shape[0]], { dtype: 'int32', generator })),
            ),
          )
        : null;
      const opts = drawn ? { ...rest, baselines: inputs instanceof Array ? drawn : drawn[0] } : rest;
      const a = attributionsOf(
        this.method.attribute(inputs instanceof Array ? noisy : noisy[0], opts) as Tensor,
      );
      noGrad(() => {
        s1 = s1 ? s1.map((s, i) => s.add(a[i])) : a;
        const sq = a.map((t) => t.mul(t));
        s2 = s2 ? s2.map((s, i) => s.add(sq[i])) : sq;
      });
    }
    return wrap(
      noGrad(() => {
        const mean = s1!.map((s) => s.div(n));
        const meanSq = s2!.map((s) => s.div(n));
        if (ntType === 'smoothgrad') return mean;
        if (ntType === 'smoothgrad_sq') return meanSq;
        return meanSq.map((m, i) => m.sub(mean[i].mul(mean[i])));
      }),
    );
  }
}

/** The baselines of drawBaselineFromDistrib checked: one [K, ...example shape] tensor per input, K ≥ 1. */
function baselineDistribution(baselines: unknown, xs: readonly Tensor[]): Tensor[] {
  const list = baselines instanceof Array ? baselines : baselines === undefined ? [] : [baselines];
  if (list.length !== xs.length || list.some((b) => !(b instanceof Object) || !('shape' in (b as object))))
    throw new ExplainError(
      `NoiseTunnel: drawBaselineFromDistrib needs baselines as one tensor [K, ...] per input (${xs.length}), got ${baselines === undefined ? 'none' : `${list.length} value(s)`}`,
    );
  return (list as Tensor[]).map((b, i) => {
    const want = xs[i].shape.slice(1);
    if (b.ndim !== xs[i].ndim || b.shape[0] < 1 || b.shape.slice(1).some((d, j) => d !== want[j]))
      throw new ExplainError(
        `NoiseTunnel: drawBaselineFromDistrib: baselines[${i}] must be [K, ${want.join(', ')}] with K ≥ 1 (input ${i} is [${xs[i].shape.join(', ')}]), got [${b.shape.join(', ')}]`,
      );
    return b;
  });
}

/** Options of GradientShap.attribute. */
export interface GradientShapOptions extends CommonOptions {
  /** The baseline distribution: one [K, ...] tensor per input. */
  baselines: Tensor | readonly Tensor[];
  /** Random samples per example (default 5). */
  nSamples?: number;
  /** Gaussian noise added to the inputs (default 0). */
  stdevs?: number;
  /** Multiply by (x − baseline) (default true). */
  multiplyByInputs?: boolean;
  /** The random stream (default: the global generator). */
  generator?: Generator;
}

/**
 * GradientShap (Lundberg and Lee), Captum's: the mean over samples of (x̃ − b) ⊙ ∇f(b + α(x̃ − b)) with
 * b drawn from the baselines, α ~ U(0, 1) per example and x̃ = x + N(0, stdevs²).
 * @example new gl.explain.GradientShap(model).attribute(x, { baselines: gl.randn([20, 1, 8, 8]), target: 2, nSamples: 50 })
 */
export class GradientShap {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
   * new gl.explain.GradientShap(model).attribute(gl.randn([2, 4]), { baselines: gl.randn([10, 4]), nSamples: 8, target: 0 }).shape; // [2, 4]
   */
  attribute<I extends Inputs>(inputs: I, opts: GradientShapOptions): Attr<I> {
    const { xs, wrap } = asTuple(inputs);
    const dist = opts.baselines instanceof Array ? [...opts.baselines] : [opts.baselines as Tensor];
    if (dist.length !== xs.length)
      throw new ExplainError(`GradientShap: ${dist.length} baseline sets for ${xs.length} inputs`);
    const B = xs[0].shape[0];
    const n = positiveInt(opts.nSamples, 5, 'GradientShap: nSamples');
    const idx = targetIndices(opts.target, B);
    const g = opts.generator;
    let acc: Tensor[] | null = null;
    for (let s = 0; s < n; s++) {
      const pick = randint(0, dist[0].shape[0], [B], { generator: g });
      const alpha = rand([B], { generator: g, dtype: xs[0].dtype });
      const { scaled, diffs } = noGrad(() => {
        const diffs: Tensor[] = [];
        const scaled = xs.map((x, i) => {
          const noisy = opts.stdevs
            ? x.add(randn(x.shape, { dtype: x.dtype, generator: g }).mul(opts.stdevs))
            : x;
          const b = dist[i].to(x.dtype).indexSelect(0, pick);
          const d = noisy.sub(b);
          diffs.push(d);
          const a = alpha.reshape([B, ...x.shape.slice(1).map(() => 1)]);
          return b.add(d.mul(a));
        });
        return { scaled, diffs };
      });
      const { grads } = gradOfTarget(this.forward, scaled, idx, opts.additionalForwardArgs);
      const a = noGrad(() =>
        opts.multiplyByInputs === false ? grads : grads.map((gr, i) => gr.mul(diffs[i])),
      );
      acc = acc ? noGrad(() => acc!.map((t, i) => t.add(a[i]))) : a;
    }
    return wrap(noGrad(() => acc!.map((t) => t.div(n))));
  }
}
