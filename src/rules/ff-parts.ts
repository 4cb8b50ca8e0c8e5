// Forward-Forward's pieces: label overlay, negative labels, goodness, the per-layer loss and the normalisation between layers.
import { ArgumentError } from '../core/errors.js';
import { Generator, sampleHost } from '../core/random/generator.js';
import { tensor } from '../ops/tensor-like.js';
import type { Tensor } from '../core/tensor.js';
import { randint } from '../ops/creation.js';
import { add, cast, ge, mul, softplus, sqrt, sub, where, div } from '../ops/elementwise.js';
import { mean, sum } from '../ops/reduce.js';
import { cat, indexSelect, narrow, oneHot } from '../ops/shape.js';

/** How a layer's goodness is computed from its activities z [N, units]: `'sumsq'` Σ z², `'meansq'` mean z². */
export type Goodness = 'sumsq' | 'meansq';

/** How each layer's input is normalised (the next layer sees only the direction): `'rms'` z / (√mean z² + 1e-8), `'l2'` z / (‖z‖ + 1e-4). */
export type FFNorm = 'rms' | 'l2';

/**
 * `x` [N, F] with its first `classes` features replaced by the one-hot of `labels` [N] times `value`
 * (Hinton 2022's supervised FF); `labels = null` writes the neutral label `value / classes` in every slot.
 * @example
 * const x = gl.rand([2, 784]);
 * const xPos = gl.rules.overlayLabels(x, gl.tensor([3, 7], { dtype: 'int32' }), 10, 1); // features 0..9: one-hot of the label
 */
export function overlayLabels(x: Tensor, labels: Tensor | null, classes: number, value: number): Tensor {
  const n = x.shape[0];
  const rest = narrow(x, 1, classes, x.shape[1] - classes);
  const head =
    labels === null
      ? tensor(new Array(n * classes).fill(value / classes), { dtype: x.dtype }).reshape([n, classes])
      : mul(cast(oneHot(labels, classes), x.dtype), value);
  return cat([head, rest], 1);
}

/**
 * A strictly wrong label for every example: (y + r) mod C with r uniform in 1..C−1 (loeweX's negatives).
 * @example
 * const y = gl.tensor([0, 1, 2], { dtype: 'int32' });
 * gl.rules.wrongLabels(y, 10, new gl.Generator(0)); // a different class for each example
 */
export function wrongLabels(y: Tensor, classes: number, gen: Generator): Tensor {
  const r = randint(1, classes, [y.shape[0]], { generator: gen });
  const s = add(y, r);
  return where(ge(s, classes), sub(s, classes), s);
}

/**
 * The labels permuted across the batch (mpezeshki's pitfall: about 1/C of these "negatives" carry the true label).
 * @example gl.rules.permutedLabels(gl.tensor([0, 1, 2, 3], { dtype: 'int32' }), new gl.Generator(0)); // the same labels, shuffled
 */
export function permutedLabels(y: Tensor, gen: Generator): Tensor {
  const n = y.shape[0];
  const u = sampleHost(gen, n, 'uniform');
  const perm = Array.from({ length: n }, (_, i) => i).sort((a, b) => u[a] - u[b]);
  return indexSelect(y, 0, tensor(perm, { dtype: 'int32' }));
}

/**
 * Goodness per example ([N]) of activities z [N, units].
 * @example gl.rules.goodness(gl.tensor([[1, 2], [3, 0]]), 'sumsq'); // [5, 9]
 */
export function goodness(z: Tensor, kind: Goodness): Tensor {
  const sq = mul(z, z);
  return kind === 'sumsq' ? sum(sq, 1) : mean(sq, 1);
}

/**
 * FF's layer loss on goodness g [2N] (positives first, then negatives): the mean over the 2N examples of
 * softplus(θ − g⁺) and softplus(g⁻ − θ), i.e. binary cross-entropy with p(positive) = σ(g − θ).
 * @example
 * const g = gl.tensor([5, 4, 1, 0]); // goodness of 2 positives, then 2 negatives
 * gl.rules.ffLayerLoss(g, 2); // small: positives above θ = 2, negatives below
 */
export function ffLayerLoss(g: Tensor, theta: number): Tensor {
  const n = g.shape[0] / 2;
  const pos = narrow(g, 0, 0, n);
  const neg = narrow(g, 0, n, n);
  return mean(softplus(cat([sub(theta, pos), sub(neg, theta)], 0)));
}

/**
 * Length-normalises each row of z, as between FF layers.
 * @example gl.rules.normalizeRows(gl.tensor([[3, 4]]), 'l2'); // ≈ [[0.6, 0.8]]
 */
export function normalizeRows(z: Tensor, kind: FFNorm): Tensor {
  if (kind === 'l2') return div(z, add(sqrt(sum(mul(z, z), 1, true)), 1e-4));
  return div(z, add(sqrt(mean(mul(z, z), 1, true)), 1e-8));
}

/** Checks a finite positive number option. */
export function positive(rule: string, name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0))
    throw new ArgumentError(`${rule}: ${name} must be a number > 0, got ${v}`);
  return v;
}
