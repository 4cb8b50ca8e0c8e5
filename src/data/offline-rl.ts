// The toy offline-RL task of paper 35 (ODICE): a 2-D point mass, a goal disc, and a dataset from a noisy expert and a random policy.
import { ArgumentError } from '../core/errors.js';
import type { Generator } from '../core/random/generator.js';
import type { Tensor } from '../core/tensor.js';
import { fromTypedArray } from '../ops/tensor-like.js';
import { generatorFrom, normals, uniforms, type SeedOptions } from './random.js';

/** The point-mass task's constants (paper notes 35). */
export const POINT_MASS = {
  /** Largest action per coordinate: a ∈ [−maxAction, maxAction]². */
  maxAction: 0.1,
  /** Standard deviation of the transition noise. */
  transitionNoise: 0.01,
  /** Centre of the goal disc. */
  goal: [0.8, 0.8] as const,
  /** Radius of the goal disc (reward 1 inside, else 0). */
  goalRadius: 0.15,
  /** Steps per episode. */
  horizon: 60,
  /** Mean start state. */
  start: [-0.8, -0.8] as const,
  /** Standard deviation of the start state around `start`. */
  startNoise: 0.05,
};

const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * One step of the point mass for a batch of states (row-major [n, 2]) and actions (clipped to ±0.1):
 * s′ = clip(s + a + N(0, 0.01²), −1, 1); the reward is 1 when s′ lies in the goal disc, else 0.
 * @example const { next, reward } = gl.data.pointMassStep(new Float64Array([0, 0]), new Float64Array([0.1, 0.1]), new gl.Generator(0));
 */
export function pointMassStep(
  states: Float64Array,
  actions: Float64Array,
  generator: Generator,
): {
  /** The next states, [n, 2]. */
  next: Float64Array;
  /** The rewards r(s′), [n]. */
  reward: Float64Array;
} {
  if (states.length % 2 !== 0 || actions.length !== states.length)
    throw new ArgumentError(
      `pointMassStep: expected states and actions [n, 2] of the same size, got ${states.length} and ${actions.length} values`,
    );
  const n = states.length / 2;
  const z = normals(generator, 2 * n);
  const next = new Float64Array(2 * n);
  const reward = new Float64Array(n);
  const A = POINT_MASS.maxAction;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 2; j++)
      next[2 * i + j] = clip(
        states[2 * i + j] + clip(actions[2 * i + j], -A, A) + POINT_MASS.transitionNoise * z[2 * i + j],
        -1,
        1,
      );
    const dx = next[2 * i] - POINT_MASS.goal[0];
    const dy = next[2 * i + 1] - POINT_MASS.goal[1];
    reward[i] = Math.hypot(dx, dy) <= POINT_MASS.goalRadius ? 1 : 0;
  }
  return { next, reward };
}

/**
 * `n` start states (row-major [n, 2]): `start` plus Gaussian noise of standard deviation `noise` (default 0.05), clipped to [−1, 1].
 * @example const s0 = gl.data.pointMassStarts(20, new gl.Generator(0), 0.15);
 */
export function pointMassStarts(
  n: number,
  generator: Generator,
  noise: number = POINT_MASS.startNoise,
): Float64Array {
  const z = normals(generator, 2 * n);
  return Float64Array.from(z, (v, i) => clip(POINT_MASS.start[i % 2] + noise * v, -1, 1));
}

/** The transitions of an offline dataset, float32 tensors. */
export interface OfflineDataset {
  /** States s, [N, 2]. */
  states: Tensor;
  /** Actions a, [N, 2]. */
  actions: Tensor;
  /** Rewards r(s′), [N]. */
  rewards: Tensor;
  /** Next states s′, [N, 2]. */
  nextStates: Tensor;
  /** 1 where the episode terminated at s′ (never here: episodes are cut at the horizon), [N]. */
  dones: Tensor;
}

/** Options of `pointMassOffline`. */
export interface PointMassOfflineOptions extends SeedOptions {
  /** Episodes (default 200), half from the noisy expert, half from the uniform random policy. */
  trajectories?: number;
  /** Standard deviation of the expert's action noise (default 0.05). */
  expertNoise?: number;
}

/**
 * The offline dataset of paper 35's toy task (notes 35): `trajectories` episodes of 60 steps from starts near
 * (−0.8, −0.8); even episodes follow a noisy expert (0.1 · the unit direction to the goal plus N(0, 0.05²) per
 * coordinate, clipped to ±0.1), odd ones a uniformly random action in [−0.1, 0.1]². States concentrate on the
 * diagonal corridor; the random half stays near the start.
 * @example const data = gl.data.pointMassOffline({ trajectories: 200, seed: 0 }); // 12,000 transitions
 */
export function pointMassOffline(opts: PointMassOfflineOptions = {}): OfflineDataset {
  const T = opts.trajectories ?? 200;
  if (!Number.isInteger(T) || T < 1)
    throw new ArgumentError(`pointMassOffline: trajectories must be a positive integer, got ${T}`);
  const sigma = opts.expertNoise ?? 0.05;
  const gen = generatorFrom(opts, 'pointMassOffline');
  const H = POINT_MASS.horizon;
  const N = T * H;
  const S = new Float32Array(2 * N);
  const Aout = new Float32Array(2 * N);
  const R = new Float32Array(N);
  const S2 = new Float32Array(2 * N);
  let s = pointMassStarts(T, gen);
  const A = POINT_MASS.maxAction;
  for (let t = 0; t < H; t++) {
    const a = new Float64Array(2 * T);
    const z = normals(gen, 2 * T);
    const u = uniforms(gen, 2 * T);
    for (let k = 0; k < T; k++) {
      if (k % 2 === 0) {
        const dx = POINT_MASS.goal[0] - s[2 * k];
        const dy = POINT_MASS.goal[1] - s[2 * k + 1];
        const d = Math.hypot(dx, dy) || 1;
        a[2 * k] = clip((A * dx) / d + sigma * z[2 * k], -A, A);
        a[2 * k + 1] = clip((A * dy) / d + sigma * z[2 * k + 1], -A, A);
      } else {
        a[2 * k] = (2 * u[2 * k] - 1) * A;
        a[2 * k + 1] = (2 * u[2 * k + 1] - 1) * A;
      }
    }
    const { next, reward } = pointMassStep(s, a, gen);
    for (let k = 0; k < T; k++) {
      const row = k * H + t;
      for (let j = 0; j < 2; j++) {
        S[2 * row + j] = s[2 * k + j];
        Aout[2 * row + j] = a[2 * k + j];
        S2[2 * row + j] = next[2 * k + j];
      }
      R[row] = reward[k];
    }
    s = next;
  }
  return {
    states: fromTypedArray(S, [N, 2], 'float32'),
    actions: fromTypedArray(Aout, [N, 2], 'float32'),
    rewards: fromTypedArray(R, [N], 'float32'),
    nextStates: fromTypedArray(S2, [N, 2], 'float32'),
    dones: fromTypedArray(new Float32Array(N), [N], 'float32'),
  };
}
