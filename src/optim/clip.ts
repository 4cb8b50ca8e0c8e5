// Gradient clipping and noise as plain functions over parameters (like torch.nn.utils.clip_grad_norm_).
import { ArgumentError, GradError } from '../core/errors.js';
import type { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { keep, tidy, type Tensor } from '../core/tensor.js';
import { randn } from '../ops/creation.js';
import { add, cast, clamp, mul } from '../ops/elementwise.js';
import { amax, norm } from '../ops/reduce.js';
import { stack } from '../ops/shape.js';
import { nonNegative } from './validate.js';

/** Options of clipGradNorm. */
export interface ClipGradNormOptions {
  /** The p of the p-norm: 2 (default), 1, Infinity ('inf') or any p > 0. */
  normType?: number | 'inf';
  /** Throw a GradError when the total norm is NaN or Inf (default false). */
  errorIfNonfinite?: boolean;
}

const withGrad = (params: Iterable<Tensor> | Tensor): Tensor[] =>
  (Symbol.iterator in params ? [...params] : [params]).filter((p) => p.grad !== null);

/**
 * Scales the gradients of `params` so that their total norm (the norm of all of them taken as
 * one vector) is at most `maxNorm`, multiplying by `maxNorm / (total + 1e-6)` when it is larger;
 * returns the total norm before clipping. Gradients are replaced, not written in place.
 * @example const norm = gl.optim.clipGradNorm(model.parameters(), 1.0);
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  opts: ClipGradNormOptions = {},
): number {
  nonNegative('clipGradNorm', 'maxNorm', maxNorm);
  const p = opts.normType === 'inf' ? Infinity : (opts.normType ?? 2);
  if (typeof p !== 'number' || !(p > 0))
    throw new ArgumentError(
      `clipGradNorm: invalid normType: expected a number > 0 or 'inf', got ${opts.normType}`,
    );
  const ps = withGrad(params);
  if (ps.length === 0) return 0;
  return noGrad(() =>
    tidy(() => {
      const norms = stack(ps.map((q) => cast(norm(q.grad!, p), 'float64')));
      const total = (p === Infinity ? amax(norms) : norm(norms, p)).item();
      if (opts.errorIfNonfinite && !Number.isFinite(total))
        throw new GradError(
          `clipGradNorm: the total norm of order ${p} of the gradients is ${total}; pass errorIfNonfinite: false to clip anyway`,
        );
      const coef = maxNorm / (total + 1e-6);
      if (coef < 1) for (const q of ps) q.grad = keep(mul(q.grad!, coef));
      return total;
    }),
  );
}

/**
 * Clamps every gradient element of `params` to [-clipValue, clipValue] (gradients are replaced).
 * @example gl.optim.clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  nonNegative('clipGradValue', 'clipValue', clipValue);
  const ps = withGrad(params);
  noGrad(() => tidy(() => ps.forEach((q) => (q.grad = keep(clamp(q.grad!, -clipValue, clipValue))))));
}

/**
 * Adds Gaussian noise of standard deviation `std` to every gradient of `params`, drawn from
 * `generator` (the default stream when omitted).
 * @example gl.optim.addGradNoise(params, 0.01, { generator: new gl.Generator(1) });
 */
export function addGradNoise(
  params: Iterable<Tensor> | Tensor,
  std: number,
  opts: { generator?: Generator } = {},
): void {
  nonNegative('addGradNoise', 'std', std);
  const ps = withGrad(params);
  noGrad(() =>
    tidy(() =>
      ps.forEach((q) => {
        const g = q.grad!;
        q.grad = keep(add(g, randn(g.shape, { dtype: g.dtype, generator: opts.generator }), { alpha: std }));
      }),
    ),
  );
}
