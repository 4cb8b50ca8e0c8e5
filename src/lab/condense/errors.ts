// Named errors of gl.condense: an option out of its range, synthetic/real sets that do not fit together.
import { ArgumentError } from '../../core/errors.js';

/**
 * A condensation option out of its range (ipc < 1, lr ≤ 0, a class without real images ...); the message names the option, what was expected and what came.
 * @example
 * try {
 *   gl.condense.matchDistance([], []);
 * } catch (e) {
 *   console.log(e instanceof gl.condense.CondenseOptionError); // true
 * }
 */
export class CondenseOptionError extends ArgumentError {}
