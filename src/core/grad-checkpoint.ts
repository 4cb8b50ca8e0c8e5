// Gradient checkpointing: run a region without keeping its saved tensors and recompute them in backward.
import { GradError } from './errors.js';
import { nodesOf } from './inspect.js';
import { recordDraws, replayDraws } from './random/generator.js';
import { savedTensorHooks } from './saved.js';
import { enableGrad, state } from './state.js';
import { Tensor } from './tensor.js';

/**
 * Calls `fn(...args)` keeping only its inputs for backward; whatever its ops would save is recomputed
 * by re-running `fn` (with the same random numbers) when backward first needs it. Gradients are
 * identical to running `fn` plainly. The recomputed tensors count in `gl.memory().savedBytes` from
 * the recomputation until backward has read all of them.
 * @example const y = gl.checkpoint((h) => block.forward(h), x);
 */
export function checkpoint<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
  if (!state.gradEnabled) return fn(...args);
  const heldInputs = args.filter((a): a is Tensor => a instanceof Tensor);
  let count = 0;
  let recomputed: Tensor[] | null = null;
  let recomputedOut: Tensor[] = [];
  let unpacked = 0;
  let draws = new Map();

  const recompute = (): Tensor[] => {
    const detached = args.map((a) =>
      a instanceof Tensor ? a.detach().requiresGrad_(a.requiresGrad) : a,
    ) as A;
    const saved: Tensor[] = [];
    // the region's inputs are already accounted (entry 0 holds them)
    const storages = new Set<unknown>(heldInputs.map((t) => t.storage));
    const collect = {
      // the tensor rides along (once per storage) so the accounting sees what the recomputation holds
      pack: (t: Tensor) => {
        const index = saved.push(t) - 1;
        if (storages.has(t.storage)) return { index };
        storages.add(t.storage);
        return { index, t };
      },
      unpack: (p: unknown) => saved[(p as { index: number }).index],
    };
    const out = replayDraws(draws, () => enableGrad(() => savedTensorHooks(collect, () => fn(...detached))));
    recomputedOut = tensorsIn(out);
    if (saved.length !== count)
      throw new GradError(
        `checkpoint: recomputation saved ${saved.length} tensors but the forward saved ${count}; the function must be deterministic given its inputs`,
      );
    return saved;
  };

  const hooks = {
    // the first entry also holds the region's inputs, so their bytes are accounted while the graph lives
    pack: (_t: Tensor) => (count++ === 0 ? { index: 0, inputs: heldInputs } : { index: count - 1 }),
    unpack: (p: unknown) => {
      recomputed ??= recompute();
      const t = recomputed[(p as { index: number }).index];
      // once backward (not recording a graph) has read every entry, the recomputation is let go
      if (++unpacked === count && !state.gradEnabled) {
        for (const n of nodesOf(recomputedOut)) n.release();
        recomputed = null;
        recomputedOut = [];
        unpacked = 0;
      }
      return t;
    },
  };
  const run = recordDraws(() => savedTensorHooks(hooks, () => fn(...args)));
  draws = run.draws;
  return run.result;
}

function tensorsIn(v: unknown, depth = 0): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v) && depth < 3) return v.flatMap((x) => tensorsIn(x, depth + 1));
  return [];
}
