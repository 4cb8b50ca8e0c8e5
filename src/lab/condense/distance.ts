// The gradient-matching distance of DC/DCC: per output row 1 − cos between two gradients, summed over rows and layers.
import type { Tensor } from '../../core/tensor.js';
import { ShapeError, fmtShape } from '../../core/errors.js';
import { add, div, mul, sqrt, sub } from '../../ops/elementwise.js';
import { sum } from '../../ops/reduce.js';
import { reshape } from '../../ops/shape.js';
import { zeros } from '../../ops/creation.js';
import { CondenseOptionError } from './errors.js';

/**
 * D(a, b) of one layer, as DC's `distance_wb`: a gradient of rank ≥ 2 is read as rows of its first dim
 * (conv weights [out, in·kh·kw], linear weights [out, in]); the result is Σ_rows 1 − ⟨a_r, b_r⟩ / (‖a_r‖‖b_r‖ + 1e-6).
 * Rank-1 gradients (biases, norm scales) contribute 0. The norms are sqrt(Σ x² + 1e-30) so that an all-zero row
 * (a dead unit) has a zero, not NaN, derivative; the change to the value is below float64 rounding.
 * @example
 * const gSyn = gl.randn([4, 3]);
 * const gReal = gl.randn([4, 3]);
 * const d = gl.condense.layerDistance(gSyn, gReal); // scalar tensor
 */
export function layerDistance(a: Tensor, b: Tensor): Tensor {
  if (a.shape.join() !== b.shape.join())
    throw new ShapeError(
      `layerDistance: gradients of different shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  if (a.ndim < 2) return zeros([], { dtype: a.dtype });
  const rows = a.shape[0];
  const ar = reshape(a, [rows, -1]);
  const br = reshape(b, [rows, -1]);
  const dot = sum(mul(ar, br), 1);
  const na = sqrt(add(sum(mul(ar, ar), 1), 1e-30));
  const nb = sqrt(add(sum(mul(br, br), 1), 1e-30));
  return sum(sub(1, div(dot, add(mul(na, nb), 1e-6))));
}

/**
 * The matching distance between two lists of per-parameter gradients (same order and shapes): the sum of
 * layerDistance over the list (DC's and DCC's 'ours' distance).
 * @example
 * const gradsSyn = [gl.randn([4, 3]), gl.randn([4])];
 * const gradsReal = [gl.randn([4, 3]), gl.randn([4])];
 * const d = gl.condense.matchDistance(gradsSyn, gradsReal); // scalar tensor
 */
export function matchDistance(a: readonly Tensor[], b: readonly Tensor[]): Tensor {
  if (a.length !== b.length || a.length === 0)
    throw new CondenseOptionError(
      `matchDistance: expected two non-empty gradient lists of the same length, got ${a.length} and ${b.length}`,
    );
  let d = layerDistance(a[0], b[0]);
  for (let i = 1; i < a.length; i++) d = add(d, layerDistance(a[i], b[i]));
  return d;
}
