// The batching interpreter: runs a primitive whose inputs include BatchedTensors through the batching-rule table.
import { apply } from '../engine.js';
import { VmapError } from '../errors.js';
import type { Primitive, PrimitiveParams } from '../primitives.js';
import type { Tensor } from '../tensor.js';
import { BatchedTensor, levels, type VmapLevel } from './batched.js';
import type { Backend } from '../backend.js';
import { batchedDraw, batchRules } from './rules.js';
import type { BatchArg, BatchRule } from './rule-types.js';

function fresh(out: Tensor, args: readonly BatchArg[]): Tensor {
  // a rule that hands back one of its inputs: give the result its own view (a BatchedTensor owns its value)
  if (!args.some((a) => a.t === out)) return out;
  return apply('permute', [out], { dims: out.shape.map((_, i) => i) });
}

let drawing = false;

function drawRandom(params: PrimitiveParams['random'], backend: Backend): Tensor | null {
  const different: VmapLevel[] = [];
  for (const l of levels) {
    if (l.randomness === 'error')
      throw new VmapError(
        `random: a random op ran inside vmap with randomness 'error' (the default); pass ` +
          `{ randomness: 'different' } for independent draws per example or 'same' for one draw shared by all`,
      );
    if (l.randomness === 'different') different.push(l);
  }
  if (different.length === 0) return null;
  const [outer, ...inner] = different;
  drawing = true; // the physical draw itself runs plainly
  let phys: Tensor;
  try {
    phys = batchedDraw(
      { ...params, shape: [...inner.map((l) => l.size), ...params.shape] },
      outer.size,
      backend,
    );
  } finally {
    drawing = false;
  }
  let out: Tensor = phys;
  for (const l of different) out = new BatchedTensor(out, l);
  return out;
}

/**
 * Runs `prim` batched when an input belongs to a running vmap level (or when it is a random draw
 * inside vmap); returns null when the plain path applies. Installed into the engine by vmap.ts.
 */
export function batchedApply<P extends Primitive>(
  prim: P,
  inputs: readonly Tensor[],
  params: PrimitiveParams[P],
  backend: Backend,
): Tensor | null {
  if (prim === 'random')
    return levels.length && !drawing ? drawRandom(params as PrimitiveParams['random'], backend) : null;
  let level: VmapLevel | null = null;
  for (const t of inputs)
    if (t instanceof BatchedTensor) {
      if (!t.level.alive)
        throw new VmapError(
          `${prim}: a tensor from inside a finished vmap call was used (it escaped through a closure or a ` +
            `side effect); return it from the vmapped function instead`,
        );
      if (!level || t.level.id > level.id) level = t.level;
    }
  if (!level) return null;
  const at = level;
  const args: BatchArg[] = inputs.map((t) =>
    t instanceof BatchedTensor && t.level === at ? { t: t.value, batched: true } : { t, batched: false },
  );
  const out = (batchRules[prim] as BatchRule<P>)(args, params, at.size);
  return new BatchedTensor(fresh(out, args), at);
}
