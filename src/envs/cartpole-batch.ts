// gl.envs.CartPoleBatch: many CartPole episodes stepped in lockstep over typed arrays (finished ones stay frozen).
import { ArgumentError } from '../core/errors.js';
import { Generator } from '../core/random/generator.js';
import { CARTPOLE, cartpoleInitInPlace, cartpoleStepInPlace } from './cartpole-physics.js';
import { EnvStateError } from './errors.js';

/**
 * `n` CartPole-v1 episodes stepped together: one action per episode per step, finished episodes keep
 * their state and return. Episode `i` started from `reset(seeds)` follows exactly the trajectory of
 * `new CartPole().reset(new Generator(seeds[i]))` under the same actions.
 * @example
 * const envs = new gl.envs.CartPoleBatch(3);
 * envs.reset([0, 1, 2]);
 * while (!envs.allDone()) {
 *   const obs = envs.observations(); // [3 × 4] float32, row-major
 *   envs.step(Array.from({ length: 3 }, (_, i) => (obs[4 * i + 2] > 0 ? 1 : 0)));
 * }
 * envs.returns; // Float64Array of 3 returns
 */
export class CartPoleBatch {
  /** States (x, ẋ, θ, θ̇) of every episode, row-major [n × 4], float64. */
  readonly states: Float64Array;
  /** 1 while episode i runs. */
  readonly running: Uint8Array;
  /** Sum of rewards of each episode so far. */
  readonly returns: Float64Array;
  /** Steps each episode took. */
  readonly steps: Int32Array;
  /** Step cap of every episode (CartPole-v1: 500). */
  readonly maxSteps: number;
  private started = false;

  constructor(
    /** Number of episodes stepped in lockstep. */
    readonly n: number,
    opts: { maxSteps?: number } = {},
  ) {
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError(`CartPoleBatch: n must be an integer >= 1, got ${n}`);
    const m = opts.maxSteps ?? CARTPOLE.maxSteps;
    if (!Number.isInteger(m) || m < 1)
      throw new ArgumentError(`CartPoleBatch: maxSteps must be an integer >= 1, got ${opts.maxSteps}`);
    this.maxSteps = m;
    this.states = new Float64Array(4 * n);
    this.running = new Uint8Array(n);
    this.returns = new Float64Array(n);
    this.steps = new Int32Array(n);
  }

  /**
   * Starts every episode; episode i's initial state comes from `new Generator(seeds[i])`.
   * @example
   * const envs = new gl.envs.CartPoleBatch(3);
   * envs.reset([0, 1, 2]); // episode i starts like new CartPole().reset(new Generator(i))
   */
  reset(seeds: readonly number[]): void {
    if (seeds.length !== this.n)
      throw new ArgumentError(`CartPoleBatch.reset: expected ${this.n} seeds, got ${seeds.length}`);
    for (let i = 0; i < this.n; i++) cartpoleInitInPlace(this.states, 4 * i, new Generator(seeds[i]));
    this.running.fill(1);
    this.returns.fill(0);
    this.steps.fill(0);
    this.started = true;
  }

  /**
   * The observations [n × 4] as float32 (finished episodes show their last state).
   * @example
   * const envs = new gl.envs.CartPoleBatch(3);
   * envs.reset([0, 1, 2]);
   * envs.observations().length; // 12: 3 episodes × 4 state variables
   */
  observations(): Float32Array {
    return Float32Array.from(this.states);
  }

  /**
   * One step of every running episode; `actions[i]` (0 or 1) is ignored for finished ones.
   * @example
   * const envs = new gl.envs.CartPoleBatch(3, { maxSteps: 100 });
   * envs.reset([0, 1, 2]);
   * while (!envs.allDone()) envs.step([0, 1, 1]);
   */
  step(actions: ArrayLike<number>): void {
    if (!this.started) throw new EnvStateError('CartPoleBatch.step: call reset() before the first step');
    if (actions.length !== this.n)
      throw new ArgumentError(`CartPoleBatch.step: expected ${this.n} actions, got ${actions.length}`);
    for (let i = 0; i < this.n; i++) {
      if (!this.running[i]) continue;
      const a = actions[i];
      if (a !== 0 && a !== 1)
        throw new ArgumentError(`CartPoleBatch.step: action ${i} must be 0 or 1, got ${a}`);
      const terminated = cartpoleStepInPlace(this.states, 4 * i, a);
      this.steps[i]++;
      this.returns[i] += 1;
      if (terminated || this.steps[i] >= this.maxSteps) this.running[i] = 0;
    }
  }

  /**
   * Whether every episode has ended.
   * @example
   * const envs = new gl.envs.CartPoleBatch(2, { maxSteps: 10 });
   * envs.reset([0, 1]);
   * for (let t = 0; t < 10; t++) envs.step([0, 1]);
   * envs.allDone(); // true: every episode ended (fell or reached 10 steps)
   */
  allDone(): boolean {
    return this.running.every((r) => r === 0);
  }
}
