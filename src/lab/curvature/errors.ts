// Named errors of gl.curvature.
import { GradlabError } from '../../core/errors.js';

/**
 * A curvature probe met a BatchNorm layer in training mode: its output depends on the batch statistics and
 * every evaluation updates the running statistics, so the Hessian would not be that of the model one
 * evaluates. Call `model.eval()` first, or pass `allowTrainBatchNorm: true` to probe the train-mode loss.
 */
export class TrainModeBatchNormError extends GradlabError {}
