// Named errors of gl.curvature.
import { GradlabError } from '../../core/errors.js';

/**
 * A curvature probe met a BatchNorm layer in training mode: its output depends on the batch statistics and
 * every evaluation updates the running statistics, so the Hessian would not be that of the model one
 * evaluates. Call `model.eval()` first, or pass `allowTrainBatchNorm: true` to probe the train-mode loss.
 * @example
 * const model = new gl.nn.Sequential(new gl.nn.Linear(3, 3), new gl.nn.BatchNorm1d(3)); // training mode
 * try {
 *   new gl.curvature.HessianOperator(() => model.forward(gl.randn([4, 3])).sum(), model);
 * } catch (e) {
 *   if (e instanceof gl.curvature.TrainModeBatchNormError) console.log(e.message); // call model.eval() first, or ...
 * }
 */
export class TrainModeBatchNormError extends GradlabError {}
