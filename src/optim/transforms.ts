// Gradient transforms for an optimizer's `transforms` option: clip by norm/value, noise, custom hooks, chain.
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { keep, tidy, type Tensor } from '../core/tensor.js';
import {
  addGradNoise,
  clipGradNorm,
  clipGradNormTensor,
  clipGradValue,
  type ClipGradNormOptions,
} from './clip.js';
import type { GradTransform, Json } from './types.js';
import { nonNegative } from './validate.js';

/**
 * A transform that clips by total norm; `lastNorm` is the norm it measured at its last call. On
 * backends that cannot read synchronously (webgpu) `lastNorm` stays NaN and the norm is kept on the
 * device as `lastNormTensor` instead (read it with `await t.lastNormTensor.itemAsync()`).
 */
export interface ClipByNorm extends GradTransform {
  /** The total gradient norm (before clipping) measured at the last call; NaN before any, and on webgpu. */
  lastNorm: number;
  /** The last norm as a 0-d tensor, on webgpu only (null elsewhere); replaced (and released) at every call. */
  lastNormTensor: Tensor | null;
}

/**
 * Clips the gradients' total norm to `maxNorm` (see clipGradNorm) at every step; on webgpu through
 * clipGradNormTensor, so a step never waits for a read.
 * @example new gl.optim.Adam(params, { transforms: [gl.optim.clipByNorm(1.0)] });
 */
export function clipByNorm(maxNorm: number, opts: ClipGradNormOptions = {}): ClipByNorm {
  nonNegative('clipByNorm', 'maxNorm', maxNorm);
  return {
    name: 'clipByNorm',
    lastNorm: NaN,
    lastNormTensor: null,
    apply(params) {
      if (params.some((p) => p.grad?.storage.backend.capabilities.syncRead === false)) {
        this.lastNormTensor?.dispose();
        this.lastNormTensor = clipGradNormTensor(params, maxNorm, opts);
      } else this.lastNorm = clipGradNorm(params, maxNorm, opts);
    },
  };
}

/**
 * Clamps every gradient element to [-clipValue, clipValue] at every step.
 * @example gl.optim.clipByValue(0.5)
 */
export function clipByValue(clipValue: number): GradTransform {
  nonNegative('clipByValue', 'clipValue', clipValue);
  return { name: 'clipByValue', apply: (params) => clipGradValue(params, clipValue) };
}

/** Options of gradNoise. */
export interface GradNoiseOptions {
  /** The noise std at call t (from 0) is `std / (1 + t)^decay` (default 0: constant). */
  decay?: number;
  /** The stream to draw from (default: a new Generator(seed)). Its position is saved in stateDict. */
  generator?: Generator;
  /** Seed of the default generator (default 0). */
  seed?: number;
  /**
   * Clip the gradients' total ℓ₂ norm to this before adding the noise (as the paper does for its
   * memory networks; default: no clipping). `lastNorm` then holds the norm measured before clipping.
   */
  maxNorm?: number;
}

/** The paper's parametrisation of gradNoise: the noise **variance** at call t is `eta / (1 + t)^gamma`. */
export interface AnnealedNoiseOptions extends Omit<GradNoiseOptions, 'decay'> {
  /** η: the variance at t = 0 (the paper's grid: 0.01, 0.3, 1.0). */
  eta: number;
  /** γ of the annealing (default 0.55, the paper's). */
  gamma?: number;
}

/** What gradNoise returns: a transform with its call count and schedule. */
export interface GradNoise extends GradTransform {
  /** Calls so far (t of the decay formula); saved in stateDict. */
  calls: number;
  /** The noise standard deviation at call t. */
  stdAt(t: number): number;
  /** With `maxNorm`: the total gradient norm before clipping at the last call (NaN before any). */
  lastNorm: number;
}

/**
 * Adds Gaussian noise to the gradients (Neelakantan et al., 2015), fresh for every element at every
 * call, drawn from a seeded Generator so runs (and resumed runs, through stateDict) are reproducible.
 * Two forms: `gradNoise(std, { decay })` — std `std / (1 + t)^decay` at the t-th call (t from 0) — and
 * the paper's `gradNoise({ eta, gamma = 0.55 })` — **variance** `eta / (1 + t)^gamma`, i.e. std
 * `√(eta / (1 + t)^gamma)`. With `maxNorm` the gradients' total norm is clipped first, then the
 * noise is added (clip → noise, in one transform).
 * @example
 * gl.optim.gradNoise(0.01, { decay: 0.55, seed: 1 });
 * gl.optim.gradNoise({ eta: 0.3, gamma: 0.55, seed: 1, maxNorm: 10 });
 */
export function gradNoise(std: number | AnnealedNoiseOptions, opts: GradNoiseOptions = {}): GradNoise {
  let std0: number;
  let decay: number;
  let o: GradNoiseOptions;
  if (typeof std === 'object' && std !== null) {
    const { eta, gamma, ...rest } = std;
    nonNegative('gradNoise', 'eta', eta);
    const g = gamma ?? 0.55;
    nonNegative('gradNoise', 'gamma', g);
    std0 = Math.sqrt(eta);
    decay = g / 2; // √(η / (1+t)^γ) = √η / (1+t)^(γ/2)
    o = rest;
  } else {
    nonNegative('gradNoise', 'std', std);
    std0 = std;
    decay = opts.decay ?? 0;
    nonNegative('gradNoise', 'decay', decay);
    o = opts;
  }
  if (o.maxNorm !== undefined) nonNegative('gradNoise', 'maxNorm', o.maxNorm);
  const generator = o.generator ?? new Generator(o.seed ?? 0);
  const maxNorm = o.maxNorm;
  return {
    name: 'gradNoise',
    calls: 0,
    lastNorm: NaN,
    stdAt: (t: number) => std0 / (1 + t) ** decay,
    apply(params) {
      if (maxNorm !== undefined) {
        if (params.some((p) => p.grad?.storage.backend.capabilities.syncRead === false))
          clipGradNormTensor(params, maxNorm).dispose(); // webgpu: no synchronous read (lastNorm stays NaN)
        else this.lastNorm = clipGradNorm(params, maxNorm);
      }
      addGradNoise(params, this.stdAt(this.calls), { generator });
      this.calls++;
    },
    stateDict(): Json {
      const s = generator.getState();
      return { calls: this.calls, key: [...s.key], counter: s.counter };
    },
    loadStateDict(state: Json) {
      const s = state as { calls: number; key: [number, number]; counter: number };
      if (typeof s?.calls !== 'number' || !Array.isArray(s.key) || typeof s.counter !== 'number')
        throw new ArgumentError('gradNoise.loadStateDict: expected { calls, key, counter }');
      this.calls = s.calls;
      generator.setState({ key: s.key, counter: s.counter });
    },
  };
}

/**
 * A custom per-parameter hook: `fn(grad, param)` may return a replacement gradient, null to drop
 * the gradient (the parameter is then not updated), or nothing to keep it. Runs under noGrad.
 * @example gl.optim.gradHook((g) => g.mul(0.5))
 */
export function gradHook(fn: (grad: Tensor, param: Tensor) => Tensor | null | void): GradTransform {
  return {
    name: 'gradHook',
    apply(params) {
      noGrad(() =>
        tidy(() => {
          for (const p of params) {
            if (!p.grad) continue;
            const r = fn(p.grad, p);
            if (r === null) p.grad = null;
            else if (r !== undefined) p.grad = keep(r);
          }
        }),
      );
    },
  };
}

/**
 * Composes transforms into one, applied left to right; its state is the list of theirs.
 * @example const t = gl.optim.chain(gl.optim.clipByNorm(1), gl.optim.gradNoise(1e-3)); t.apply(params);
 */
export function chain(...transforms: GradTransform[]): GradTransform {
  for (const t of transforms)
    if (!t || typeof t.apply !== 'function')
      throw new ArgumentError('chain: every argument must be a gradient transform ({ name, apply })');
  return {
    name: `chain(${transforms.map((t) => t.name).join(', ')})`,
    apply(params) {
      for (const t of transforms) t.apply(params.filter((p) => p.grad !== null));
    },
    stateDict: () => transforms.map((t) => (t.stateDict ? t.stateDict() : null)),
    loadStateDict(state: Json) {
      if (!Array.isArray(state) || state.length !== transforms.length)
        throw new ArgumentError(`chain.loadStateDict: expected an array of ${transforms.length} states`);
      transforms.forEach((t, i) => {
        if (t.loadStateDict && state[i] !== null) t.loadStateDict(state[i]);
      });
    },
  };
}
