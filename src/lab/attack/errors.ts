// Named errors of gl.attacks: bad attack options, labels out of range, inputs outside [0, 1], models of the wrong output shape.
import { ArgumentError, IndexOutOfRangeError, ShapeError } from '../../core/errors.js';

/**
 * An attack option out of its range (ε < 0, steps ≤ 0, α ≤ 0, an unknown norm ...); the message names the option, what was expected and what came.
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * try {
 *   gl.attacks.fgsm(model, gl.rand([2, 4]), gl.tensor([0, 1], { dtype: 'int32' }), { eps: -1 });
 * } catch (e) {
 *   if (e instanceof gl.attacks.AttackOptionError) console.log(e.message); // fgsm: eps must be a finite number >= 0, got -1
 * }
 */
export class AttackOptionError extends ArgumentError {}

/**
 * A label (or target label) outside [0, classes) or labels of the wrong shape or dtype.
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * try {
 *   gl.attacks.fgsm(model, gl.rand([2, 4]), gl.tensor([0, 7], { dtype: 'int32' }), { eps: 0.1 });
 * } catch (e) {
 *   if (e instanceof gl.attacks.AttackLabelError) console.log(e.message); // fgsm: labels must lie in [0, 3) ...
 * }
 */
export class AttackLabelError extends IndexOutOfRangeError {}

/**
 * Inputs that are not a float batch with values in [0, 1] (attacks work in input space; normalization is given separately).
 * @example
 * const model = new gl.nn.Linear(4, 3);
 * try {
 *   gl.attacks.fgsm(model, gl.full([2, 4], 5), gl.tensor([0, 1], { dtype: 'int32' }), { eps: 0.1 });
 * } catch (e) {
 *   if (e instanceof gl.attacks.AttackInputError) console.log(e.message); // fgsm: inputs must lie in [0, 1] ...
 * }
 */
export class AttackInputError extends ArgumentError {}

/**
 * The model returned something other than logits of shape [N, classes] for a batch of N inputs.
 * @example
 * const notAClassifier = new gl.nn.Flatten(0); // returns [N * 4], not [N, classes]
 * try {
 *   gl.attacks.fgsm(notAClassifier, gl.rand([2, 4]), gl.tensor([0, 1], { dtype: 'int32' }), { eps: 0.1 });
 * } catch (e) {
 *   if (e instanceof gl.attacks.ModelOutputError) console.log(e.message);
 * }
 */
export class ModelOutputError extends ShapeError {}
