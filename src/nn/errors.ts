// StateDictError: loadStateDict's report of missing, unexpected and mis-shaped entries.
import { ArgumentError } from '../core/errors.js';

/** One entry whose shape in the state dict differs from the model's. */
export interface ShapeMismatch {
  /** The state-dict key. */
  key: string;
  /** The model's shape. */
  expected: readonly number[];
  /** The state dict's shape. */
  got: readonly number[];
}

/**
 * Thrown by `Module.loadStateDict` when the dict does not fit the model. The message names every
 * problem; the fields list them for programs.
 * @example
 * try {
 *   new gl.nn.Linear(2, 2).loadStateDict({});
 * } catch (e) {
 *   if (e instanceof gl.nn.StateDictError) console.log(e.message); // loadStateDict: missing keys: "weight", "bias"
 * }
 */
export class StateDictError extends ArgumentError {
  /** The model's keys absent from the dict (strict loads only). */
  readonly missingKeys: string[];
  /** The dict's keys the model does not have (strict loads only). */
  readonly unexpectedKeys: string[];
  /** Keys present on both sides with different shapes. */
  readonly shapeMismatches: ShapeMismatch[];

  constructor(missingKeys: string[], unexpectedKeys: string[], shapeMismatches: ShapeMismatch[]) {
    const fmt = (s: readonly number[]) => `[${s.join(',')}]`;
    const parts: string[] = [];
    if (missingKeys.length) parts.push(`missing keys: ${missingKeys.map((k) => `"${k}"`).join(', ')}`);
    if (unexpectedKeys.length)
      parts.push(`unexpected keys: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`);
    for (const m of shapeMismatches)
      parts.push(
        `size mismatch for "${m.key}": the model has ${fmt(m.expected)}, the state dict has ${fmt(m.got)}`,
      );
    super(`loadStateDict: ${parts.join('; ')}`);
    this.missingKeys = missingKeys;
    this.unexpectedKeys = unexpectedKeys;
    this.shapeMismatches = shapeMismatches;
  }
}
