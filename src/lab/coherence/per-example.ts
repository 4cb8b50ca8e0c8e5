// Per-example gradients by a loop of single-example backward calls (to be replaced by gl.perExampleGrads once merged).
import { ArgumentError } from '../../core/errors.js';
import type { Tensor } from '../../core/tensor.js';
import { enableGrad } from '../../core/state.js';
import type { Module } from '../../nn/module.js';

/**
 * The gradient of `lossFn(model(xᵢ), yᵢ)` with respect to every trainable parameter, for each example i, flattened
 * into one Float64Array per example (parameters in `model.parameters()` order). A loop of single-example backward
 * calls (batch dimension 0 kept, size 1); the model's `.grad`s are left as they were.
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
  const params = model.parameters().filter((p) => p.requiresGrad);
  const size = params.reduce((a, p) => a + p.numel, 0);
  const saved = params.map((p) => p.grad);
  const out: Float64Array[] = [];
  try {
    for (let i = 0; i < m; i++) {
      for (const p of params) p.grad = null;
      enableGrad(() => lossFn(model.forward(x.narrow(0, i, 1)) as Tensor, y.narrow(0, i, 1)).backward());
      const g = new Float64Array(size);
      let o = 0;
      for (const p of params) {
        if (p.grad) g.set((await p.grad.data()) as ArrayLike<number>, o);
        o += p.numel;
      }
      out.push(g);
    }
  } finally {
    params.forEach((p, k) => (p.grad = saved[k]));
  }
  return out;
}
