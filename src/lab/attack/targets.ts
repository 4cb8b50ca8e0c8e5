// Targeted modes of the attacks: a given target per example, a random wrong class, or the least-likely class (torchattacks' three).
import type { Generator } from '../../core/random/generator.js';
import { defaultGenerator, sampleHost } from '../../core/random/generator.js';
import { noGrad } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { argmin } from '../../ops/reduce.js';
import { tensor } from '../../ops/tensor-like.js';
import { AttackOptionError } from './errors.js';
import { checkLabels, withEvalMode, type AttackForward, type AttackModel } from './model.js';

/**
 * What a targeted attack aims at: int32 target classes [N], `'random'` (a uniformly drawn class other than the
 * true one, from `generator`) or `'leastLikely'` (the class of the smallest clean logit), as torchattacks'
 * `set_mode_targeted_by_function`, `set_mode_targeted_random` and `set_mode_targeted_least_likely`.
 */
export type TargetSpec = Tensor | 'random' | 'leastLikely';

/** Options of the attacks that have a targeted mode. */
export interface TargetOptions {
  /** Attack toward these classes instead of away from the true labels (default: untargeted). */
  target?: TargetSpec;
  /** The random stream of `target: 'random'` (default gl.defaultGenerator). */
  generator?: Generator;
}

/**
 * The target classes of a targeted attack, or null for an untargeted one.
 * @example const t = gl.attacks.resolveTargets(model, x, y, 'leastLikely');
 */
export function resolveTargets(
  op: string,
  model: AttackModel,
  f: AttackForward,
  x: Tensor,
  y: Tensor,
  spec: TargetSpec | undefined,
  generator: Generator = defaultGenerator,
): Tensor | null {
  if (spec === undefined) return null;
  const n = x.shape[0];
  if (spec instanceof Tensor) {
    checkLabels(op, spec, n, f.classes, 'target labels');
    return spec;
  }
  if (spec === 'leastLikely') return withEvalMode(model, () => noGrad(() => argmin(f(x), 1)));
  if (spec === 'random') {
    const c = f.classes;
    if (c < 2) throw new AttackOptionError(`${op}: target 'random' needs at least 2 classes, got ${c}`);
    // a uniform draw among the c - 1 wrong classes: (y + 1 + floor(u (c - 1))) mod c
    const u = sampleHost(generator, n, 'uniform');
    const labels = y.dataSync();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = (labels[i] + 1 + Math.min(c - 2, Math.floor(u[i] * (c - 1)))) % c;
    return tensor(out, { dtype: 'int32' });
  }
  throw new AttackOptionError(
    `${op}: target must be int32 labels, 'random' or 'leastLikely', got ${JSON.stringify(spec)}`,
  );
}
