// Embedding: a lookup table of vectors indexed by int32 token ids.
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { embedding } from '../ops/nn.js';
import { select } from '../ops/shape.js';
import { copyInto } from '../ops/inplace.js';
import * as init from './init.js';
import type { FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { empty } from './util.js';

/**
 * A table `weight` [numEmbeddings, embeddingDim] ~ N(0, 1); forward picks rows by int32 indices.
 * The row `paddingIdx` starts at zero and gets no gradient.
 * @example const emb = new gl.nn.Embedding(1000, 64); emb.forward(tokens)  // [..., 64]
 */
export class Embedding extends Module {
  /** The table [numEmbeddings, embeddingDim]. */
  weight: Parameter;
  /** The row kept at zero and given no gradient (negative indices normalised), or undefined. */
  readonly paddingIdx: number | undefined;

  /**
   * @param numEmbeddings - Number of rows (the vocabulary size).
   * @param embeddingDim - Size of each vector.
   */
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: FactoryOptions & { paddingIdx?: number } = {},
  ) {
    super();
    let p = opts.paddingIdx;
    if (p !== undefined) {
      if (!Number.isInteger(p) || p >= numEmbeddings || p < -numEmbeddings)
        throw new ArgumentError(
          `Embedding: paddingIdx must be within [-${numEmbeddings}, ${numEmbeddings}), got ${p}`,
        );
      if (p < 0) p += numEmbeddings;
    }
    this.paddingIdx = p;
    this.weight = new Parameter(empty([numEmbeddings, embeddingDim], opts.dtype));
    this.resetParameters();
  }

  /**
   * Redraws the table from N(0, 1) and zeroes the paddingIdx row.
   * @example
   * const emb = new gl.nn.Embedding(100, 16, { paddingIdx: 0 });
   * emb.resetParameters(); // row 0 stays zero
   */
  resetParameters(): void {
    init.normal(this.weight);
    if (this.paddingIdx !== undefined) noGrad(() => copyInto(select(this.weight, 0, this.paddingIdx!), 0));
  }

  /**
   * An Embedding holding a copy of `weights` [n, dim] (frozen unless `freeze` is false).
   * @example
   * const emb = gl.nn.Embedding.fromPretrained(gl.randn([1000, 50])); // frozen
   * emb.forward(gl.tensor([[3, 14, 15]], { dtype: 'int32' })).shape; // [1, 3, 50]
   */
  static fromPretrained(weights: Tensor, opts: { freeze?: boolean; paddingIdx?: number } = {}): Embedding {
    if (weights.ndim !== 2)
      throw new ShapeError(`Embedding.fromPretrained: expected 2-D weights, got ${fmtShape(weights.shape)}`);
    const e = new Embedding(weights.shape[0], weights.shape[1], {
      dtype: weights.dtype,
      paddingIdx: opts.paddingIdx,
    });
    noGrad(() => copyInto(e.weight, weights));
    e.weight.requiresGrad_(!(opts.freeze ?? true));
    return e;
  }

  override forward(indices: Tensor): Tensor {
    if (indices.dtype !== 'int32')
      throw new DTypeError(`Embedding: indices must be int32, got ${indices.dtype}`);
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }
}
