// gl.vmap: torch.func.vmap's batching transformation (inDims/outDims trees, randomness, chunkSize).
import { apply, installBatching } from '../engine.js';
import { VmapError } from '../errors.js';
import { defaultGenerator } from '../random/generator.js';
import { Tensor } from '../tensor.js';
import { BatchedTensor, popLevel, pushLevel, type Randomness, type VmapLevel } from './batched.js';
import { batchedApply } from './dispatch.js';
import { describe, leaves, mapWithSpec } from './pytree.js';

installBatching(batchedApply);

/** Where the batch dim of an input or output is: a dim, null (not batched), or a tree of them matching the value. */
export type VmapDims = number | null | readonly VmapDims[] | { readonly [key: string]: VmapDims };

/** Options of vmap beyond the dims. */
export interface VmapOptions {
  /**
   * Random ops inside fn: 'error' (the default) throws a VmapError, 'different' draws independently
   * per example, 'same' draws once for the whole batch (torch.func.vmap's `randomness`).
   */
  randomness?: Randomness;
  /**
   * Runs fn on chunks of at most this many examples and concatenates the results (less memory, same
   * values; with randomness 'same' every chunk replays the default generator's draws).
   */
  chunkSize?: number;
}

const isDim = (s: unknown): s is number | null => s === null || typeof s === 'number';

function normDim(d: number, rank: number, what: string): number {
  if (!Number.isInteger(d) || d < -rank || d >= rank)
    throw new VmapError(
      `vmap: ${what} ${d} is out of range for a tensor of ${rank} dims (expected -${rank}..${rank - 1})`,
    );
  return d < 0 ? d + rank : d;
}

const moveDim = (t: Tensor, from: number, to: number): Tensor => {
  const dims = t.shape.map((_, i) => i).filter((i) => i !== from);
  dims.splice(to, 0, from);
  return apply('permute', [t], { dims });
};

interface Plan {
  /** Per argument: the tree of normalised dims of its tensors. */
  dims: unknown[];
  size: number;
}

function plan(args: unknown[], inDims: VmapDims): Plan {
  let specs: readonly VmapDims[];
  if (isDim(inDims)) specs = args.map(() => inDims);
  else if (Array.isArray(inDims)) {
    if (inDims.length !== args.length)
      throw new VmapError(
        `vmap: inDims has ${inDims.length} entries but the function got ${args.length} arguments (give one per argument, or one number for all)`,
      );
    specs = inDims as readonly VmapDims[];
  } else
    throw new VmapError(
      `vmap: inDims must be a number, null or an array with one entry per argument, got ${describe(inDims)}`,
    );
  const sizes: { path: string; size: number }[] = [];
  const dims = args.map((a, i) =>
    mapWithSpec(
      a,
      specs[i],
      isDim,
      (leaf, d, path) => {
        if (d === null) return null;
        if (!(leaf instanceof Tensor))
          throw new VmapError(
            `vmap: inDims gives dim ${d} for argument ${i}${path}, which is ${describe(leaf)}; only tensors can be batched (use null for it)`,
          );
        const nd = normDim(d, leaf.shape.length, `inDim of argument ${i}${path}`);
        sizes.push({ path: `argument ${i}${path}`, size: leaf.shape[nd] });
        return nd;
      },
      `inDims of argument ${i}`,
    ),
  );
  if (sizes.length === 0)
    throw new VmapError(
      'vmap: no input is batched (every inDim is null, or there are no tensor inputs); at least one must be',
    );
  const size = sizes[0].size;
  if (sizes.some((s) => s.size !== size))
    throw new VmapError(
      `vmap: the batched inputs have different batch sizes: ${sizes.map((s) => `${s.path}: ${s.size}`).join(', ')}`,
    );
  return { dims, size };
}

/** The arguments for examples [start, end) (views), when chunking. */
function sliceArgs(args: unknown[], p: Plan, start: number, end: number): unknown[] {
  return args.map((a, i) =>
    mapWithSpec(
      a,
      p.dims[i],
      isDim,
      (leaf, d) => {
        if (d === null) return leaf;
        const t = leaf as Tensor;
        const starts = t.shape.map((_, k) => (k === d ? start : 0));
        const ends = t.shape.map((n, k) => (k === d ? end : n));
        return apply('slice', [t], { starts, ends, steps: t.shape.map(() => 1) });
      },
      'inDims',
    ),
  );
}

function unwrap(out: unknown, outDims: VmapDims, level: VmapLevel): unknown {
  return mapWithSpec(
    out,
    outDims,
    isDim,
    (leaf, d, path) => {
      if (!(leaf instanceof Tensor))
        throw new VmapError(
          `vmap: the function must return tensors (or arrays/objects of them); output${path} is ${describe(leaf)}`,
        );
      const batched = leaf instanceof BatchedTensor && leaf.level === level;
      if (d === null) {
        if (batched)
          throw new VmapError(
            `vmap: outDims is null for output${path}, but that output varies over the batch (give it a dim)`,
          );
        return leaf;
      }
      const phys = batched ? leaf.value : apply('expand', [leaf], { shape: [level.size, ...leaf.shape] });
      return moveDim(phys, 0, normDim(d, phys.shape.length, `outDim of output${path}`));
    },
    'outDims of output',
  );
}

function runLevel(
  fn: (...a: unknown[]) => unknown,
  args: unknown[],
  p: Plan,
  size: number,
  outDims: VmapDims,
  randomness: Randomness,
): unknown {
  const level = pushLevel(size, randomness);
  try {
    const wrapped = args.map((a, i) =>
      mapWithSpec(
        a,
        p.dims[i],
        isDim,
        (leaf, d) => (d === null ? leaf : new BatchedTensor(moveDim(leaf as Tensor, d, 0), level)),
        'inDims',
      ),
    );
    return unwrap(fn(...wrapped), outDims, level);
  } finally {
    popLevel(level);
  }
}

function concatChunks(chunks: unknown[], outDims: VmapDims): unknown {
  const flat = chunks.map((c) => leaves(c));
  let k = 0;
  return mapWithSpec(
    chunks[0],
    outDims,
    isDim,
    (leaf, d) => {
      const parts = flat.map((f) => f[k] as Tensor);
      k++;
      if (d === null) return leaf;
      return apply('cat', parts, { dim: d < 0 ? d + (leaf as Tensor).shape.length : d });
    },
    'outDims of output',
  );
}

/**
 * Vectorizes `fn` over a batch dim, like `torch.func.vmap`: `fn` is written for one example and is
 * called once with per-example (logical) views of the inputs; every op inside runs its batching rule on
 * the whole batch. `inDims` gives each argument's batch dim (a number, `null` for an argument shared by
 * all examples, or an array/object matching the argument); `outDims` does the same for the outputs.
 * Composes with `gl.grad`/`valueAndGrad`/`vjp`/`jvp` (per-example gradients are
 * `vmap(valueAndGrad(loss))`) and with itself.
 * @example
 * const dot = (a: gl.Tensor, b: gl.Tensor) => a.mul(b).sum();
 * const dots = gl.vmap(dot)(gl.randn([8, 3]), gl.randn([8, 3])); // shape [8]
 * const perRow = gl.vmap((x: gl.Tensor, w: gl.Tensor) => x.matmul(w), [0, null])(gl.randn([8, 3]), gl.randn([3, 2]));
 */
export function vmap<A extends unknown[], R>(
  fn: (...args: A) => R,
  inDims: VmapDims = 0,
  outDims: VmapDims = 0,
  opts: VmapOptions = {},
): (...args: A) => R {
  const randomness = opts.randomness ?? 'error';
  if (randomness !== 'error' && randomness !== 'different' && randomness !== 'same')
    throw new VmapError(`vmap: randomness must be 'error', 'different' or 'same', got ${String(randomness)}`);
  const chunk = opts.chunkSize;
  if (chunk !== undefined && (!Number.isInteger(chunk) || chunk < 1))
    throw new VmapError(`vmap: chunkSize must be a positive integer, got ${chunk}`);
  const f = fn as (...a: unknown[]) => unknown;
  return (...args: A): R => {
    const p = plan(args, inDims);
    if (chunk === undefined || chunk >= p.size) return runLevel(f, args, p, p.size, outDims, randomness) as R;
    const start = defaultGenerator.getState();
    const chunks: unknown[] = [];
    for (let s = 0; s < p.size; s += chunk) {
      const e = Math.min(p.size, s + chunk);
      if (randomness === 'same') defaultGenerator.setState(start);
      chunks.push(runLevel(f, sliceArgs(args, p, s, e), p, e - s, outDims, randomness));
    }
    return concatChunks(chunks, outDims) as R;
  };
}
