// Perturbation attributions with Captum's names: Occlusion (sliding windows) and FeatureAblation (featureMask groups).
import { ArgumentError, ShapeError, fmtShape } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { cat } from '../../ops/shape.js';
import { tensor } from '../../ops/tensor-like.js';
import {
  ExplainError,
  asTuple,
  baselinesFor,
  callForward,
  expandExtra,
  positiveInt,
  selectTarget,
  targetIndices,
  type Attr,
  type Baseline,
  type CommonOptions,
  type ForwardFn,
  type Inputs,
  type TargetIndices,
} from './common.js';

/** Scores of the target for many perturbed copies of the batch: masks[j] (1 = replaced) applied to input i. */
function perturbedScores(
  forward: ForwardFn,
  xs: Tensor[],
  bases: Tensor[],
  masks: (Tensor | null)[][],
  idx: TargetIndices,
  extra: readonly unknown[] | undefined,
  perEval: number,
): Tensor[] {
  const B = xs[0].shape[0];
  const out: Tensor[] = [];
  return noGrad(() => {
    for (let s = 0; s < masks.length; s += perEval) {
      const group = masks.slice(s, s + perEval);
      const batch = xs.map((x, i) =>
        cat(
          group.map((m) => (m[i] ? x.add(bases[i].sub(x).mul(m[i]!)) : x)),
          0,
        ),
      );
      const scores = selectTarget(callForward(forward, batch, expandExtra(extra, B, group.length)), idx);
      for (let j = 0; j < group.length; j++) out.push(scores.narrow(0, j * B, B));
    }
    return out;
  });
}

/** Options of Occlusion.attribute. */
export interface OcclusionOptions extends CommonOptions {
  /** Window shape per input, without the batch dim (e.g. [1, 3, 3] for [B, 1, H, W]). */
  slidingWindowShapes: readonly number[] | readonly (readonly number[])[];
  /** Window step per dim (a number for every dim; default 1). */
  strides?: number | readonly number[] | readonly (number | readonly number[])[];
  /** Replacement values (default 0). */
  baselines?: Baseline | readonly Baseline[];
  /** Perturbed copies of the batch per forward (default 1, Captum's). */
  perturbationsPerEval?: number;
}

/**
 * Occlusion (Zeiler and Fergus), Captum's: each window position replaces its region by the baseline;
 * a feature's attribution is the mean of f(x) − f(occluded) over the windows covering it (0 where no
 * window covers it). Runs without recording.
 * @example new gl.explain.Occlusion(model).attribute(x, { slidingWindowShapes: [1, 4, 4], strides: 2, target: 3 })
 */
export class Occlusion {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Flatten(), new gl.nn.Linear(64, 3));
   * const x = gl.rand([2, 1, 8, 8]);
   * new gl.explain.Occlusion(model).attribute(x, { slidingWindowShapes: [1, 4, 4], strides: 4, target: 0 }).shape; // [2, 1, 8, 8]
   */
  attribute<I extends Inputs>(inputs: I, opts: OcclusionOptions): Attr<I> {
    const { xs, wrap } = asTuple(inputs);
    const B = xs[0].shape[0];
    const shapes = (
      Array.isArray(opts.slidingWindowShapes[0]) ? opts.slidingWindowShapes : [opts.slidingWindowShapes]
    ) as number[][];
    if (shapes.length !== xs.length)
      throw new ExplainError(`Occlusion: ${shapes.length} window shapes for ${xs.length} inputs`);
    const strideList = xs.map((x, i) => {
      const s =
        opts.strides === undefined
          ? 1
          : xs.length > 1 && Array.isArray(opts.strides)
            ? (opts.strides as never[])[i]
            : opts.strides;
      const per = typeof s === 'number' ? x.shape.slice(1).map(() => s) : [...(s as number[])];
      if (per.length !== x.ndim - 1 || !per.every((v) => Number.isInteger(v) && v >= 1))
        throw new ArgumentError(
          `Occlusion: strides for input ${i} must be ${x.ndim - 1} positive integers, got ${JSON.stringify(s)}`,
        );
      return per;
    });
    const bases = baselinesFor(xs, opts.baselines);
    const idx = targetIndices(opts.target, B);
    const result = xs.map((x, i) => {
      const feat = x.shape.slice(1);
      const win = shapes[i];
      if (win.length !== feat.length || win.some((w, d) => !Number.isInteger(w) || w < 1 || w > feat[d]))
        throw new ShapeError(
          `Occlusion: window ${JSON.stringify(win)} does not fit input ${i}'s features ${fmtShape(feat)}`,
        );
      const counts = feat.map((n, d) => Math.floor((n - win[d]) / strideList[i][d]) + 1);
      const positions: number[][] = [[]];
      for (const c of counts)
        positions.splice(
          0,
          positions.length,
          ...positions.flatMap((p) => Array.from({ length: c }, (_, k) => [...p, k])),
        );
      const size = feat.reduce((a, b) => a * b, 1);
      const masks: Float64Array[] = positions.map((p) => {
        const m = new Float64Array(size);
        const strides = feat.map((_, d) => feat.slice(d + 1).reduce((a, b) => a * b, 1));
        const rec = (d: number, off: number) => {
          if (d === feat.length) return void (m[off] = 1);
          const lo = p[d] * strideList[i][d];
          for (let k = lo; k < lo + win[d]; k++) rec(d + 1, off + k * strides[d]);
        };
        rec(0, 0);
        return m;
      });
      const maskTensors = masks.map((m) => tensor(m, { dtype: x.dtype, shape: [1, ...feat] }));
      const all = xs.map(() => null as Tensor | null);
      const perturbed = perturbedScores(
        this.forward,
        xs,
        bases,
        maskTensors.map((m) => all.map((_, k) => (k === i ? m : null))),
        idx,
        opts.additionalForwardArgs,
        positiveInt(opts.perturbationsPerEval, 1, 'Occlusion: perturbationsPerEval'),
      );
      return noGrad(() => {
        const base = selectTarget(callForward(this.forward, xs, opts.additionalForwardArgs ?? []), idx);
        let total = x.mul(0);
        const cover = new Float64Array(size);
        perturbed.forEach((s, j) => {
          total = total.add(maskTensors[j].mul(base.sub(s).reshape([B, ...feat.map(() => 1)])));
          masks[j].forEach((v, k) => (cover[k] += v));
        });
        const inv = tensor(
          Array.from(cover, (c) => (c > 0 ? 1 / c : 0)),
          { dtype: x.dtype, shape: [1, ...feat] },
        );
        return total.mul(inv);
      });
    });
    return wrap(result);
  }
}

/** Options of FeatureAblation.attribute. */
export interface FeatureAblationOptions extends CommonOptions {
  /** Replacement values (default 0). */
  baselines?: Baseline | readonly Baseline[];
  /**
   * Integer group ids per input, broadcastable to it (e.g. [1, ...features]); features sharing an id
   * are ablated together (ids are counted across inputs). Default: every scalar its own group.
   */
  featureMask?: Tensor | readonly Tensor[];
  /** Perturbed copies of the batch per forward (default 1). */
  perturbationsPerEval?: number;
}

/**
 * FeatureAblation, Captum's: each group of features (by `featureMask`) is replaced by the baseline at
 * once, and every feature of the group gets f(x) − f(ablated).
 * @example new gl.explain.FeatureAblation(model).attribute(x, { featureMask: segments, target: 0 })
 */
export class FeatureAblation {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }
  /**
   * Attributions of the same shape as the inputs.
   * @example
   * const model = new gl.nn.Linear(4, 3);
   * const featureMask = gl.tensor([[0, 0, 1, 1]], { dtype: 'int32' }); // two groups of two features
   * new gl.explain.FeatureAblation(model).attribute(gl.randn([2, 4]), { featureMask, target: 0 }).shape; // [2, 4]
   */
  attribute<I extends Inputs>(inputs: I, opts: FeatureAblationOptions = {}): Attr<I> {
    const { xs, wrap } = asTuple(inputs);
    const B = xs[0].shape[0];
    const bases = baselinesFor(xs, opts.baselines);
    const idx = targetIndices(opts.target, B);
    const given =
      opts.featureMask === undefined
        ? null
        : opts.featureMask instanceof Tensor
          ? [opts.featureMask]
          : [...opts.featureMask];
    if (given && given.length !== xs.length)
      throw new ExplainError(`FeatureAblation: ${given.length} feature masks for ${xs.length} inputs`);
    let offset = 0;
    const ids = xs.map((x, i) => {
      const shape = [1, ...x.shape.slice(1)];
      if (!given) {
        const n = shape.reduce((a, b) => a * b, 1);
        const a = Array.from({ length: n }, (_, k) => offset + k);
        offset += n;
        return { shape, data: a };
      }
      const m = given[i];
      if (m.dtype !== 'int32')
        throw new ArgumentError(`FeatureAblation: featureMask must be int32, got ${m.dtype}`);
      let e: Tensor;
      try {
        e = m.ndim === x.ndim && m.shape[0] === B && B > 1 ? m : m.expand(shape);
      } catch {
        throw new ShapeError(
          `FeatureAblation: featureMask ${fmtShape(m.shape)} does not broadcast to ${fmtShape(shape)}`,
        );
      }
      return { shape: e.shape as number[], data: Array.from(e.contiguous().dataSync(), Number) };
    });
    const groups = [...new Set(ids.flatMap((d) => d.data))].sort((a, b) => a - b);
    const masks = groups.map((gid) =>
      ids.map((d, i) => {
        if (!d.data.includes(gid)) return null;
        return tensor(
          d.data.map((v) => (v === gid ? 1 : 0)),
          { dtype: xs[i].dtype, shape: d.shape },
        );
      }),
    );
    const perturbed = perturbedScores(
      this.forward,
      xs,
      bases,
      masks,
      idx,
      opts.additionalForwardArgs,
      positiveInt(opts.perturbationsPerEval, 1, 'FeatureAblation: perturbationsPerEval'),
    );
    return wrap(
      noGrad(() => {
        const base = selectTarget(callForward(this.forward, xs, opts.additionalForwardArgs ?? []), idx);
        return xs.map((x, i) => {
          let total = x.mul(0);
          perturbed.forEach((s, j) => {
            const m = masks[j][i];
            if (m) total = total.add(m.mul(base.sub(s).reshape([B, ...x.shape.slice(1).map(() => 1)])));
          });
          return total;
        });
      }),
    );
  }
}
