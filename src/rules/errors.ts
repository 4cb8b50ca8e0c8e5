// Errors of the learning rules: a rule that cannot train a model says so before any training starts.
import { GradlabError } from '../core/errors.js';

/** A rule cannot train this model or task (wrong layer types, a missing final Linear, regression for a classifier-only rule, ...). */
export class RuleModelError extends GradlabError {}

/** Something tried to differentiate through a forward-only black box (`gl.rules.blackBox`). */
export class BlackBoxGradError extends GradlabError {}
