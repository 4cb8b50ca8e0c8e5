// gl.envs.CartPole: one CartPole-v1 episode at a time (classic-control dynamics, ±2.4 / ±12° termination, 500-step cap).
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { CARTPOLE, cartpoleInitInPlace, cartpoleStepInPlace } from './cartpole-physics.js';
import { EnvStateError } from './errors.js';

/** What `CartPole.step` returns (Gym's five-tuple without `info`). */
export interface StepOutcome {
  /** (x, ẋ, θ, θ̇) after the step, as float32 (Gym's observation dtype); the dynamics run in float64. */
  observation: Float32Array;
  /** 1 for every step, the terminating one included. */
  reward: number;
  /** The pole fell (|θ| > 12°) or the cart left the track (|x| > 2.4). */
  terminated: boolean;
  /** The episode reached `maxSteps` without terminating. */
  truncated: boolean;
}

/**
 * The cart-pole balancing task as Gym's CartPole-v1 defines it: actions 0 (push left) and 1 (push right),
 * reward 1 per step, episodes end when the pole passes ±12° or the cart ±2.4, or after 500 steps.
 * @example
 * const env = new gl.envs.CartPole();
 * let obs = env.reset(new gl.Generator(0));
 * let total = 0;
 * for (;;) {
 *   const r = env.step(obs[2] > 0 ? 1 : 0); // push toward the side the pole leans to
 *   total += r.reward;
 *   if (r.terminated || r.truncated) break;
 *   obs = r.observation;
 * }
 */
export class CartPole {
  /** The state (x, ẋ, θ, θ̇) in float64. */
  readonly state = new Float64Array(4);
  /** Steps taken in the current episode. */
  steps = 0;
  private live = false;
  /** Step cap: an episode that reaches it ends truncated (CartPole-v1: 500). */
  readonly maxSteps: number;

  constructor(opts: { maxSteps?: number } = {}) {
    const m = opts.maxSteps ?? CARTPOLE.maxSteps;
    if (!Number.isInteger(m) || m < 1)
      throw new ArgumentError(`CartPole: maxSteps must be an integer >= 1, got ${opts.maxSteps}`);
    this.maxSteps = m;
  }

  /**
   * Starts an episode: each state variable uniform in ±0.05 from `generator` (four draws).
   * @example
   * const env = new gl.envs.CartPole();
   * const obs = env.reset(new gl.Generator(1)); // Float32Array [x, ẋ, θ, θ̇]
   */
  reset(generator: Generator = new Generator(0)): Float32Array {
    cartpoleInitInPlace(this.state, 0, generator);
    this.steps = 0;
    this.live = true;
    return Float32Array.from(this.state);
  }

  /**
   * One step of 0.02 s under `action` (0 or 1). Throws EnvStateError once the episode has ended.
   * @example
   * const env = new gl.envs.CartPole({ maxSteps: 200 });
   * env.reset(new gl.Generator(0));
   * let total = 0;
   * for (;;) {
   *   const { reward, terminated, truncated } = env.step(total % 2); // alternate left and right
   *   total += reward;
   *   if (terminated || truncated) break;
   * }
   */
  step(action: number): StepOutcome {
    if (action !== 0 && action !== 1)
      throw new ArgumentError(`CartPole.step: action must be 0 or 1, got ${action}`);
    if (!this.live)
      throw new EnvStateError(
        this.steps === 0
          ? 'CartPole.step: call reset() before the first step'
          : `CartPole.step: the episode ended after ${this.steps} steps; call reset()`,
      );
    const terminated = cartpoleStepInPlace(this.state, 0, action);
    this.steps++;
    const truncated = !terminated && this.steps >= this.maxSteps;
    if (terminated || truncated) this.live = false;
    return { observation: Float32Array.from(this.state), reward: 1, terminated, truncated };
  }
}
