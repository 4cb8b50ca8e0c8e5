// Leaky integrate-and-fire neurons with a surrogate-gradient spike, stepped through time (BPTT or SLTT).
import { customGrad } from '../../core/custom.js';
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { zerosLike } from '../../ops/creation.js';
import { abs, add, clamp, gt, mul, sigmoid, sub } from '../../ops/elementwise.js';
import { Module } from '../../nn/module.js';

/** Surrogate derivative of the Heaviside spike, as a function of u − V_th. */
export type Surrogate = 'triangle' | 'rectangle' | 'sigmoid';

function surrogateGrad(kind: Surrogate, x: Tensor, alpha: number, vth: number): Tensor {
  switch (kind) {
    case 'triangle': // max(0, α − α²|x|) (spikingjelly PiecewiseQuadratic with α = 1, as in SLTT)
      return clamp(sub(alpha, mul(abs(x), alpha * alpha)), 0, null);
    case 'rectangle': // (1/V_th)·1[|x| < V_th/2]
      return mul(gt(mul(abs(x), -1), -vth / 2).float(), 1 / vth);
    case 'sigmoid': {
      const s = sigmoid(mul(x, 4 * alpha));
      return mul(mul(s, sub(1, s)), 4 * alpha);
    }
  }
}

/**
 * The spike function: forward H(x) (1 where x > 0), backward the surrogate derivative at x.
 * @example const s = gl.lab.snn.spike(u.sub(1)); // u − V_th
 */
export function spike(x: Tensor, opts: { surrogate?: Surrogate; alpha?: number; vth?: number } = {}): Tensor {
  const kind = opts.surrogate ?? 'triangle';
  const alpha = opts.alpha ?? 1;
  const vth = opts.vth ?? 1;
  return spikeFn(kind, alpha, vth)(x);
}

const cache = new Map<string, (x: Tensor) => Tensor>();
function spikeFn(kind: Surrogate, alpha: number, vth: number): (x: Tensor) => Tensor {
  const key = `${kind}:${alpha}:${vth}`;
  let f = cache.get(key);
  if (!f) {
    f = customGrad({
      name: `spike(${kind})`,
      forward(ctx, x: Tensor) {
        ctx.save(x);
        return gt(x, 0).float();
      },
      backward(ctx, g) {
        return [mul(g, surrogateGrad(kind, ctx.saved[0]!, alpha, vth))];
      },
    });
    cache.set(key, f);
  }
  return f;
}

/** Options of LIF. */
export interface LIFOptions {
  /** Membrane time constant: decay λ = 1 − 1/τ (SLTT default τ = 1.1, λ ≈ 0.091). */
  tau?: number;
  /** Threshold V_th (default 1); reset is soft: u ← u − V_th·s, not detached. */
  vth?: number;
  /** The surrogate derivative used in backward (default 'triangle', as in SLTT). */
  surrogate?: Surrogate;
  /** Sharpness α of the triangle and sigmoid surrogates (default 1). */
  alpha?: number;
}

/**
 * A layer of LIF neurons with state. Each `forward(I)` is one time step: u = λ·v + I, s = H(u − V_th),
 * v = u − V_th·s. In `detachState` mode (SLTT) the previous v is a constant: the temporal route is cut
 * and backward can run per step. `reset()` before each sequence.
 * @example
 * const lif = new gl.lab.snn.LIF({ tau: 1.1 });
 * lif.reset(); for (let t = 0; t < T; t++) out.push(lif.forward(fc.forward(x)));
 */
export class LIF extends Module {
  /** Membrane time constant τ. */
  readonly tau: number;
  /** Firing threshold V_th. */
  readonly vth: number;
  /** The surrogate derivative used in backward. */
  readonly surrogate: Surrogate;
  /** The surrogate's sharpness α. */
  readonly alpha: number;
  /** Cut the temporal route (SLTT): the state enters each step detached. */
  detachState = false;
  private v: Tensor | null = null;

  constructor(opts: LIFOptions = {}) {
    super();
    this.tau = opts.tau ?? 1.1;
    if (!(this.tau >= 1)) throw new ArgumentError(`LIF: tau must be ≥ 1, got ${this.tau}`);
    this.vth = opts.vth ?? 1;
    this.surrogate = opts.surrogate ?? 'triangle';
    this.alpha = opts.alpha ?? 1;
  }

  /**
   * Forgets the membrane state (start of a sequence).
   * @example
   * const lif = new gl.lab.snn.LIF({ tau: 2 });
   * lif.forward(gl.ones([1, 4]));
   * lif.reset(); // the next forward starts from a zero membrane
   */
  reset(): void {
    this.v = null;
  }

  /** The membrane potential after the last step (null before the first). */
  get state(): Tensor | null {
    return this.v;
  }

  override forward(input: Tensor): Tensor {
    const prev = this.v ?? zerosLike(input);
    const u = add(mul(this.detachState ? prev.detach() : prev, 1 - 1 / this.tau), input);
    const s = spike(sub(u, this.vth), { surrogate: this.surrogate, alpha: this.alpha, vth: this.vth });
    // with the temporal route cut, the next step reads v detached: record nothing for it (a recorded
    // reset would keep its saved scalar until the abandoned graph is collected)
    const reset = () => sub(u, mul(s, this.vth));
    this.v = this.detachState ? noGrad(reset) : reset();
    return s;
  }
}
