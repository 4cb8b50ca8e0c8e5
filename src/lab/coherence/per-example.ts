// Per-example gradients as flat float64 rows (one per example), for the coherence and aggregation estimators.
import { ArgumentError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { enableGrad } from '../../core/state.js';
import type { Module } from '../../nn/module.js';
import { perExampleGrads } from '../../nn/func/per-example.js';

/**
 * The gradient of `lossFn(model(xᵢ), yᵢ)` with respect to every trainable parameter, for each example i, flattened
 * into one Float64Array per example (parameters in `model.parameters()` order). Computed by `gl.perExampleGrads`
 * (its fast path where every trainable layer allows it, vmap otherwise); the model's `.grad`s are left as they were.
 * @example const g = await gl.lab.coherence.perExampleGradients(model, gl.crossEntropy, x, y); // g[i].length = #params
 */
export async function perExampleGradients(
  model: Module,
  lossFn: (out: Tensor, target: Tensor) => Tensor,
  x: Tensor,
  y: Tensor,
): Promise<Float64Array[]> {
  const m = x.shape[0];
  if (y.shape[0] !== m)
    throw new ArgumentError(`perExampleGradients: x has ${m} examples but y has ${y.shape[0]}`);
  const named = model.namedParameters().filter(([, p]) => p.requiresGrad);
  const size = named.reduce((a, [, p]) => a + p.numel, 0);
  const { grads, losses } = enableGrad(() =>
    perExampleGrads(model, (out: Tensor, target: Tensor | null) => lossFn(out, target!), x, y),
  );
  const out = Array.from({ length: m }, () => new Float64Array(size));
  let o = 0;
  for (const [name, p] of named) {
    const g = grads[name];
    if (g) {
      const rows = (await g.data()) as ArrayLike<number>;
      for (let i = 0; i < m; i++) for (let j = 0; j < p.numel; j++) out[i][o + j] = rows[i * p.numel + j];
    }
    o += p.numel;
  }
  for (const g of Object.values(grads)) g.dispose();
  losses.dispose();
  return out;
}
