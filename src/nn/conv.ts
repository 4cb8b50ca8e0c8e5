// Convolution layers: Conv1d, Conv2d, ConvTranspose2d (PyTorch weight layouts and initialisation).
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { conv2dEpilogue } from '../core/epilogue.js';
import type { EpilogueActivation } from '../core/fused-kernels.js';
import type { Tensor } from '../core/tensor.js';
import { layerFusion } from './fusion.js';
import { conv1d, conv2d, convTranspose2d } from '../ops/nn.js';
import { pad } from '../ops/shape.js';
import * as init from './init.js';
import type { FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { empty, pair, type Pair } from './util.js';

/** Options of the convolution layers (Conv1d, Conv2d, ConvTranspose2d). */
export interface ConvLayerOptions extends FactoryOptions {
  /** Step of the kernel (default 1). */
  stride?: Pair;
  /** Zero padding per side, or 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: Pair | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Channel groups; must divide both channel counts (default 1). */
  groups?: number;
  /** Learn a bias (default true). */
  bias?: boolean;
}

function checkGroups(name: string, inC: number, outC: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1 || inC % groups !== 0 || outC % groups !== 0)
    throw new ArgumentError(
      `${name}: inChannels (${inC}) and outChannels (${outC}) must be divisible by groups (${groups})`,
    );
}

/** PyTorch's default conv initialisation: kaiming uniform (a = sqrt(5)) and bias ~ U(+-1/sqrt(fanIn)). */
function resetConv(weight: Parameter, bias: Parameter | null): void {
  init.kaimingUniform(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = init.calculateFanInAndFanOut(weight);
    const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    init.uniform(bias, -b, b);
  }
}

/** Per spatial dim: [before, after] zero padding for 'same', or the symmetric padding. */
function paddings(
  name: string,
  padding: ConvLayerOptions['padding'],
  kernel: number[],
  dilation: number[],
  stride: number[],
): [number, number][] {
  if (padding === 'valid') return kernel.map(() => [0, 0]);
  if (padding === 'same') {
    if (stride.some((s) => s !== 1))
      throw new ArgumentError(`${name}: padding 'same' needs stride 1, got stride ${stride.join(',')}`);
    return kernel.map((k, i) => {
      const total = dilation[i] * (k - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  const p = pair(padding ?? 0);
  return kernel.map((_, i) => [p[i], p[i]]);
}

/**
 * 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) with weight
 * [outChannels, inChannels/groups, kh, kw].
 * @example const conv = new gl.nn.Conv2d(1, 32, 3, { stride: 1, padding: 1 });
 * conv.forward(gl.randn([8, 1, 28, 28])).shape; // [8, 32, 28, 28]
 */
export class Conv2d extends Module {
  /** The learned kernel (see the class comment for its layout). */
  weight: Parameter;
  /** The learned per-output-channel bias, or null when built with `bias: false`. */
  bias: Parameter | null;
  /** Kernel size per spatial dim. */
  readonly kernelSize: [number, number];
  /** Step of the kernel per spatial dim. */
  readonly stride: [number, number];
  /** Spacing between kernel taps per spatial dim. */
  readonly dilation: [number, number];
  /** Number of channel groups (inputs and outputs are split into this many independent convolutions). */
  readonly groups: number;
  private readonly pads: [number, number][];

  constructor(
    /** Channels of the input. */
    readonly inChannels: number,
    /** Channels of the output. */
    readonly outChannels: number,
    kernelSize: Pair,
    opts: ConvLayerOptions = {},
  ) {
    super();
    this.groups = opts.groups ?? 1;
    checkGroups('Conv2d', inChannels, outChannels, this.groups);
    this.kernelSize = pair(kernelSize);
    this.stride = pair(opts.stride ?? 1);
    this.dilation = pair(opts.dilation ?? 1);
    this.pads = paddings('Conv2d', opts.padding, this.kernelSize, this.dilation, this.stride);
    this.weight = new Parameter(
      empty([outChannels, inChannels / this.groups, ...this.kernelSize], opts.dtype),
    );
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], opts.dtype));
    resetConv(this.weight, this.bias);
  }

  /**
   * Re-draws weight and bias with PyTorch's default initialization (Kaiming-uniform, a = √5).
   * @example
   * const conv = new gl.nn.Conv2d(3, 8, 3);
   * conv.resetParameters(); // fresh weights, e.g. between repeated trials
   */
  resetParameters(): void {
    resetConv(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    const c = x.ndim === 4 ? x.shape[1] : x.ndim === 3 ? x.shape[0] : -1;
    if (c !== this.inChannels)
      throw new ShapeError(
        `Conv2d: expected input [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W], got ${fmtShape(x.shape)}`,
      );
    const fused = x.ndim === 4 ? this._forwardAct(x, 'none') : null;
    if (fused) return fused;
    const sym = this.pads.every(([a, b]) => a === b);
    const input = sym ? x : pad(x, [this.pads[1][0], this.pads[1][1], this.pads[0][0], this.pads[0][1]]);
    return conv2d(input, this.weight, this.bias, {
      stride: this.stride,
      padding: sym ? [this.pads[0][0], this.pads[1][0]] : 0,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  /** @internal forward(x) then `act` as one epilogue (see setLayerFusion), or null where it cannot fuse. */
  _forwardAct(x: Tensor, act: EpilogueActivation): Tensor | null {
    const b = this.bias;
    if (!b || !layerFusion() || x.ndim !== 4 || x.shape[1] !== this.inChannels) return null;
    if (x.dtype !== this.weight.dtype || x.dtype !== b.dtype) return null;
    if (!this.pads.every(([lo, hi]) => lo === hi)) return null;
    const p = {
      stride: [this.stride[0], this.stride[1]] as [number, number],
      padding: [this.pads[0][0], this.pads[1][0]] as [number, number],
      dilation: [this.dilation[0], this.dilation[1]] as [number, number],
      groups: this.groups,
    };
    return conv2dEpilogue(x, this.weight, b, p, act);
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}]`;
  }
}

/**
 * 1-D convolution over [N, C, L] with weight [outChannels, inChannels/groups, k].
 * @example new gl.nn.Conv1d(16, 33, 3, { stride: 2 }).forward(gl.randn([4, 16, 50])).shape; // [4, 33, 24]
 */
export class Conv1d extends Module {
  /** The learned kernel (see the class comment for its layout). */
  weight: Parameter;
  /** The learned per-output-channel bias, or null when built with `bias: false`. */
  bias: Parameter | null;
  /** Step of the kernel per spatial dim. */
  readonly stride: number;
  /** Spacing between kernel taps per spatial dim. */
  readonly dilation: number;
  /** Number of channel groups (inputs and outputs are split into this many independent convolutions). */
  readonly groups: number;
  private readonly pads: [number, number];

  constructor(
    /** Channels of the input. */
    readonly inChannels: number,
    /** Channels of the output. */
    readonly outChannels: number,
    /** Kernel size per spatial dim. */
    readonly kernelSize: number,
    opts: Omit<ConvLayerOptions, 'stride' | 'dilation' | 'padding'> & {
      stride?: number;
      dilation?: number;
      padding?: number | 'same' | 'valid';
    } = {},
  ) {
    super();
    this.groups = opts.groups ?? 1;
    checkGroups('Conv1d', inChannels, outChannels, this.groups);
    this.stride = opts.stride ?? 1;
    this.dilation = opts.dilation ?? 1;
    this.pads = paddings('Conv1d', opts.padding, [kernelSize], [this.dilation], [this.stride])[0];
    this.weight = new Parameter(empty([outChannels, inChannels / this.groups, kernelSize], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], opts.dtype));
    resetConv(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[1] !== this.inChannels)
      throw new ShapeError(`Conv1d: expected input [N, ${this.inChannels}, L], got ${fmtShape(x.shape)}`);
    const [a, b] = this.pads;
    return conv1d(a === b ? x : pad(x, [a, b]), this.weight, this.bias, {
      stride: this.stride,
      padding: a === b ? a : 0,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}

/**
 * Transposed 2-D convolution with weight [inChannels, outChannels/groups, kh, kw] (PyTorch's layout).
 * @example new gl.nn.ConvTranspose2d(16, 8, 3, { stride: 2, padding: 1, outputPadding: 1 }).forward(gl.randn([1, 16, 12, 12])).shape; // [1, 8, 24, 24]
 */
export class ConvTranspose2d extends Module {
  /** The learned kernel (see the class comment for its layout). */
  weight: Parameter;
  /** The learned per-output-channel bias, or null when built with `bias: false`. */
  bias: Parameter | null;
  /** Kernel size per spatial dim. */
  readonly kernelSize: [number, number];
  /** Step of the kernel per spatial dim. */
  readonly stride: [number, number];
  /** Implicit zero padding removed from each side of the output (PyTorch's transposed-conv meaning). */
  readonly padding: [number, number];
  /** Extra size added to one side of the output, to pick among the shapes a stride allows. */
  readonly outputPadding: [number, number];
  /** Spacing between kernel taps per spatial dim. */
  readonly dilation: [number, number];
  /** Number of channel groups (inputs and outputs are split into this many independent convolutions). */
  readonly groups: number;

  constructor(
    /** Channels of the input. */
    readonly inChannels: number,
    /** Channels of the output. */
    readonly outChannels: number,
    kernelSize: Pair,
    opts: Omit<ConvLayerOptions, 'padding'> & { padding?: Pair; outputPadding?: Pair } = {},
  ) {
    super();
    this.groups = opts.groups ?? 1;
    checkGroups('ConvTranspose2d', inChannels, outChannels, this.groups);
    this.kernelSize = pair(kernelSize);
    this.stride = pair(opts.stride ?? 1);
    this.padding = pair(opts.padding ?? 0);
    this.outputPadding = pair(opts.outputPadding ?? 0);
    this.dilation = pair(opts.dilation ?? 1);
    this.weight = new Parameter(
      empty([inChannels, outChannels / this.groups, ...this.kernelSize], opts.dtype),
    );
    this.bias = opts.bias === false ? null : new Parameter(empty([outChannels], opts.dtype));
    resetConv(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels)
      throw new ShapeError(
        `ConvTranspose2d: expected input [N, ${this.inChannels}, H, W], got ${fmtShape(x.shape)}`,
      );
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}
