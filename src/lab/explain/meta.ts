// Meta-saliency (paper 26): one SGD step toward the target class, the saliency, then the weights restored.
import { ArgumentError } from '../../core/errors.js';
import { grad } from '../../core/functional.js';
import { enableGrad, noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { crossEntropy } from '../../ops/losses.js';
import { tensor } from '../../ops/tensor-like.js';
import type { Module } from '../../nn/module.js';
import { targetIndices, type Target } from './common.js';

/** Options of metaSaliency. */
export interface MetaSaliencyOptions {
  /** The class the step moves toward (per example or one for all). */
  target: Target;
  /** SGD learning rate of the step (default 1e-4, TorchRay's). */
  lr?: number;
  /** Step away from the target instead (TorchRay's `negate`). */
  negate?: boolean;
}

/**
 * Meta-saliency (Rebuffi et al., TorchRay's meta_saliency): snapshots the model's parameters, takes one
 * SGD step on crossEntropy(model(x), target), runs `saliency` on the updated model, and restores the
 * parameters (also when `saliency` throws).
 * @example const m = gl.explain.metaSaliency(model, x, () => new gl.explain.NormGrad(model, model.conv3).attribute(x, { target: 3 }), { target: 3, lr: 1e-3 });
 */
export function metaSaliency<T>(model: Module, x: Tensor, saliency: () => T, opts: MetaSaliencyOptions): T {
  const lr = opts.lr ?? 1e-4;
  if (!(lr > 0)) throw new ArgumentError(`metaSaliency: lr must be positive, got ${opts.lr}`);
  const idx = targetIndices(opts.target, x.shape[0]);
  if (!idx) throw new ArgumentError('metaSaliency: a target is required');
  const params = model.parameters().filter((p) => p.requiresGrad);
  const snapshot = noGrad(() => params.map((p) => p.clone()));
  try {
    const grads = enableGrad(() => {
      const loss = crossEntropy(model.forward(x), Array.isArray(idx) ? tensor(idx, { dtype: 'int32' }) : idx);
      return grad(opts.negate ? loss.neg() : loss, params, { allowUnused: true });
    });
    noGrad(() => params.forEach((p, i) => grads[i] && p.sub_(grads[i]!.mul(lr))));
    return saliency();
  } finally {
    noGrad(() => params.forEach((p, i) => p.copy_(snapshot[i])));
  }
}
