// Gradient coherence (paper 27): m-coherence of per-example gradients, streamed or from a matrix.
import { ArgumentError } from '../../core/errors.js';

/**
 * Streams per-example gradients (flat, equal lengths) and gives their m-coherence without storing them:
 * α = ‖(1/m) Σ gᵢ‖² / ((1/m) Σ ‖gᵢ‖²) and m-coherence = m·α ∈ [0, m] — m when all are equal, 1 when they are
 * mutually orthogonal with equal norms, 0 when they cancel (Chatterjee & Zielinski).
 * @example const acc = new gl.lab.coherence.CoherenceAccumulator(); for (const g of grads) acc.add(g); acc.mCoherence();
 */
export class CoherenceAccumulator {
  private sum: Float64Array | null = null;
  private sqNorms = 0;
  /** Number of gradients added. */
  count = 0;

  /**
   * Adds one per-example gradient.
   * @example
   * const acc = new gl.lab.coherence.CoherenceAccumulator();
   * acc.add([1, 0]);
   * acc.add([0, 1]);
   * acc.mCoherence(); // 1: two orthogonal gradients of equal norm
   */
  add(g: ArrayLike<number>): void {
    if (this.sum === null) this.sum = new Float64Array(g.length);
    else if (g.length !== this.sum.length)
      throw new ArgumentError(
        `CoherenceAccumulator: gradients must have equal lengths (${this.sum.length}), got ${g.length}`,
      );
    let n2 = 0;
    for (let j = 0; j < g.length; j++) {
      this.sum[j] += g[j];
      n2 += g[j] * g[j];
    }
    this.sqNorms += n2;
    this.count++;
  }

  /**
   * α: squared norm of the mean over the mean squared norm (0 when every gradient is zero).
   * @example
   * const acc = new gl.lab.coherence.CoherenceAccumulator();
   * acc.add([1, 2]);
   * acc.add([1, 2]);
   * acc.alpha(); // 1: identical gradients
   */
  alpha(): number {
    if (this.count === 0 || this.sum === null)
      throw new ArgumentError('CoherenceAccumulator: no gradients added');
    let s2 = 0;
    for (const v of this.sum) s2 += v * v;
    const m = this.count;
    return this.sqNorms === 0 ? 0 : s2 / (m * m) / (this.sqNorms / m);
  }

  /**
   * m-coherence = m·α: about how many examples a step on one example helps.
   * @example
   * const acc = new gl.lab.coherence.CoherenceAccumulator();
   * acc.add([1, 0]);
   * acc.add([-1, 0]);
   * acc.mCoherence(); // 0: they cancel
   */
  mCoherence(): number {
    return this.count * this.alpha();
  }
}

/**
 * m-coherence of a set of per-example gradients (rows).
 * @example gl.lab.coherence.mCoherence([[1, 0], [0, 1]]); // 1 (orthogonal, equal norms)
 */
export function mCoherence(grads: readonly ArrayLike<number>[]): number {
  const acc = new CoherenceAccumulator();
  for (const g of grads) acc.add(g);
  return acc.mCoherence();
}
