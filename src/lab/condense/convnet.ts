// DC's evaluation "ConvNet": depth × [conv 3×3 → InstanceNorm (affine) → ReLU → avg-pool 2] → linear.
import { ReLU } from '../../nn/activation.js';
import { Sequential } from '../../nn/containers.js';
import { Conv2d } from '../../nn/conv.js';
import { InstanceNorm2d } from '../../nn/instance-norm.js';
import { Flatten, Linear } from '../../nn/linear.js';
import { AvgPool2d } from '../../nn/pooling.js';
import type { DType } from '../../core/dtype.js';
import { CondenseOptionError } from './errors.js';

/** Shape of the ConvNet. */
export interface ConvNetOptions {
  /** Input [channels, height, width]. */
  inputShape: readonly [number, number, number];
  /** Output classes. */
  classes: number;
  /** Channels of every conv layer (DC: 128). */
  width: number;
  /** Conv blocks (DC: 3). */
  depth: number;
  /** Parameter dtype (default float32). */
  dtype?: DType;
}

/**
 * DC/DCC's ConvNet (networks.py, net_norm 'instancenorm' = GroupNorm(C, C, affine) = InstanceNorm2d(C, affine)):
 * `depth` blocks of conv 3×3 (padding 1) → InstanceNorm2d → ReLU → AvgPool2d(2), then a linear classifier.
 * Initialised from the global generator (seed with gl.manualSeed).
 * @example const net = gl.condense.convNet({ inputShape: [1, 14, 14], classes: 10, width: 16, depth: 2 });
 */
export function convNet(opts: ConvNetOptions): Sequential {
  const [c, h0, w0] = opts.inputShape;
  for (const [k, v] of [
    ['classes', opts.classes],
    ['width', opts.width],
    ['depth', opts.depth],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new CondenseOptionError(`convNet: ${k} must be a positive integer, got ${v}`);
  const dtype = opts.dtype ?? 'float32';
  const layers = [];
  let h = h0;
  let w = w0;
  let ch = c;
  for (let d = 0; d < opts.depth; d++) {
    if (h < 2 || w < 2)
      throw new CondenseOptionError(
        `convNet: depth ${opts.depth} pools the ${h0}×${w0} input below 1×1 at block ${d}; use a smaller depth`,
      );
    layers.push(
      new Conv2d(ch, opts.width, 3, { padding: 1, dtype }),
      new InstanceNorm2d(opts.width, { affine: true, dtype }),
      new ReLU(),
      new AvgPool2d(2),
    );
    ch = opts.width;
    h = Math.floor(h / 2);
    w = Math.floor(w / 2);
  }
  layers.push(new Flatten(), new Linear(ch * h * w, opts.classes, { dtype }));
  return new Sequential(...layers);
}
