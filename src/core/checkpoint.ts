// Gradient checkpointing: run a region without keeping its saved tensors and recompute them in backward.
import { GradError } from './errors.js';
import { recordDraws, replayDraws } from './random/generator.js';
import { savedTensorHooks } from './saved.js';
import { enableGrad, state } from './state.js';
import { Tensor } from './tensor.js';

/**
 * Calls `fn(...args)` keeping only its inputs for backward; whatever its ops would save is recomputed
 * by re-running `fn` (with the same random numbers) when backward first needs it. Gradients are
 * identical to running `fn` plainly.
 * @example const y = gl.checkpoint((h) => block.forward(h), x);
 */
export function checkpoint<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
  if (!state.gradEnabled) return fn(...args);
  const heldInputs = args.filter((a): a is Tensor => a instanceof Tensor);
  let count = 0;
  let recomputed: Tensor[] | null = null;
  let draws = new Map();

  const recompute = (): Tensor[] => {
    const detached = args.map((a) =>
      a instanceof Tensor ? a.detach().requiresGrad_(a.requiresGrad) : a,
    ) as A;
    const saved: Tensor[] = [];
    const collect = {
      pack: (t: Tensor) => saved.push(t) - 1,
      unpack: (i: unknown) => saved[i as number],
    };
    replayDraws(draws, () => enableGrad(() => savedTensorHooks(collect, () => fn(...detached))));
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
      return recomputed[(p as { index: number }).index];
    },
  };
  const run = recordDraws(() => savedTensorHooks(hooks, () => fn(...args)));
  draws = run.draws;
  return run.result;
}
