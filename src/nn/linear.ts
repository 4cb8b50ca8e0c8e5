// Affine layers and shape helpers: Identity, Linear, Bilinear, Flatten, Unflatten.
import { linearEpilogue } from '../core/epilogue.js';
import type { EpilogueActivation } from '../core/fused-kernels.js';
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import type { DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { empty } from './util.js';
import { add } from '../ops/elementwise.js';
import { einsum, matmul } from '../ops/matmul.js';
import { flatten, reshape, transpose } from '../ops/shape.js';
import * as init from './init.js';
import { layerFusion } from './fusion.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options every layer with parameters accepts. */
export interface FactoryOptions {
  /** dtype of the parameters (default float32). */
  dtype?: DType;
}

/**
 * Returns its input unchanged (a placeholder in containers).
 * @example new gl.nn.Identity().forward(gl.tensor([1, 2])); // [1, 2], the same tensor
 */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * y = x W^T + b, with weight [outFeatures, inFeatures] and bias [outFeatures] (PyTorch's layout).
 * Initialised as PyTorch: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)).
 * @example const fc = new gl.nn.Linear(784, 10); const logits = fc.forward(gl.randn([32, 784])); // [32, 10]
 */
export class Linear extends Module {
  /** The learned weight, [outFeatures, inFeatures] (PyTorch's layout). */
  weight: Parameter;
  /** The learned bias [outFeatures], or null when built with `bias: false`. */
  bias: Parameter | null;
  constructor(
    /** Features of each input. */
    readonly inFeatures: number,
    /** Features of each output. */
    readonly outFeatures: number,
    opts: FactoryOptions & { bias?: boolean } = {},
  ) {
    super();
    this.weight = new Parameter(empty([outFeatures, inFeatures], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outFeatures], opts.dtype));
    this.resetParameters();
  }

  /**
   * Re-draws the parameters from the default initialisation (kaiming uniform with a = sqrt(5)).
   * @example
   * const fc = new gl.nn.Linear(4, 2);
   * fc.resetParameters(); // fresh weights, e.g. between repeated trials
   */
  resetParameters(): void {
    init.kaimingUniform(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const b = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      init.uniform(this.bias, -b, b);
    }
  }

  override forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures)
      throw new ShapeError(
        `Linear: expected input with last dim ${this.inFeatures}, got ${fmtShape(x.shape)}`,
      );
    return this._forwardAct(x, 'none') ?? this.unfused(x);
  }

  /** @internal forward(x) then `act` as one epilogue (see setLayerFusion), or null where it cannot fuse. */
  _forwardAct(x: Tensor, act: EpilogueActivation): Tensor | null {
    if (
      !this.bias ||
      !layerFusion() ||
      x.ndim < 2 ||
      x.dtype !== this.weight.dtype ||
      x.dtype !== this.bias.dtype
    )
      return null;
    if (x.shape[x.ndim - 1] !== this.inFeatures) return null;
    // the bias (and activation) in the GEMM's epilogue: one kernel where the backend fuses it, one node on the tape
    return linearEpilogue(x, transpose(this.weight, 0, 1), this.bias, act);
  }

  private unfused(x: Tensor): Tensor {
    const y = matmul(x, transpose(this.weight, 0, 1));
    return this.bias ? add(y, this.bias) : y;
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/**
 * y_k = x1^T A_k x2 + b_k with weight [out, in1, in2] and bias [out].
 * @example new gl.nn.Bilinear(3, 4, 5).forward(a, b)  // a [N,3], b [N,4] -> [N,5]
 */
export class Bilinear extends Module {
  /** The learned weight, [outFeatures, in1Features, in2Features]. */
  weight: Parameter;
  /** The learned bias [outFeatures], or null when built with `bias: false`. */
  bias: Parameter | null;
  constructor(
    /** Features of the first input. */
    readonly in1Features: number,
    /** Features of the second input. */
    readonly in2Features: number,
    /** Features of each output. */
    readonly outFeatures: number,
    opts: FactoryOptions & { bias?: boolean } = {},
  ) {
    super();
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], opts.dtype));
    this.bias = opts.bias === false ? null : new Parameter(empty([outFeatures], opts.dtype));
    this.resetParameters();
  }

  /**
   * Re-draws weight and bias ~ U(−1/√in1Features, 1/√in1Features), as PyTorch.
   * @example
   * const bil = new gl.nn.Bilinear(3, 4, 5);
   * bil.resetParameters(); // fresh weights, e.g. between repeated trials
   */
  resetParameters(): void {
    const b = 1 / Math.sqrt(this.in1Features);
    init.uniform(this.weight, -b, b);
    if (this.bias) init.uniform(this.bias, -b, b);
  }

  override forward(x1: Tensor, x2: Tensor): Tensor {
    if (x1.shape[x1.ndim - 1] !== this.in1Features || x2.shape[x2.ndim - 1] !== this.in2Features)
      throw new ShapeError(
        `Bilinear: expected inputs ending in ${this.in1Features} and ${this.in2Features}, got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`,
      );
    if (x1.shape.slice(0, -1).join() !== x2.shape.slice(0, -1).join())
      throw new ShapeError(
        `Bilinear: inputs must agree in all but the last dim, got ${fmtShape(x1.shape)} and ${fmtShape(x2.shape)}`,
      );
    const lead = x1.shape.slice(0, -1);
    const a = reshape(x1, [-1, this.in1Features]);
    const b = reshape(x2, [-1, this.in2Features]);
    let y = einsum('ni,kij,nj->nk', a, this.weight, b);
    if (this.bias) y = add(y, this.bias);
    return reshape(y, [...lead, this.outFeatures]);
  }
}

/**
 * Flattens dims startDim..endDim (default 1..-1, keeping the batch dim).
 * @example new gl.nn.Flatten().forward(gl.zeros([2, 3, 4, 4])).shape; // [2, 48]
 */
export class Flatten extends Module {
  constructor(
    /** First dim merged (default 1: the batch dim stays). */
    readonly startDim = 1,
    /** Last dim merged (default −1: the last). */
    readonly endDim = -1,
  ) {
    super();
  }

  override forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
}

/**
 * Splits dim `dim` into `sizes` (the inverse of Flatten).
 * @example new gl.nn.Unflatten(1, [1, 28, 28]).forward(gl.zeros([8, 784])).shape; // [8, 1, 28, 28]
 */
export class Unflatten extends Module {
  constructor(
    /** The dim that is split. */
    readonly dim: number,
    /** The sizes it is split into (their product must equal its size). */
    readonly sizes: readonly number[],
  ) {
    super();
    if (!sizes.length) throw new ArgumentError('Unflatten: sizes must not be empty');
  }

  override forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    return reshape(x, [...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }
}
