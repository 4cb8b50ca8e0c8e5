// PGD (Madry et al. 2018) in L∞ and L2 with torchattacks' semantics; BIM is PGD without the random start.
import { defaultGenerator, type Generator } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { rand, randn } from '../../ops/creation.js';
import { div } from '../../ops/elementwise.js';
import { crossEntropy } from '../../ops/losses.js';
import { AttackOptionError } from './errors.js';
import type { ClampRange } from './fgsm.js';
import {
  attackForward,
  inputGradient,
  nonNegative,
  positiveInt,
  withEvalMode,
  type AttackModel,
  type CommonAttackOptions,
} from './model.js';
import { resolveTargets, type TargetOptions } from './targets.js';

/** The norms PGD projects onto. */
export type PgdNorm = 'inf' | '2';

/** Options of `pgd` (and `bim`). */
export interface PgdOptions extends CommonAttackOptions, TargetOptions {
  /** Radius of the ball (default 8/255 for L∞, 1.0 for L2: torchattacks' PGD and PGDL2 defaults). */
  eps?: number;
  /** Step size (default 2/255 for L∞, 0.2 for L2). */
  alpha?: number;
  /** Iterations (default 10). */
  steps?: number;
  /** Start from a random point of the ball (default true; `bim` is PGD with false). */
  randomStart?: boolean;
  /** 'inf' (signed-gradient steps, default) or '2' (normalised-gradient steps). */
  norm?: PgdNorm;
  /** The stream of the random start (default gl.defaultGenerator; also the one of `target: 'random'`). */
  generator?: Generator;
  /** The range adversarial inputs are clamped to (default { min: 0, max: 1 }). */
  clamp?: ClampRange;
}

/** Per-example L2 norms of a batch as [N, 1, 1, ...] (broadcastable against it). */
function rowNorms(t: Tensor): Tensor {
  const n = t.shape[0];
  return t
    .reshape([n, -1])
    .norm(2, 1)
    .reshape([n, ...t.shape.slice(1).map(() => 1)]);
}

/**
 * Projected gradient descent on the cross-entropy (ascent; descent toward a target when `target` is given):
 * L∞: `x ← Π(x + α · sign(g))`; L2: `x ← Π(x + α · g / ‖g‖₂)`; Π projects onto the ε-ball around the clean
 * input and clamps to the valid range, exactly as torchattacks' PGD and PGDL2 (random start: uniform in the
 * L∞ ball, or a Gaussian direction scaled to a uniform radius in the L2 ball).
 * @example
 * const xAdv = gl.attacks.pgd(model, x, y, { eps: 0.1, alpha: 0.01, steps: 20, generator: new gl.Generator(0) });
 */
export function pgd(model: AttackModel, x: Tensor, y: Tensor, opts: PgdOptions = {}): Tensor {
  const op = opts.randomStart === false ? 'pgd (bim)' : 'pgd';
  const norm = opts.norm ?? 'inf';
  if (norm !== 'inf' && norm !== '2')
    throw new AttackOptionError(`${op}: norm must be 'inf' or '2', got ${JSON.stringify(norm)}`);
  const l2 = norm === '2';
  const eps = nonNegative(op, 'eps', opts.eps ?? (l2 ? 1 : 8 / 255));
  const alpha = nonNegative(op, 'alpha', opts.alpha ?? (l2 ? 0.2 : 2 / 255));
  const steps = positiveInt(op, 'steps', opts.steps ?? 10);
  const range = opts.clamp ?? { min: 0, max: 1 };
  const generator = opts.generator ?? defaultGenerator;
  const f = attackForward(op, model, x, y, opts);
  const target = resolveTargets(op, model, f, x, y, opts.target, generator);
  const sign = target ? -1 : 1;
  const labels = target ?? y;
  const x0 = x.detach();
  return withEvalMode(model, () => {
    let adv = x0;
    if (opts.randomStart !== false)
      adv = noGrad(() => {
        if (!l2)
          return x0
            .add(
              rand(x0.shape, { dtype: x0.dtype, generator })
                .mul(2 * eps)
                .sub(eps),
            )
            .clamp(range.min, range.max);
        const d = randn(x0.shape, { dtype: x0.dtype, generator });
        const r = rand([x0.shape[0]], { dtype: x0.dtype, generator }).reshape(rowNorms(d).shape);
        return x0.add(d.mul(r.div(rowNorms(d)).mul(eps))).clamp(range.min, range.max);
      });
    for (let s = 0; s < steps; s++) {
      const g = inputGradient(f, adv, (z) => crossEntropy(z, labels));
      const next = noGrad(() => {
        let a: Tensor;
        let delta: Tensor;
        if (l2) {
          a = adv.add(g.div(rowNorms(g).add(1e-10)).mul(sign * alpha));
          delta = a.sub(x0);
          const factor = div(eps, rowNorms(delta)).clamp(null, 1);
          delta = delta.mul(factor);
        } else {
          a = adv.add(g.sign().mul(sign * alpha));
          delta = a.sub(x0).clamp(-eps, eps);
        }
        return x0.add(delta).clamp(range.min, range.max);
      });
      if (adv !== x0) adv.dispose();
      g.dispose();
      adv = next;
    }
    return adv === x0 ? x0.clone() : adv;
  });
}

/**
 * The basic iterative method (Kurakin et al.): `pgd` without the random start.
 * @example const xAdv = gl.attacks.bim(model, x, y, { eps: 0.1, alpha: 0.01, steps: 10 });
 */
export function bim(
  model: AttackModel,
  x: Tensor,
  y: Tensor,
  opts: Omit<PgdOptions, 'randomStart'> = {},
): Tensor {
  return pgd(model, x, y, { ...opts, randomStart: false });
}
