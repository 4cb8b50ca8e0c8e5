// gl.perExampleGrads: per-example gradients of a model's loss, by a fast path from saved activations and output
// gradients (Linear, Conv2d, LayerNorm, Embedding) or by vmap over valueAndGrad; optionally only streamed statistics.
import { GradlabError } from '../../core/errors.js';
import { grad } from '../../core/functional.js';
import { enableGrad } from '../../core/state.js';
import { Tensor } from '../../core/tensor.js';
import { mapLeaves, vmap } from '../../core/vmap/index.js';
import { zeros } from '../../ops/creation.js';
import { cat } from '../../ops/shape.js';
import { Linear } from '../linear.js';
import type { Module } from '../module.js';
import { BatchNorm1d, BatchNorm2d } from '../normalization.js';
import { functionalCall } from './functional-call.js';
import { isFastLayer, layerGrads, layerSquaredNorms, type FastLayer } from './per-example-layers.js';

/**
 * A model per-example gradients cannot be computed for (BatchNorm in training, a layer the fast path lacks).
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(4, 4), new gl.nn.BatchNorm1d(4));
 * try {
 *   gl.perExampleGrads(model, (out, y) => gl.crossEntropy(out, y!), gl.randn([8, 4]), gl.randint(0, 4, [8]));
 * } catch (e) {
 *   if (e instanceof gl.PerExampleError) console.log(e.message); // BatchNorm in training mode mixes the examples
 * }
 */
export class PerExampleError extends GradlabError {}

/** The loss of a batch: called with the model's output and the targets (batches of one example here). */
export type PerExampleLoss = (output: any, target: Tensor | null) => Tensor;

/** Options of perExampleGrads. */
export interface PerExampleOptions {
  /** 'fast' (activations x output gradients), 'vmap' (vmap of valueAndGrad), or 'auto' (fast where every trainable layer allows it). */
  method?: 'auto' | 'fast' | 'vmap';
  /** Return only streamed statistics (sum, squared norms, per-example norms), not the per-example gradients. */
  stats?: boolean;
  /** The vmap path's chunk size (examples per vmapped call; for stats, per reduced chunk). Default: the whole batch, or 64 for stats. */
  chunkSize?: number;
}

/** Per-example gradients: `grads[name]` is [N, ...param.shape]; `losses` [N] are the per-example losses. */
export interface PerExampleGrads {
  /** The method that ran ('auto' resolved). */
  method: 'fast' | 'vmap';
  /** The per-example losses [N]. */
  losses: Tensor;
  /** Per trainable parameter (by qualified name), its per-example gradients [N, ...shape]. */
  grads: Record<string, Tensor>;
}

/** Streamed statistics of the per-example gradients g_i (never all of them at once). */
export interface PerExampleStats {
  /** The method that ran ('auto' resolved). */
  method: 'fast' | 'vmap';
  /** The per-example losses [N]. */
  losses: Tensor;
  /** sum_i g_i per parameter (the gradient of the summed per-example losses). */
  sum: Record<string, Tensor>;
  /** sum_i ||g_i||^2 per parameter (0-d). */
  sumSquaredNorms: Record<string, Tensor>;
  /** ||g_i|| over all trainable parameters, per example [N]. */
  norms: Tensor;
}

/** The targets of a batch (dim 0 the examples), or null for a loss without targets. */
export type PerExampleTarget = Tensor | null;
type Target = PerExampleTarget;

function trainable(model: Module): [string, Tensor][] {
  return model.namedParameters().filter(([, p]) => p.requiresGrad);
}

function checkModel(model: Module, method: 'auto' | 'fast' | 'vmap'): 'fast' | 'vmap' {
  for (const [name, m] of model.namedModules())
    if ((m instanceof BatchNorm1d || m instanceof BatchNorm2d) && (m.training || method === 'fast'))
      throw new PerExampleError(
        `perExampleGrads: ${name || 'the model'} is a ${m.constructor.name}` +
          (m.training
            ? ', which mixes the examples of a batch in training mode, so per-example gradients are not defined; use LayerNorm/GroupNorm or call model.eval()'
            : "; the fast path handles Linear, Conv2d, LayerNorm and Embedding parameters only (use method: 'vmap')"),
      );
  if (method === 'vmap') return 'vmap';
  const owners = new Map<Tensor, Module>();
  for (const [, m] of model.namedModules())
    for (const [, p] of m.namedParameters({ recurse: false })) owners.set(p, m);
  for (const [name, p] of trainable(model)) {
    const m = owners.get(p)!;
    if (!isFastLayer(m)) {
      if (method === 'fast')
        throw new PerExampleError(
          `perExampleGrads: parameter "${name}" belongs to a ${m.constructor.name}; the fast path handles Linear, Conv2d, LayerNorm and Embedding only (use method: 'vmap' or 'auto')`,
        );
      return 'vmap';
    }
  }
  return 'fast';
}

/** The per-example losses of a batch output: lossFn on each example as a batch of one (vmapped). */
function perExampleLosses(lossFn: PerExampleLoss, out: unknown, y: Target): Tensor {
  const one = (o: unknown, t: Target) =>
    lossFn(
      mapLeaves(o, (l) => (l instanceof Tensor ? l.unsqueeze(0) : l)),
      t ? t.unsqueeze(0) : null,
    ).reshape([]);
  return y ? vmap(one, [0, 0])(out, y) : vmap((o: unknown) => one(o, null))(out);
}

interface Call {
  module: FastLayer;
  input: Tensor;
  output: Tensor;
}

/** One forward and one backward of the summed per-example losses, with each fast layer's input and output gradient. */
function fastPass(model: Module, lossFn: PerExampleLoss, x: Tensor, y: Target) {
  const calls: Call[] = [];
  const handles = model
    .modules()
    .filter(isFastLayer)
    .filter((m) => m.parameters({ recurse: false }).some((p) => p.requiresGrad))
    .map((m) =>
      m.registerForwardHook((mod, args, output) => {
        const input = args[0] as Tensor;
        if (mod instanceof Tensor || !(output instanceof Tensor)) return;
        if (output.shape[0] !== x.shape[0])
          throw new PerExampleError(
            `perExampleGrads: ${mod.constructor.name} got input [${input.shape.join(',')}] without the batch dim first`,
          );
        calls.push({ module: mod as FastLayer, input: input.detach(), output });
      }),
    );
  try {
    return enableGrad(() => {
      const losses = perExampleLosses(lossFn, model.forward(x), y);
      const live = calls.filter((c) => c.output.requiresGrad);
      const gs = live.length
        ? grad(
            [losses.sum()],
            live.map((c) => c.output),
            { allowUnused: true },
          )
        : [];
      return {
        losses: losses.detach(),
        calls: live.map((c, i) => ({
          ...c,
          g: (gs[i] ?? zeros(c.output.shape, { dtype: c.output.dtype })).detach(),
        })),
      };
    });
  } finally {
    handles.forEach((h) => h.remove());
  }
}

function paramNames(model: Module): Map<Tensor, string> {
  return new Map(trainable(model).map(([n, p]) => [p, n]));
}

function fastGrads(model: Module, lossFn: PerExampleLoss, x: Tensor, y: Target): PerExampleGrads {
  const { losses, calls } = fastPass(model, lossFn, x, y);
  const names = paramNames(model);
  const grads: Record<string, Tensor> = {};
  for (const c of calls)
    for (const [key, g] of Object.entries(layerGrads(c.module, c.input, c.g))) {
      const p = (c.module as unknown as Record<string, Tensor | null>)[key];
      const name = p ? names.get(p) : undefined;
      if (name === undefined) continue;
      grads[name] = grads[name] ? grads[name].add(g) : g;
    }
  for (const [n, p] of trainable(model)) grads[n] ??= zeros([x.shape[0], ...p.shape], { dtype: p.dtype });
  return { method: 'fast', losses, grads: orderLike(model, grads) };
}

function orderLike(model: Module, r: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(trainable(model).map(([n]) => [n, r[n]]));
}

function fastStats(model: Module, lossFn: PerExampleLoss, x: Tensor, y: Target): PerExampleStats {
  const { losses, calls } = fastPass(model, lossFn, x, y);
  const names = paramNames(model);
  const N = x.shape[0];
  const uses = new Map<FastLayer, number>();
  for (const c of calls) uses.set(c.module, (uses.get(c.module) ?? 0) + 1);
  const sq: Record<string, Tensor> = {};
  const sum: Record<string, Tensor> = {};
  const reused = new Map<string, Tensor>(); // per-example gradients of layers called more than once
  const nameOf = (c: Call, key: string) => {
    const p = (c.module as unknown as Record<string, Tensor | null>)[key];
    return p ? names.get(p) : undefined;
  };
  for (const c of calls) {
    const norms = uses.get(c.module) === 1 ? layerSquaredNorms(c.module, c.input, c.g) : null;
    if (norms) {
      for (const [key, s] of Object.entries(norms)) {
        const n = nameOf(c, key);
        if (n !== undefined) sq[n] = s;
      }
      // the sum is one batch gradient: per-example rules with the batch folded into one example
      const [fa, fg] = folded(c);
      const one = layerGrads(c.module, fa, fg);
      for (const [key, g] of Object.entries(one)) {
        const n = nameOf(c, key);
        if (n !== undefined) sum[n] = g.reshape(g.shape.slice(1));
      }
      continue;
    }
    // one layer's per-example gradients at a time (summed over the calls of a reused layer)
    for (const [key, g] of Object.entries(layerGrads(c.module, c.input, c.g))) {
      const n = nameOf(c, key);
      if (n !== undefined) reused.set(n, reused.has(n) ? reused.get(n)!.add(g) : g);
    }
  }
  for (const [n, g] of reused) {
    sq[n] = g.mul(g).reshape([N, -1]).sum(1);
    sum[n] = g.sum(0);
  }
  return finishStats(model, losses, sum, sq, N, 'fast');
}

/** A Linear/Embedding call's input and output gradient with the batch folded into one example (their rules sum over inner dims). */
function folded(c: Call & { g: Tensor }): [Tensor, Tensor] {
  const last = (t: Tensor) => t.shape[t.shape.length - 1];
  const a = c.module instanceof Linear ? c.input.reshape([1, -1, last(c.input)]) : c.input.reshape([1, -1]);
  return [a, c.g.reshape([1, -1, last(c.g)])];
}

function finishStats(
  model: Module,
  losses: Tensor,
  sum: Record<string, Tensor>,
  perExampleSq: Record<string, Tensor>,
  N: number,
  method: 'fast' | 'vmap',
): PerExampleStats {
  const sumSquaredNorms: Record<string, Tensor> = {};
  let total: Tensor | null = null;
  for (const [n, p] of trainable(model)) {
    const s = perExampleSq[n] ?? zeros([N], { dtype: p.dtype });
    sum[n] ??= zeros(p.shape, { dtype: p.dtype });
    sumSquaredNorms[n] = s.sum();
    total = total ? total.add(s) : s;
  }
  return {
    method,
    losses,
    sum: orderLike(model, sum),
    sumSquaredNorms,
    norms: total ? total.sqrt() : zeros([N]),
  };
}

function vmapGrads(
  model: Module,
  lossFn: PerExampleLoss,
  x: Tensor,
  y: Target,
  chunkSize?: number,
): PerExampleGrads {
  const params = trainable(model);
  const one = (xi: Tensor, yi: Target) =>
    enableGrad(() => {
      const leaves = params.map(([, p]) => p.detach().requiresGrad_());
      const out = functionalCall(
        model,
        Object.fromEntries(params.map(([n], k) => [n, leaves[k]])),
        xi.unsqueeze(0),
      );
      const loss = lossFn(out, yi ? yi.unsqueeze(0) : null).reshape([]);
      const gs = grad([loss], leaves, { allowUnused: true });
      return [
        loss.detach(),
        gs.map((g, k) => (g ?? zeros(leaves[k].shape, { dtype: leaves[k].dtype })).detach()),
      ] as const;
    });
  const [losses, gs] = y
    ? vmap(one, [0, 0], 0, { chunkSize })(x, y)
    : vmap((xi: Tensor) => one(xi, null), 0, 0, { chunkSize })(x);
  return { method: 'vmap', losses, grads: Object.fromEntries(params.map(([n], k) => [n, gs[k]])) };
}

function vmapStats(
  model: Module,
  lossFn: PerExampleLoss,
  x: Tensor,
  y: Target,
  chunkSize = 64,
): PerExampleStats {
  const N = x.shape[0];
  const sum: Record<string, Tensor> = {};
  const sq: Record<string, Tensor[]> = {};
  const losses: Tensor[] = [];
  for (let s = 0; s < N; s += chunkSize) {
    const len = Math.min(chunkSize, N - s);
    const r = vmapGrads(model, lossFn, x.narrow(0, s, len), y ? y.narrow(0, s, len) : null);
    losses.push(r.losses);
    for (const [n, g] of Object.entries(r.grads)) {
      sum[n] = sum[n] ? sum[n].add(g.sum(0)) : g.sum(0);
      (sq[n] ??= []).push(g.mul(g).reshape([len, -1]).sum(1));
    }
  }
  const perExampleSq = Object.fromEntries(Object.entries(sq).map(([n, parts]) => [n, cat(parts, 0)]));
  return finishStats(model, cat(losses, 0), sum, perExampleSq, N, 'vmap');
}

/**
 * Per-example gradients of `lossFn(model(x_i), y_i)` — the loss of each example as a batch of one —
 * with respect to the model's trainable parameters. The fast path (Linear, Conv2d, LayerNorm,
 * Embedding) runs one forward and one backward of the whole batch and forms each layer's per-example
 * gradients from its input and output gradient; the vmap path is `vmap(valueAndGrad)` through
 * `functionalCall`. With `stats: true` only sums, squared norms and per-example norms come back.
 * BatchNorm in training mode is refused with a PerExampleError.
 * @example
 * const net = new gl.nn.Sequential(new gl.nn.Linear(4, 8), new gl.nn.Tanh(), new gl.nn.Linear(8, 3));
 * const { grads } = gl.perExampleGrads(net, gl.crossEntropy, gl.randn([16, 4]), gl.randint(0, 3, [16]));
 * grads['0.weight'].shape; // [16, 8, 4]
 */
export function perExampleGrads(
  model: Module,
  lossFn: PerExampleLoss,
  x: Tensor,
  y: PerExampleTarget,
  opts: PerExampleOptions & { stats: true },
): PerExampleStats;
export function perExampleGrads(
  model: Module,
  lossFn: PerExampleLoss,
  x: Tensor,
  y: PerExampleTarget,
  opts?: PerExampleOptions & { stats?: false },
): PerExampleGrads;
export function perExampleGrads(
  model: Module,
  lossFn: PerExampleLoss,
  x: Tensor,
  y: PerExampleTarget,
  opts: PerExampleOptions = {},
): PerExampleGrads | PerExampleStats {
  const method = checkModel(model, opts.method ?? 'auto');
  if (y && y.shape[0] !== x.shape[0])
    throw new PerExampleError(`perExampleGrads: x has ${x.shape[0]} examples but y has ${y.shape[0]}`);
  if (opts.stats)
    return method === 'fast'
      ? fastStats(model, lossFn, x, y)
      : vmapStats(model, lossFn, x, y, opts.chunkSize);
  return method === 'fast' ? fastGrads(model, lossFn, x, y) : vmapGrads(model, lossFn, x, y, opts.chunkSize);
}
