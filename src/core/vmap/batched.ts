// BatchedTensor: the per-example (logical) view vmap hands to user code, backed by a physical tensor with the batch in dim 0.
import type { TypedArray } from '../dtype.js';
import { VmapError } from '../errors.js';
import { keep, Tensor } from '../tensor.js';
import { INSPECT_CUSTOM } from '../tensor-inspect.js';

/** How random ops behave inside one vmap level (torch.func.vmap's `randomness`). */
export type Randomness = 'error' | 'different' | 'same';

/** One active (or finished) vmap call: its batch size and randomness. */
export interface VmapLevel {
  /** Increasing with nesting: an inner vmap has a larger id than the vmap around it. */
  readonly id: number;
  readonly size: number;
  readonly randomness: Randomness;
  /** False once the vmap call that made it returned (a tensor of a finished level must not be used). */
  alive: boolean;
}

/** The vmap levels now running, outermost first. */
export const levels: VmapLevel[] = [];
let nextLevelId = 1;

/** @internal starts a level (vmap's entry). */
export function pushLevel(size: number, randomness: Randomness): VmapLevel {
  const l: VmapLevel = { id: nextLevelId++, size, randomness, alive: true };
  levels.push(l);
  return l;
}

/** @internal ends the innermost level (vmap's exit). */
export function popLevel(l: VmapLevel): void {
  l.alive = false;
  const i = levels.lastIndexOf(l);
  if (i >= 0) levels.splice(i, 1);
}

function readError(op: string): never {
  throw new VmapError(
    `${op}: cannot read the values of a tensor inside vmap (a data-dependent computation, such as .item() ` +
      `or control flow on values, differs per example); compute it outside vmap or with tensor ops`,
  );
}

/**
 * A tensor inside vmap: its shape is one example's (the logical shape); its values live in `value`,
 * a physical tensor whose dim 0 is the batch of `level`. Ops on it run the batching rules; reading
 * its values (item, dataSync) throws a VmapError.
 * @internal created by vmap only
 */
export class BatchedTensor extends Tensor {
  /** The physical tensor: [level.size, ...this.shape]; owned by this tensor (disposed with it). */
  readonly value: Tensor;
  readonly level: VmapLevel;

  constructor(value: Tensor, level: VmapLevel) {
    super(
      value.storage,
      value.shape.slice(1),
      value.strides.slice(1),
      value.offset,
      value.dtype,
      value._version,
    );
    this.value = keep(value);
    this.level = level;
  }

  override detach(): Tensor {
    return new BatchedTensor(this.value.detach(), this.level);
  }

  override dataSync(): TypedArray {
    return readError('dataSync');
  }

  override data(): Promise<TypedArray> {
    return readError('data');
  }

  override toArray(): unknown {
    return readError('toArray');
  }

  override item(): number {
    return readError('item');
  }

  override itemAsync(): Promise<number> {
    return readError('itemAsync');
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this.value.dispose();
  }

  override [INSPECT_CUSTOM](): string {
    return this.toString();
  }

  override toString(): string {
    return `BatchedTensor(shape=[${this.shape.join(',')}], batch=${this.level.size}, level=${this.level.id}, dtype=${this.dtype})`;
  }
}

/** The physical tensor under every vmap level (a plain tensor's self): what host reads may look at. */
export function physicalOf(t: Tensor): Tensor {
  while (t instanceof BatchedTensor) t = t.value;
  return t;
}
