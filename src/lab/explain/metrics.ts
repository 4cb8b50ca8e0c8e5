// Attribution metrics and sanity checks: infidelity, sensitivityMax, completeness, model randomisation, Spearman rank correlation.
import { ArgumentError } from '../../core/errors.js';
import type { Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { rand } from '../../ops/creation.js';
import type { Module } from '../../nn/module.js';
import {
  asTuple,
  baselinesFor,
  callForward,
  positiveInt,
  selectTarget,
  sumPerExample,
  targetIndices,
  type Baseline,
  type CommonOptions,
  type ForwardFn,
  type Inputs,
} from './common.js';

/** Options of infidelity. */
export interface InfidelityOptions extends CommonOptions {
  /** Perturbations per example (default 10). */
  nPerturbSamples?: number;
  /** Scale the attributions by the least-squares optimal β first (Captum's `normalize`; default false). */
  normalize?: boolean;
}

/**
 * Infidelity (Yeh et al.), Captum's: E_I[(Iᵀ attr − (f(x) − f(x − I)))²] per example, with
 * `perturb(xs)` returning the perturbations I (one per input, the inputs' shapes).
 * @example const inf = gl.explain.infidelity(model, (xs) => xs.map((x) => gl.randn(x.shape).mul(0.1)), x, attr, { target: 3 });
 */
export function infidelity(
  forward: ForwardFn,
  perturb: (xs: Tensor[]) => Tensor[],
  inputs: Inputs,
  attributions: Inputs,
  opts: InfidelityOptions = {},
): Tensor {
  const { xs } = asTuple(inputs);
  const { xs: attrs } = asTuple(attributions);
  const n = positiveInt(opts.nPerturbSamples, 10, 'infidelity: nPerturbSamples');
  const idx = targetIndices(opts.target, xs[0].shape[0]);
  const extra = opts.additionalForwardArgs ?? [];
  return noGrad(() => {
    const fx = selectTarget(callForward(forward, xs, extra), idx);
    const dots: Tensor[] = [];
    const dfs: Tensor[] = [];
    for (let k = 0; k < n; k++) {
      const I = perturb(xs);
      if (I.length !== xs.length)
        throw new ArgumentError(`infidelity: perturb returned ${I.length} tensors for ${xs.length} inputs`);
      dots.push(sumPerExample(I.map((p, i) => p.mul(attrs[i]))));
      dfs.push(
        fx.sub(
          selectTarget(
            callForward(
              forward,
              xs.map((x, i) => x.sub(I[i])),
              extra,
            ),
            idx,
          ),
        ),
      );
    }
    let beta: Tensor | number = 1;
    if (opts.normalize) {
      let num = dots[0].mul(0);
      let den = dots[0].mul(0);
      dots.forEach((d, k) => {
        num = num.add(d.mul(dfs[k]));
        den = den.add(d.mul(d));
      });
      beta = num.div(den.add(den.eq(0).to(den.dtype)));
    }
    let acc = dots[0].mul(0);
    dots.forEach((d, k) => {
      const e = d.mul(beta).sub(dfs[k]);
      acc = acc.add(e.mul(e));
    });
    return acc.div(n);
  });
}

/** Options of sensitivityMax. */
export interface SensitivityOptions {
  /** Half-width of the uniform perturbation (default 0.02, Captum's). */
  perturbRadius?: number;
  /** Perturbed copies (default 10). */
  nPerturbSamples?: number;
  /** The random stream (default: the global generator). */
  generator?: Generator;
}

/**
 * Max-sensitivity (Yeh et al.), Captum's `sensitivity_max`: max over uniform perturbations |δ| ≤ r of
 * ‖expl(x + δ) − expl(x)‖ / ‖expl(x)‖, per example.
 * @example const s = gl.explain.sensitivityMax((xs) => [sal.attribute(xs[0], { target: 3 })], [x]);
 */
export function sensitivityMax(
  explain: (xs: Tensor[]) => Tensor[],
  inputs: Inputs,
  opts: SensitivityOptions = {},
): Tensor {
  const { xs } = asTuple(inputs);
  const r = opts.perturbRadius ?? 0.02;
  const n = positiveInt(opts.nPerturbSamples, 10, 'sensitivityMax: nPerturbSamples');
  const base = explain(xs);
  const norm = (ts: Tensor[]) => sumPerExample(ts.map((t) => t.mul(t))).sqrt();
  const baseNorm = noGrad(() => norm(base));
  let best: Tensor | null = null;
  for (let k = 0; k < n; k++) {
    const noisy = noGrad(() =>
      xs.map((x) =>
        x.add(
          rand(x.shape, { dtype: x.dtype, generator: opts.generator })
            .mul(2 * r)
            .sub(r),
        ),
      ),
    );
    const e = explain(noisy);
    const s = noGrad(() => norm(e.map((t, i) => t.sub(base[i]))).div(baseNorm));
    best = best ? noGrad(() => best!.maximum(s)) : s;
  }
  return best!;
}

/**
 * The completeness gap per example: Σ attributions − (f(x) − f(baseline)) (zero for exact IG/DeepLift).
 * @example const gap = gl.explain.completenessGap(model, x, attr, { target: 3 });
 */
export function completenessGap(
  forward: ForwardFn,
  inputs: Inputs,
  attributions: Inputs,
  opts: CommonOptions & { baselines?: Baseline | readonly Baseline[] } = {},
): Tensor {
  const { xs } = asTuple(inputs);
  const { xs: attrs } = asTuple(attributions);
  const idx = targetIndices(opts.target, xs[0].shape[0]);
  const extra = opts.additionalForwardArgs ?? [];
  return noGrad(() => {
    const fx = selectTarget(callForward(forward, xs, extra), idx);
    const fb = selectTarget(callForward(forward, baselinesFor(xs, opts.baselines), extra), idx);
    return sumPerExample(attrs).sub(fx.sub(fb));
  });
}

/** Ranks (average ranks for ties), 1-based. */
function ranks(v: ArrayLike<number>): number[] {
  const order = Array.from(v, (x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/**
 * Pearson correlation of two equal-length arrays (0 when either is constant).
 * @example gl.explain.pearson([1, 2, 3], [2, 4, 7]); // 0.99
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ArgumentError(`pearson: lengths ${a.length} and ${b.length} differ`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/**
 * Spearman rank correlation of two equal-length arrays.
 * @example gl.explain.spearman([1, 2, 3], [10, 30, 20]) // 0.5
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/**
 * Adebayo et al.'s model-randomisation sanity check: the Spearman correlation, per example, of
 * |attributions| of the trained model and of the same model with every parameter re-drawn uniformly
 * in ±(its tensor's max |value|). The parameters are restored afterwards. A method whose maps do not
 * change (correlation near 1) does not depend on what the model learned.
 * @example const rho = gl.explain.modelRandomisationCheck(model, () => ig.attribute(x, { target: 3 }) as gl.Tensor);
 */
export function modelRandomisationCheck(
  model: Module,
  attribute: () => Tensor,
  opts: { generator?: Generator } = {},
): number[] {
  const params = model.parameters();
  const trained = attribute();
  const snapshot = noGrad(() => params.map((p) => p.clone()));
  try {
    noGrad(() =>
      params.forEach((p) => {
        const s = p.abs().amax().item() || 1;
        p.copy_(
          rand(p.shape, { dtype: p.dtype, generator: opts.generator })
            .mul(2 * s)
            .sub(s),
        );
      }),
    );
    const random = attribute();
    const B = trained.shape[0];
    const a = trained.abs().reshape([B, -1]);
    const b = random.abs().reshape([B, -1]);
    return Array.from({ length: B }, (_, i) =>
      spearman(a.select(0, i).dataSync(), b.select(0, i).dataSync()),
    );
  } finally {
    noGrad(() => params.forEach((p, i) => p.copy_(snapshot[i])));
  }
}
