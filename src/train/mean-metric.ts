// The weighted running mean (sum and count) that the mean-valued epoch metrics share: compute, reset and checkpoint state.
import { ArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import type { JsonValue, Metric } from './metrics.js';

/** A weighted running mean (sum of value·weight over sum of weights); the base of the built-ins. */
export abstract class MeanMetric implements Metric {
  abstract readonly name: string;
  /** Sum of value times weight. */
  protected sum = 0;
  /** Sum of weights (examples). */
  protected count = 0;
  abstract update(output: Tensor, target: Tensor, loss: Tensor): Promise<number>;
  /** sum / count, NaN before any batch. */
  compute(): number {
    return this.count > 0 ? this.sum / this.count : NaN;
  }
  /** Sets sum and count to 0. */
  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
  /** `{ sum, count }`. */
  state(): JsonValue {
    return { sum: this.sum, count: this.count };
  }
  /** Restores `{ sum, count }` (a malformed state is an ArgumentError). */
  loadState(s: JsonValue): void {
    const o = s as { sum?: unknown; count?: unknown } | null;
    if (o && o.sum === null) o.sum = NaN; // JSON writes NaN as null
    if (!o || typeof o.sum !== 'number' || typeof o.count !== 'number')
      throw new ArgumentError(
        `metric ${this.name}: expected a saved state { sum, count }, got ${JSON.stringify(s)}`,
      );
    this.sum = o.sum;
    this.count = o.count;
  }
}
