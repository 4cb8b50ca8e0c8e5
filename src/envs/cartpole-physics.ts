// CartPole's classic-control dynamics (Barto, Sutton & Anderson 1983, as Gym's CartPole-v1 writes them): constants and one Euler step.
import { sampleHost, type Generator } from '../core/random/generator.js';

/** The constants of CartPole-v1 (Gym's classic-control values). */
export const CARTPOLE = {
  /** Gravitational acceleration, m/s². */
  gravity: 9.8,
  /** Mass of the cart, kg. */
  massCart: 1.0,
  /** Mass of the pole, kg. */
  massPole: 0.1,
  /** Half the pole's length. */
  length: 0.5,
  /** Magnitude of the push each action applies, N. */
  forceMag: 10.0,
  /** Seconds per step (explicit Euler). */
  tau: 0.02,
  /** |θ| above this ends the episode: 12 degrees in radians. */
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  /** |x| above this ends the episode. */
  xThreshold: 2.4,
  /** Steps after which an episode is truncated (CartPole-v1's TimeLimit). */
  maxSteps: 500,
  /** Initial state: each of (x, ẋ, θ, θ̇) uniform in ±this. */
  initRange: 0.05,
} as const;

const TOTAL_MASS = CARTPOLE.massPole + CARTPOLE.massCart;
const POLE_MASS_LENGTH = CARTPOLE.massPole * CARTPOLE.length;

/**
 * Advances the state (x, ẋ, θ, θ̇) stored at `s[o..o+3]` by one Euler step under `action` (1 pushes right,
 * 0 left) and returns whether the new state is out of bounds (|x| > 2.4 or |θ| > 12°).
 */
export function cartpoleStepInPlace(s: Float64Array, o: number, action: number): boolean {
  const x = s[o];
  const xDot = s[o + 1];
  const theta = s[o + 2];
  const thetaDot = s[o + 3];
  const force = action === 1 ? CARTPOLE.forceMag : -CARTPOLE.forceMag;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
  const thetaAcc =
    (CARTPOLE.gravity * sin - cos * temp) /
    (CARTPOLE.length * (4.0 / 3.0 - (CARTPOLE.massPole * cos * cos) / TOTAL_MASS));
  const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
  const nx = x + CARTPOLE.tau * xDot;
  const nTheta = theta + CARTPOLE.tau * thetaDot;
  s[o] = nx;
  s[o + 1] = xDot + CARTPOLE.tau * xAcc;
  s[o + 2] = nTheta;
  s[o + 3] = thetaDot + CARTPOLE.tau * thetaAcc;
  return (
    nx < -CARTPOLE.xThreshold ||
    nx > CARTPOLE.xThreshold ||
    nTheta < -CARTPOLE.thetaThreshold ||
    nTheta > CARTPOLE.thetaThreshold
  );
}

/** Writes an initial state (four uniform draws in ±0.05 from `generator`) at `s[o..o+3]`. */
export function cartpoleInitInPlace(s: Float64Array, o: number, generator: Generator): void {
  const u = sampleHost(generator, 4, 'uniform');
  for (let i = 0; i < 4; i++) s[o + i] = (2 * u[i] - 1) * CARTPOLE.initRange;
}
