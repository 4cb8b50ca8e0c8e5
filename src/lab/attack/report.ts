// The robustness report: clean accuracy, robust accuracy per ε, perturbation norms and attack success rate of one attack.
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import type { Generator } from '../../core/random/generator.js';
import { apgd } from './apgd.js';
import { cw } from './cw.js';
import { deepfool } from './deepfool.js';
import { AttackOptionError } from './errors.js';
import { fgsm } from './fgsm.js';
import {
  attackForward,
  nonNegative,
  withEvalMode,
  type AttackModel,
  type CommonAttackOptions,
} from './model.js';
import { pgd } from './pgd.js';

/** The attacks the report and `gradlab attack` can run by name. */
export type AttackName = 'fgsm' | 'pgd' | 'bim' | 'pgd-l2' | 'apgd' | 'cw' | 'deepfool';

/** Settings a named attack takes besides ε (each attack ignores what it does not use). */
export interface NamedAttackSettings extends CommonAttackOptions {
  /** Iterations (default: 10; cw and deepfool 50). */
  steps?: number;
  /** Step size of pgd, bim and pgd-l2 (default ε / 4). */
  alpha?: number;
  /** The stream of random starts (pgd, pgd-l2, apgd). */
  generator?: Generator;
  /** cw's trade-off constant (default 1). */
  c?: number;
  /** cw's binary-search steps over c (default 1). */
  binarySearchSteps?: number;
}

/** How each named attack runs at radius ε (cw and deepfool are minimum-norm attacks: they ignore ε). */
export const ATTACKS: {
  readonly [K in AttackName]: (
    model: AttackModel,
    x: Tensor,
    y: Tensor,
    eps: number,
    s: NamedAttackSettings,
  ) => Tensor;
} = {
  fgsm: (m, x, y, eps, s) => fgsm(m, x, y, { eps, normalization: s.normalization }),
  pgd: (m, x, y, eps, s) =>
    pgd(m, x, y, {
      eps,
      alpha: s.alpha ?? eps / 4,
      steps: s.steps ?? 10,
      generator: s.generator,
      normalization: s.normalization,
    }),
  bim: (m, x, y, eps, s) =>
    pgd(m, x, y, {
      eps,
      alpha: s.alpha ?? eps / 4,
      steps: s.steps ?? 10,
      randomStart: false,
      normalization: s.normalization,
    }),
  'pgd-l2': (m, x, y, eps, s) =>
    pgd(m, x, y, {
      eps,
      norm: '2',
      alpha: s.alpha ?? eps / 4,
      steps: s.steps ?? 10,
      generator: s.generator,
      normalization: s.normalization,
    }),
  apgd: (m, x, y, eps, s) =>
    apgd(m, x, y, { eps, steps: s.steps ?? 10, generator: s.generator, normalization: s.normalization }),
  cw: (m, x, y, _eps, s) =>
    cw(m, x, y, {
      c: s.c ?? 1,
      steps: s.steps ?? 50,
      binarySearchSteps: s.binarySearchSteps ?? 1,
      normalization: s.normalization,
    }),
  deepfool: (m, x, y, _eps, s) => deepfool(m, x, y, { steps: s.steps ?? 50, normalization: s.normalization }),
};

/** The names of ATTACKS, in table order. */
export const ATTACK_NAMES = Object.keys(ATTACKS) as AttackName[];

/** One row of a robustness report: one attack radius. */
export interface RobustnessRow {
  /** The attack radius of this row. */
  eps: number;
  /** Accuracy on the adversarial inputs (over all examples). */
  robustAccuracy: number;
  /** Fraction of the correctly classified clean examples that the attack made misclassified. */
  successRate: number;
  /** Mean L2 norm of x_adv − x over the successful adversarial examples (NaN when none). */
  meanL2: number;
  /** Median L2 norm of x_adv − x over the successful adversarial examples (NaN when none). */
  medianL2: number;
  /** Mean L∞ norm of x_adv − x over the successful adversarial examples (NaN when none). */
  meanLinf: number;
  /** Median L∞ norm of x_adv − x over the successful adversarial examples (NaN when none). */
  medianLinf: number;
}

/** What `robustnessReport` returns. */
export interface RobustnessReport {
  /** The attack's name ('custom' for a function). */
  attack: string;
  /** Examples attacked. */
  examples: number;
  /** Accuracy on the clean inputs. */
  cleanAccuracy: number;
  /** One row per ε, in the order given. */
  rows: RobustnessRow[];
}

/** Options of `robustnessReport`. */
export interface RobustnessOptions extends NamedAttackSettings {
  /** The attack: a name of ATTACKS or a function `(model, x, y, eps) => xAdv` (default 'pgd'). */
  attack?: AttackName | ((model: AttackModel, x: Tensor, y: Tensor, eps: number) => Tensor);
  /** Radii to evaluate (default [8/255]). */
  eps?: readonly number[];
  /** Examples attacked per call (default 128). */
  batchSize?: number;
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

const meanOf = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

/** Host argmax of each row of logits. */
function predictions(z: Tensor): Int32Array {
  return noGrad(() => z.argmax(1).dataSync() as Int32Array);
}

/**
 * Attacks `x` at each ε and reports clean accuracy, robust accuracy, attack success rate (over the examples
 * classified correctly when clean) and the mean and median L2 / L∞ perturbation norms of the successful
 * adversarial examples.
 * @example
 * const r = gl.attacks.robustnessReport(model, x, y, { attack: 'pgd', eps: [0.05, 0.1], steps: 10 });
 * r.rows[0].robustAccuracy;
 */
export function robustnessReport(
  model: AttackModel,
  x: Tensor,
  y: Tensor,
  opts: RobustnessOptions = {},
): RobustnessReport {
  const op = 'robustnessReport';
  const attack = opts.attack ?? 'pgd';
  if (typeof attack === 'string' && !(attack in ATTACKS))
    throw new AttackOptionError(
      `${op}: unknown attack '${attack}'; expected one of ${ATTACK_NAMES.join(', ')}`,
    );
  const run =
    typeof attack === 'string'
      ? (m: AttackModel, xb: Tensor, yb: Tensor, e: number) => ATTACKS[attack](m, xb, yb, e, opts)
      : attack;
  const epsList = opts.eps ?? [8 / 255];
  if (epsList.length === 0) throw new AttackOptionError(`${op}: eps must list at least one radius`);
  for (const e of epsList) nonNegative(op, 'eps', e);
  const batch = opts.batchSize ?? 128;
  const f = attackForward(op, model, x, y, opts);
  const n = x.shape[0];
  const labels = y.dataSync();
  const D = x.numel / n;
  const clean = new Int32Array(n);
  for (let s = 0; s < n; s += batch) {
    const b = Math.min(batch, n - s);
    clean.set(
      withEvalMode(model, () => predictions(noGrad(() => f(x.narrow(0, s, b))))),
      s,
    );
  }
  const correct = Array.from(clean, (p, i) => p === labels[i]);
  const nCorrect = correct.filter(Boolean).length;
  const rows: RobustnessRow[] = epsList.map((eps) => {
    let robust = 0;
    let fooled = 0;
    const l2: number[] = [];
    const linf: number[] = [];
    for (let s = 0; s < n; s += batch) {
      const b = Math.min(batch, n - s);
      const xb = x.narrow(0, s, b).contiguous();
      const yb = y.narrow(0, s, b).contiguous();
      const adv = run(model, xb, yb, eps);
      const pred = withEvalMode(model, () => predictions(noGrad(() => f(adv))));
      const a = adv.dataSync();
      const c = xb.dataSync();
      for (let i = 0; i < b; i++) {
        const gi = s + i;
        if (pred[i] === labels[gi]) robust++;
        else if (correct[gi]) {
          fooled++;
          let n2 = 0;
          let ni = 0;
          for (let j = 0; j < D; j++) {
            const d = a[i * D + j] - c[i * D + j];
            n2 += d * d;
            ni = Math.max(ni, Math.abs(d));
          }
          l2.push(Math.sqrt(n2));
          linf.push(ni);
        }
      }
      adv.dispose();
    }
    return {
      eps,
      robustAccuracy: robust / n,
      successRate: nCorrect ? fooled / nCorrect : NaN,
      meanL2: meanOf(l2),
      medianL2: median(l2),
      meanLinf: meanOf(linf),
      medianLinf: median(linf),
    };
  });
  return {
    attack: typeof attack === 'string' ? attack : 'custom',
    examples: n,
    cleanAccuracy: nCorrect / n,
    rows,
  };
}
