// Integrated gradients (Sundararajan et al.) with Captum's step rules, internal batching and convergence delta.
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { cat } from '../../ops/shape.js';
import {
  asTuple,
  baselinesFor,
  callForward,
  expandExtra,
  gradOfTarget,
  positiveInt,
  selectTarget,
  sumPerExample,
  targetIndices,
  targetRows,
  type Attr,
  type Baseline,
  type CommonOptions,
  type ForwardFn,
  type Inputs,
  type WithDelta,
} from './common.js';

/** Captum's approximation methods of the path integral. */
export type IntegrationMethod =
  'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid' | 'gausslegendre';

/** Options of IntegratedGradients.attribute. */
export interface IntegratedGradientsOptions extends CommonOptions {
  /** Baseline per input (default 0). */
  baselines?: Baseline | readonly Baseline[];
  /** Number of points on the path (default 50). */
  nSteps?: number;
  /** How the points and weights are chosen (default 'gausslegendre', as Captum). */
  method?: IntegrationMethod;
  /** At most this many scaled examples per forward (default: all nSteps × B at once). */
  internalBatchSize?: number;
  /** Multiply the path-averaged gradient by (x - baseline) (default true; false gives the averaged gradient). */
  multiplyByInputs?: boolean;
  /** Also return the completeness gap per example. */
  returnConvergenceDelta?: boolean;
}

/**
 * Gauss–Legendre nodes on [-1, 1] (ascending) and weights, by Newton's method on P_n.
 * @example const { nodes, weights } = gl.explain.gaussLegendre(3); // nodes ±√(3/5) and 0; weights 5/9, 8/9, 5/9
 */
export function gaussLegendre(n: number): {
  /** Nodes in (-1, 1), ascending. */
  nodes: number[];
  /** Their weights (summing to 2). */
  weights: number[];
} {
  const nodes = new Array<number>(n);
  const weights = new Array<number>(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      pp = (n * (z * p1 - p2)) / (z * z - 1);
      const dz = p1 / pp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    const w = 2 / ((1 - z * z) * pp * pp);
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}

/**
 * Path points α_k in [0, 1] and weights w_k of Captum's method for n steps.
 * @example const { alphas, weights } = gl.explain.pathSteps('riemann_trapezoid', 5); // α = 0, 0.25, ..., 1
 */
export function pathSteps(
  method: IntegrationMethod,
  n: number,
): {
  /** Points of the path in [0, 1]. */
  alphas: number[];
  /** Their weights (summing to 1). */
  weights: number[];
} {
  const lin = (a: number, b: number) =>
    Array.from({ length: n }, (_, k) => (n === 1 ? a : a + ((b - a) * k) / (n - 1)));
  switch (method) {
    case 'riemann_left':
      return { alphas: lin(0, 1 - 1 / n), weights: new Array<number>(n).fill(1 / n) };
    case 'riemann_right':
      return { alphas: lin(1 / n, 1), weights: new Array<number>(n).fill(1 / n) };
    case 'riemann_middle':
      return { alphas: lin(1 / (2 * n), 1 - 1 / (2 * n)), weights: new Array<number>(n).fill(1 / n) };
    case 'riemann_trapezoid': {
      if (n < 2) throw new ArgumentError(`riemann_trapezoid needs nSteps >= 2, got ${n}`);
      const w = Array.from({ length: n }, (_, k) =>
        k === 0 || k === n - 1 ? 1 / (2 * (n - 1)) : 1 / (n - 1),
      );
      return { alphas: lin(0, 1), weights: w };
    }
    case 'gausslegendre': {
      const { nodes, weights } = gaussLegendre(n);
      return { alphas: nodes.map((x) => (x + 1) / 2), weights: weights.map((w) => w / 2) };
    }
    default:
      throw new ArgumentError(
        `IntegratedGradients: method must be riemann_left|riemann_right|riemann_middle|riemann_trapezoid|gausslegendre, got ${JSON.stringify(method)}`,
      );
  }
}

/**
 * Integrated gradients: (x − x′) ⊙ Σ_k w_k ∂f(x′ + α_k (x − x′))/∂x, Captum's `IntegratedGradients`.
 * The scaled inputs of all steps run as one batch (steps outer, examples inner), split into chunks of
 * `internalBatchSize` rows; the result does not depend on the chunking.
 * @example
 * const ig = new gl.explain.IntegratedGradients(model);
 * const { attributions, delta } = ig.attribute(x, { target: 3, nSteps: 64, returnConvergenceDelta: true });
 */
export class IntegratedGradients {
  /** The model or function explained. */
  readonly forward: ForwardFn;
  constructor(forward: ForwardFn) {
    this.forward = forward;
  }

  /**
   * Attributions of the same shape as the inputs, with the completeness gap when asked.
   * @example
   * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.Tanh(), new gl.nn.Linear(8, 3));
   * const ig = new gl.explain.IntegratedGradients(model);
   * const { attributions, delta } = ig.attribute(gl.randn([2, 4]), { target: 0, nSteps: 32, returnConvergenceDelta: true });
   */
  attribute<I extends Inputs>(
    inputs: I,
    opts: IntegratedGradientsOptions & { returnConvergenceDelta: true },
  ): WithDelta<I>;
  attribute<I extends Inputs>(inputs: I, opts?: IntegratedGradientsOptions): Attr<I>;
  attribute<I extends Inputs>(inputs: I, opts: IntegratedGradientsOptions = {}): Attr<I> | WithDelta<I> {
    const { xs, wrap } = asTuple(inputs);
    const B = xs[0].shape[0];
    const n = positiveInt(opts.nSteps, 50, 'IntegratedGradients: nSteps');
    const { alphas, weights } = pathSteps(opts.method ?? 'gausslegendre', n);
    const bases = baselinesFor(xs, opts.baselines);
    const idx = targetIndices(opts.target, B);
    const chunk = positiveInt(opts.internalBatchSize, n * B, 'IntegratedGradients: internalBatchSize');
    const diffs = noGrad(() => xs.map((x, i) => x.sub(bases[i])));
    // rows of the expanded batch: row r = step floor(r / B), example r % B
    const total = xs.map((x) => noGrad(() => x.mul(0)));
    for (let start = 0; start < n * B; start += chunk) {
      const end = Math.min(n * B, start + chunk);
      const rows = Array.from({ length: end - start }, (_, k) => start + k);
      const scaled = noGrad(() =>
        xs.map((_, i) =>
          cat(
            groups(rows, B).map(({ step, from, to }) =>
              bases[i].narrow(0, from, to - from).add(diffs[i].narrow(0, from, to - from).mul(alphas[step])),
            ),
            0,
          ),
        ),
      );
      const rowIdx = targetRows(idx, B, rows);
      const extra = chunkExtra(opts.additionalForwardArgs, B, rows);
      const { grads } = gradOfTarget(this.forward, scaled, rowIdx, extra);
      noGrad(() => {
        let at = 0;
        for (const { step, from, to } of groups(rows, B)) {
          for (let i = 0; i < xs.length; i++) {
            const part = grads[i].narrow(0, at, to - from).mul(weights[step]);
            const padded = total[i].narrow(0, from, to - from).add(part);
            total[i] = replaceRows(total[i], from, to, padded);
          }
          at += to - from;
        }
      });
    }
    const attributions = noGrad(() =>
      opts.multiplyByInputs === false ? total : total.map((t, i) => t.mul(diffs[i])),
    );
    if (!opts.returnConvergenceDelta) return wrap(attributions);
    const delta = noGrad(() => {
      const fx = selectTarget(callForward(this.forward, xs, opts.additionalForwardArgs ?? []), idx);
      const fb = selectTarget(callForward(this.forward, bases, opts.additionalForwardArgs ?? []), idx);
      return sumPerExample(attributions).sub(fx.sub(fb));
    });
    return { attributions: wrap(attributions), delta };
  }
}

/** Consecutive runs of rows within one step: { step, from, to } with example indices [from, to). */
function groups(rows: number[], B: number): { step: number; from: number; to: number }[] {
  const out: { step: number; from: number; to: number }[] = [];
  for (const r of rows) {
    const step = Math.floor(r / B);
    const e = r % B;
    const last = out[out.length - 1];
    if (last && last.step === step && last.to === e) last.to = e + 1;
    else out.push({ step, from: e, to: e + 1 });
  }
  return out;
}

/** `t` with rows [from, to) replaced by `rows`. */
function replaceRows(t: Tensor, from: number, to: number, rows: Tensor): Tensor {
  const parts: Tensor[] = [];
  if (from > 0) parts.push(t.narrow(0, 0, from));
  parts.push(rows);
  if (to < t.shape[0]) parts.push(t.narrow(0, to, t.shape[0] - to));
  return parts.length === 1 ? parts[0] : cat(parts, 0);
}

/** Additional forward arguments for the chunk's rows (batch tensors gathered row by row). */
function chunkExtra(extra: readonly unknown[] | undefined, B: number, rows: number[]): unknown[] {
  if (!extra) return [];
  const all = expandExtra(extra, B, 1);
  return all.map((a) => {
    if (!(a && typeof a === 'object' && 'shape' in a)) return a;
    const t = a as Tensor;
    if (t.ndim === 0 || t.shape[0] !== B) return t;
    return cat(
      groups(rows, B).map(({ from, to }) => t.narrow(0, from, to - from)),
      0,
    );
  });
}
