// Robust aggregation of per-example (or per-group) gradients held in a tensor [m, ...]: median of means (M3) and winsorised means, on the tensor's backend.
import { ArgumentError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { clamp, maximum, minimum } from '../../ops/elementwise.js';
import { stack } from '../../ops/shape.js';
import { quantile } from '../../ops/sort.js';

function rows(who: string, g: Tensor): number {
  if (g.ndim < 1 || g.shape[0] === 0)
    throw new ArgumentError(
      `${who}: expected a tensor [m, ...] with m ≥ 1 gradients, got shape [${g.shape}]`,
    );
  return g.shape[0];
}

/**
 * Median of means of the rows of `g` ([m, ...], one per-example or per-group gradient per row): the rows are
 * split into `groups` contiguous groups exactly as `medianOfMeans` splits them, averaged within each group, and
 * the element-wise median (linear interpolation, as `medianOfMeans`) of the group means is returned, shaped
 * like one row. Runs on the tensor's backend; equal to `medianOfMeans` on the flattened rows.
 * @example
 * const perExampleGrads = gl.randn([6, 4, 3]); // 6 examples' gradients of a [4, 3] weight
 * gl.lab.coherence.medianOfMeansTensor(perExampleGrads, 3); // [4, 3]
 */
export function medianOfMeansTensor(g: Tensor, groups = 3): Tensor {
  const m = rows('medianOfMeansTensor', g);
  if (!Number.isInteger(groups) || groups < 1 || groups > m)
    throw new ArgumentError(
      `medianOfMeansTensor: groups must be an integer in [1, ${m}] (the number of rows), got ${groups}`,
    );
  const means: Tensor[] = [];
  for (let k = 0; k < groups; k++) {
    const a = Math.floor((k * m) / groups);
    const b = Math.floor(((k + 1) * m) / groups);
    means.push(g.narrow(0, a, b - a).mean(0));
  }
  if (groups === 1) return means[0];
  if (groups === 2) return means[0].add(means[1]).mul(0.5);
  if (groups === 3) {
    // the median of three by min/max (exact; avoids a sort of every coordinate's lane)
    const [a, b, c] = means;
    return maximum(minimum(a, b), minimum(maximum(a, b), c));
  }
  return quantile(stack(means, 0), 0.5, { dim: 0 });
}

/**
 * Winsorised mean of the rows of `g` ([m, ...]): element-wise, the values are clipped to their `c`-th and
 * (1 − c)-th quantiles over the rows (linear interpolation) before averaging; shaped like one row. Runs on the
 * tensor's backend; equal to `winsorizedMean` on the flattened rows.
 * @example
 * const perExampleGrads = gl.randn([10, 4, 3]); // 10 examples' gradients of a [4, 3] weight
 * gl.lab.coherence.winsorizedMeanTensor(perExampleGrads, 0.1); // [4, 3]
 */
export function winsorizedMeanTensor(g: Tensor, c: number): Tensor {
  rows('winsorizedMeanTensor', g);
  if (!(c >= 0 && c < 0.5)) throw new ArgumentError(`winsorizedMeanTensor: c must be in [0, 0.5), got ${c}`);
  const q = quantile(g, [c, 1 - c], { dim: 0 }); // [2, ...]
  return clamp(g, q.narrow(0, 0, 1), q.narrow(0, 1, 1)).mean(0);
}
