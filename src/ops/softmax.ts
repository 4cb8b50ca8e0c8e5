// softmax as one recorded node that keeps only its output (as PyTorch does), with a fused backward.
import { customGrad } from '../core/custom.js';
import { state } from '../core/state.js';
import { fusedMap, SOFTMAX_GRAD } from '../core/fused-map.js';
import { apply } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { sum } from './reduce.js';
import { mul } from './elementwise.js';

/** One softmax node per dim: forward exp(logSoftmax(x)) off the tape, backward y * (g - sum(g * y)). */
const nodes = new Map<number, (x: Tensor) => Tensor>();

function nodeFor(dim: number): (x: Tensor) => Tensor {
  let f = nodes.get(dim);
  if (!f)
    nodes.set(
      dim,
      (f = customGrad({
        name: 'softmax',
        forward(ctx, x: Tensor): Tensor {
          const logits = apply('logSoftmax', [x], { dim });
          const y = apply('exp', [logits], null);
          logits.dispose();
          if (ctx.needsInputGrad[0]) ctx.save(y);
          return y;
        },
        backward(ctx, g): Tensor[] {
          const y = ctx.saved[0]!;
          // the expression entry: one kernel off the tape, the same expression in primitives with createGraph
          return [fusedMap(SOFTMAX_GRAD, [g, y, sum(mul(g, y), dim, true)])];
        },
      })),
    );
  return f;
}

/**
 * softmax of `x` along the (already normalized) `dim` as one node that saves only its output.
 * @example softmaxNode(scores, 3)
 */
export function softmaxNode(x: Tensor, dim: number): Tensor {
  // inside gl.overrideGrad, record the primitives themselves so per-primitive overrides (DeepLift) see them
  if (state.overrides.length) return apply('exp', [apply('logSoftmax', [x], { dim })], null);
  return nodeFor(dim)(x);
}
