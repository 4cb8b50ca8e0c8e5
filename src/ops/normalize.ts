// Normalization (layerNorm, batchNorm in training) as one node that saves what PyTorch's saves: x, mean, rstd, weight.
import { customGrad } from '../core/custom.js';
import { state } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul, rsqrt, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { reshape } from './shape.js';

/** The batch statistics of a normalization: mean and biased variance over the normalized dims (kept). */
export interface NormStats {
  mean: Tensor;
  variance: Tensor;
}

/** `t` summed down to `shape` (which broadcasts to t.shape). */
function sumTo(t: Tensor, shape: readonly number[]): Tensor {
  const lead = t.ndim - shape.length;
  const dims = t.shape.map((_, i) => i).filter((i) => i < lead || shape[i - lead] === 1);
  return dims.length ? reshape(sum(t, dims, true), shape) : t;
}

/**
 * (x - mean) * rsqrt(var + eps) over `dims` (biased variance), times `weight`, plus `bias` (both
 * broadcasting to x, or null), as one recorded node. Returns the result and the batch statistics
 * (off the tape, for running averages). Backward: the usual closed form; with createGraph it
 * recomputes the statistics from x with differentiable ops, so second derivatives are exact.
 * @example const { y } = normalize(x, [2], gamma, beta, 1e-5)
 */
export function normalize(
  x: Tensor,
  dims: number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): { y: Tensor; stats: NormStats } {
  let stats: NormStats | null = null;
  const node = customGrad({
    name: 'normalize',
    forward(ctx, x: Tensor, w: Tensor | null, b: Tensor | null): Tensor {
      const mu = mean(x, dims, true);
      const centered = sub(x, mu);
      const variance = mean(mul(centered, centered), dims, true);
      const rstd = rsqrt(add(variance, eps));
      stats = { mean: mu, variance };
      let y = mul(centered, rstd);
      centered.dispose();
      if (w) y = mul(y, w);
      if (b) y = add(y, b);
      if (ctx.needsInputGrad.some(Boolean)) ctx.save(x, mu, rstd, w);
      return y;
    },
    backward(ctx, g): (Tensor | null)[] {
      const [x, mu0, rstd0, w] = ctx.saved as [Tensor, Tensor, Tensor, Tensor | null];
      let mu = mu0;
      let rstd = rstd0;
      if (state.gradEnabled) {
        // createGraph: the statistics as functions of x, so that the gradient differentiates again
        mu = mean(x, dims, true);
        const c = sub(x, mu);
        rstd = rsqrt(add(mean(mul(c, c), dims, true), eps));
      }
      const xhat = mul(sub(x, mu), rstd);
      const gh = w ? mul(g, w) : g;
      const [needX, needW, needB] = ctx.needsInputGrad;
      const dx = needX
        ? mul(rstd, sub(sub(gh, mean(gh, dims, true)), mul(xhat, mean(mul(gh, xhat), dims, true))))
        : null;
      const dw = needW && w ? sumTo(mul(g, xhat), w.shape) : null;
      const db = needB && bias ? sumTo(g, bias.shape) : null;
      return [dx, dw, db];
    },
  });
  const y = node(x, weight, bias);
  return { y, stats: stats! };
}
