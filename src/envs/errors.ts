// Errors of the environments: stepping an episode that is over, or before reset.
import { GradlabError } from '../core/errors.js';

/**
 * An environment was stepped before `reset()` or after its episode ended (terminated or truncated).
 * @example
 * try {
 *   new gl.envs.CartPole().step(0);
 * } catch (e) {
 *   if (e instanceof gl.envs.EnvStateError) console.log(e.message); // CartPole.step: call reset() before the first step
 * }
 */
export class EnvStateError extends GradlabError {}
