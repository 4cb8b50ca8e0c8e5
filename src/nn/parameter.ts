// Parameter: a leaf Tensor that requires grad and that modules register as trainable state.
import { keep, Tensor } from '../core/tensor.js';
import { ArgumentError } from '../core/errors.js';

/**
 * A trainable tensor of a module. It *is* a gl `Tensor` (a leaf, `requiresGrad` true by default)
 * sharing `data`'s storage, so `model.parameters()` can go straight to an optimizer. Parameters are
 * excluded from `gl.tidy` disposal.
 * @example
 * class Scale extends gl.nn.Module {
 *   s = new gl.nn.Parameter(gl.ones([1]));
 *   forward(x: gl.Tensor) { return x.mul(this.s); }
 * }
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor))
      throw new ArgumentError(`Parameter: expected a Tensor, got ${data === null ? 'null' : typeof data}`);
    data._assertAlive('Parameter');
    super(data.storage, data.shape, data.strides, data.offset, data.dtype, data._version);
    this.requiresGrad_(requiresGrad);
    keep(this);
  }
}
