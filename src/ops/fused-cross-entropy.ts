// crossEntropy through a backend's fused kernels where it has them and they are exact: 2-D logits, int32 targets.
// The node's first-order backward is one fused kernel; with createGraph it is written with differentiable ops.
import type { FusedCrossEntropyKernels, FusedCrossEntropyParams } from '../backends/backend.js';
import { customGrad, type CustomContext } from '../core/custom.js';
import { runFused } from '../core/fused.js';
import { state } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { add, cast, div, eq, exp, mul, ne, sub, where } from './elementwise.js';
import { logSoftmax } from './nn.js';
import { sum } from './reduce.js';
import { apply } from '../core/engine.js';
import { indexSelect, reshape, unsqueeze } from './shape.js';
import { InternalError } from '../core/errors.js';

type Reduction = 'mean' | 'sum' | 'none';

/** The options crossEntropy passes on (already defaulted). */
interface FusedCeOptions {
  weight: Tensor | null;
  reduction: Reduction;
  ignoreIndex: number;
  labelSmoothing: number;
}

/** Counts fused forward passes (tests use it to prove which path ran). */
export const fusedCrossEntropyStats = { forward: 0, backward: 0 };

/**
 * crossEntropy(logits, target, opts) by the backend's fused kernels, or null when they do not apply
 * (then the caller runs the composite, which also raises every input error). Applies only to float32
 * [N, C] logits with int32 [N] targets, a float32 [C] weight that needs no gradient, a valid
 * labelSmoothing and reduction, all on one backend that has `fusedCrossEntropy`.
 */
export function tryFusedCrossEntropy(logits: Tensor, target: Tensor, o: FusedCeOptions): Tensor | null {
  const kernels = logits.storage.backend.fusedCrossEntropy;
  // the composite checks target ranges with a synchronous read on synchronous backends; keep that there
  if (!kernels || !logits.storage.backend.asyncOnly) return null;
  const w = o.weight;
  const eps = o.labelSmoothing;
  if (
    logits.dtype !== 'float32' ||
    logits.ndim !== 2 ||
    logits.numel === 0 ||
    target.dtype !== 'int32' ||
    target.ndim !== 1 ||
    target.shape[0] !== logits.shape[0] ||
    !(eps >= 0 && eps <= 1) ||
    !['mean', 'sum', 'none'].includes(o.reduction) ||
    !Number.isInteger(o.ignoreIndex) ||
    target.storage.backend !== logits.storage.backend ||
    (w !== null &&
      (w.dtype !== 'float32' ||
        w.ndim !== 1 ||
        w.shape[0] !== logits.shape[1] ||
        w.storage.backend !== logits.storage.backend ||
        (state.gradEnabled && w.requiresGrad)))
  )
    return null;
  const C = logits.shape[1];
  const p: FusedCrossEntropyParams = {
    ignoreIndex: o.ignoreIndex,
    keep: eps > 0 ? Math.fround(1 - eps) : 1,
    spread: eps > 0 ? Math.fround(eps / C) : 0,
  };
  return fusedNode(kernels, p, target, w, o.reduction)(logits);
}

/** Counts the forward, keeps what the backward reads (or releases the statistics), returns the loss. */
function finish(
  ctx: CustomContext,
  out: Tensor,
  x: Tensor,
  stats: Tensor,
  target: Tensor,
  w: Tensor | null,
): Tensor {
  fusedCrossEntropyStats.forward++;
  if (ctx.needsInputGrad[0]) ctx.save(x, stats, target, w);
  else stats.dispose();
  return out;
}

/** The recorded node: forward by the fused kernels, backward fused (first order) or composite (createGraph). */
function fusedNode(
  k: FusedCrossEntropyKernels,
  p: FusedCrossEntropyParams,
  target: Tensor,
  w: Tensor | null,
  reduction: Reduction,
) {
  return customGrad({
    name: 'crossEntropy',
    forward(ctx, x: Tensor): Tensor {
      const N = x.shape[0];
      const stats = runFused([x], [3 * N + 1], 'float32', () => true)!;
      const one =
        reduction === 'none'
          ? null
          : runFused([x, target], [], 'float32', (_b, o) =>
              k.rowsReduced(x, target, w, p, stats, o, reduction === 'mean'),
            );
      if (one) return finish(ctx, one, x, stats, target, w);
      const rows = runFused([x, target], [N], 'float32', (_b, out) => k.rows(x, target, w, p, out, stats));
      if (!rows) {
        stats.dispose();
        throw new InternalError('crossEntropy: the fused row kernel declined views it accepted before');
      }
      let out = rows;
      if (reduction !== 'none') {
        const r = runFused([rows], [], 'float32', (_b, o) => k.reduce(rows, stats, o, reduction === 'mean'));
        rows.dispose();
        if (!r) throw new InternalError('crossEntropy: the fused reduction declined');
        out = r;
      }
      return finish(ctx, out, x, stats, target, w);
    },
    backward(ctx, g): Tensor[] {
      const [x, stats, t, weight] = ctx.saved as [Tensor, Tensor, Tensor, Tensor | null];
      if (!state.gradEnabled) {
        const dx = runFused([x, t, stats, g], x.shape, 'float32', (_b, out) =>
          k.backward(x, t, weight, stats, g, { ...p, reduction }, out),
        );
        if (dx) {
          fusedCrossEntropyStats.backward++;
          return [dx];
        }
      }
      return [compositeGrad(x, t, weight, g, p, reduction)];
    },
  });
}

/**
 * The gradient of the loss w.r.t. the logits written with differentiable ops (used with createGraph):
 * scale * (softmax(x) * (a + spread * W) - a * onehot(t) - spread * w), a = keep * w[t] on valid rows.
 */
function compositeGrad(
  x: Tensor,
  t: Tensor,
  w: Tensor | null,
  g: Tensor,
  p: FusedCrossEntropyParams,
  reduction: Reduction,
): Tensor {
  const C = x.shape[1];
  const valid = ne(t, p.ignoreIndex);
  const safe = where(valid, t, 0);
  const wt = where(valid, w ? indexSelect(w, 0, safe) : 1, 0); // [N]
  const a = mul(wt, p.keep);
  const spreadW = w ? mul(sum(w), p.spread) : Math.fround(C * p.spread);
  const coef = add(a, where(valid, spreadW, 0));
  const soft = exp(logSoftmax(x, 1));
  // class indices 0..C-1 on the logits' backend (whatever the current backend is)
  const ones = apply('full', [], { shape: [1, C], dtype: 'int32', value: 1 }, x.storage.backend);
  const classes = sub(apply('cumsum', [ones], { dim: 1 }), 1);
  const onehot = cast(eq(unsqueeze(safe, 1), classes), 'float32');
  let d = sub(mul(soft, unsqueeze(coef, 1)), mul(onehot, unsqueeze(a, 1)));
  if (p.spread !== 0) {
    const spreadEach = w ? mul(reshape(w, [1, C]), p.spread) : p.spread;
    d = sub(d, mul(unsqueeze(cast(valid, 'float32'), 1), spreadEach));
  }
  const scale = reduction === 'none' ? unsqueeze(g, 1) : reduction === 'sum' ? g : div(g, sum(wt));
  return mul(d, scale);
}
