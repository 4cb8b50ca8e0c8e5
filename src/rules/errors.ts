// Errors of the learning rules: a rule that cannot train a model says so before any training starts.
import { GradlabError } from '../core/errors.js';

/**
 * A rule cannot train this model or task (wrong layer types, a missing final Linear, regression for a classifier-only rule, ...).
 * @example
 * const task: gl.rules.TaskSpec = { inputShape: [4], outputs: 2, kind: 'classification' };
 * try {
 *   gl.rules.RULES.bp.check(new gl.nn.Linear(4, 2).requiresGrad_(false), task);
 * } catch (e) {
 *   if (e instanceof gl.rules.RuleModelError) console.log(e.message); // bp: the model has no trainable parameters
 * }
 */
export class RuleModelError extends GradlabError {}

/**
 * Something tried to differentiate through a forward-only black box (`gl.rules.blackBox`).
 * @example
 * const box = gl.rules.blackBox((x) => gl.tanh(x), 'phys');
 * try {
 *   box.forward(gl.ones([2, 3], { requiresGrad: true })).sum().backward();
 * } catch (e) {
 *   if (e instanceof gl.rules.BlackBoxGradError) console.log(e.message); // blackBox 'phys' is forward-only: ...
 * }
 */
export class BlackBoxGradError extends GradlabError {}
