// Errors of the environments: stepping an episode that is over, or before reset.
import { GradlabError } from '../core/errors.js';

/** An environment was stepped before `reset()` or after its episode ended (terminated or truncated). */
export class EnvStateError extends GradlabError {}
