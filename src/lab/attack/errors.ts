// Named errors of gl.attacks: bad attack options, labels out of range, inputs outside [0, 1], models of the wrong output shape.
import { ArgumentError, IndexOutOfRangeError, ShapeError } from '../../core/errors.js';

/** An attack option out of its range (ε < 0, steps ≤ 0, α ≤ 0, an unknown norm ...); the message names the option, what was expected and what came. */
export class AttackOptionError extends ArgumentError {}

/** A label (or target label) outside [0, classes) or labels of the wrong shape or dtype. */
export class AttackLabelError extends IndexOutOfRangeError {}

/** Inputs that are not a float batch with values in [0, 1] (attacks work in input space; normalization is given separately). */
export class AttackInputError extends ArgumentError {}

/** The model returned something other than logits of shape [N, classes] for a batch of N inputs. */
export class ModelOutputError extends ShapeError {}
