// Default collation: stacks tensors (recursively through arrays and plain objects), numbers become tensors.
import { ArgumentError } from '../core/errors.js';
import { Tensor, tidy } from '../core/tensor.js';
import { stack } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';

function collateOne(items: unknown[], where: string): unknown {
  const first = items[0];
  if (first instanceof Tensor) return stack(items as Tensor[]);
  if (typeof first === 'number')
    return tensor(items as number[], { dtype: items.every(Number.isInteger) ? 'int32' : 'float32' });
  if (typeof first === 'boolean') return tensor(items as boolean[]);
  if (Array.isArray(first))
    return first.map((_, k) =>
      collateOne(
        items.map((e) => (e as unknown[])[k]),
        `${where}[${k}]`,
      ),
    );
  if (first !== null && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = collateOne(
        items.map((e) => (e as Record<string, unknown>)[key]),
        `${where}.${key}`,
      );
    return out;
  }
  throw new ArgumentError(
    `defaultCollate: cannot collate ${typeof first} at ${where}; pass a collate function`,
  );
}

/**
 * Stacks a list of examples into a batch: tensors are stacked along a new dim 0, numbers become a 1-D
 * tensor (int32 when all are integers), and arrays / plain objects are collated position by position.
 * @example gl.data.defaultCollate([[x0, y0], [x1, y1]])  // [stack([x0, x1]), stack([y0, y1])]
 */
export function defaultCollate<B>(examples: readonly unknown[]): B {
  if (examples.length === 0) throw new ArgumentError('defaultCollate: expected at least one example');
  return tidy(() => collateOne([...examples], 'example') as B);
}
