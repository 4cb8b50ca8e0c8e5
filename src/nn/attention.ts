// MultiheadAttention with PyTorch's packed in_proj_weight / in_proj_bias / out_proj layout.
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { ones } from '../ops/creation.js';
import { add, gt, mul, where } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { dropout, softmax } from '../ops/nn.js';
import { mean } from '../ops/reduce.js';
import { permute, reshape, slice, squeeze, transpose, triu, unsqueeze } from '../ops/shape.js';
import * as init from './init.js';
import { Linear, type FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { empty } from './util.js';

export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Dropout probability on the attention weights while training (default 0). */
  dropout?: number;
  /** Inputs are [N, L, E] instead of PyTorch's default [L, N, E]. */
  batchFirst?: boolean;
}

/** Options of MultiheadAttention.forward: masks and what to return. */
export interface AttentionForwardOptions {
  /** Shape [N, S]: true (or -inf when float) marks keys to ignore; a float mask is added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [N*numHeads, L, S]: true marks pairs that may not attend; a float mask is added. */
  attnMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the returned weights over heads (default true) or keep [N, H, L, S]. */
  averageAttnWeights?: boolean;
  /** Apply a causal mask (query i attends to keys 0..i). */
  isCausal?: boolean;
}

/** Adds a mask to [N, H, L, S] scores: bool masks put -inf where true, float masks are added. */
function applyMask(scores: Tensor, mask: Tensor, shape: number[]): Tensor {
  const m = reshape(mask, shape);
  if (m.dtype === 'bool') return where(m, -Infinity, scores);
  if (m.dtype === 'int32') throw new DTypeError(`MultiheadAttention: masks must be bool or float, got int32`);
  return add(scores, m);
}

/**
 * Multi-head scaled dot-product attention. State-dict keys are PyTorch's: `in_proj_weight` [3E, E],
 * `in_proj_bias` [3E], `out_proj.weight`, `out_proj.bias`. Returns `[output, weights]`, weights being
 * null with `needWeights: false`.
 * @example
 * const mha = new gl.nn.MultiheadAttention(64, 8, { batchFirst: true });
 * const [y, w] = mha.forward(x, x, x, { keyPaddingMask });
 */
export class MultiheadAttention extends Module {
  /** embedDim / numHeads: the size of each head's queries, keys and values. */
  readonly headDim: number;
  /** Dropout probability on the attention weights while training. */
  readonly dropout: number;
  /** Inputs and outputs are [N, L, E] (else [L, N, E]). */
  readonly batchFirst: boolean;

  /**
   * @param embedDim - E, the model width (queries, keys, values and output).
   * @param numHeads - Number of heads; must divide embedDim (else ArgumentError).
   */
  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0)
      throw new ArgumentError(
        `MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`,
      );
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    const bias = opts.bias ?? true;
    this.registerParameter('in_proj_weight', new Parameter(empty([3 * embedDim, embedDim], opts.dtype)));
    this.registerParameter('in_proj_bias', bias ? new Parameter(empty([3 * embedDim], opts.dtype)) : null);
    this.registerModule('out_proj', new Linear(embedDim, embedDim, { bias, dtype: opts.dtype }));
    this.resetParameters();
  }

  /** Shape [3E, E]: the query, key and value projections stacked (PyTorch's `in_proj_weight`). */
  get inProjWeight(): Parameter {
    return this.getParameter('in_proj_weight')!;
  }

  /** Shape [3E]: the query, key and value projection biases (PyTorch's `in_proj_bias`); null with `bias: false`. */
  get inProjBias(): Parameter | null {
    return this.getParameter('in_proj_bias') ?? null;
  }

  /** The output projection (PyTorch's `out_proj`). */
  get outProj(): Linear {
    return this.getModule('out_proj') as Linear;
  }

  /**
   * Xavier-uniform projections, zero biases (PyTorch's initialisation).
   * @example
   * const attn = new gl.nn.MultiheadAttention(16, 4);
   * attn.resetParameters(); // fresh weights, e.g. between repeated trials
   */
  resetParameters(): void {
    init.xavierUniform(this.inProjWeight);
    if (this.inProjBias) init.zeros(this.inProjBias);
    if (this.outProj.bias) init.zeros(this.outProj.bias);
  }

  private project(x: Tensor, k: number): Tensor {
    const E = this.embedDim;
    const w = slice(this.inProjWeight, 0, k * E, (k + 1) * E);
    const y = matmul(x, transpose(w, 0, 1));
    return this.inProjBias ? add(y, slice(this.inProjBias, 0, k * E, (k + 1) * E)) : y;
  }

  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: AttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    const batched = query.ndim === 3;
    if ((query.ndim !== 3 && query.ndim !== 2) || key.ndim !== query.ndim || value.ndim !== query.ndim)
      throw new ShapeError(
        `MultiheadAttention: expected query, key, value all 3-D (batched) or 2-D, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
      );
    const E = this.embedDim;
    for (const [n, t] of [
      ['query', query],
      ['key', key],
      ['value', value],
    ] as const)
      if (t.shape[t.ndim - 1] !== E)
        throw new ShapeError(
          `MultiheadAttention: ${n} must end with embedDim ${E}, got ${fmtShape(t.shape)}`,
        );
    // to [N, L, E]
    const toBatchFirst = (t: Tensor) =>
      !batched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1);
    const [q0, k0, v0] = [query, key, value].map(toBatchFirst);
    const N = q0.shape[0];
    const L = q0.shape[1];
    const S = k0.shape[1];
    if (v0.shape[1] !== S || k0.shape[0] !== N || v0.shape[0] !== N)
      throw new ShapeError(
        `MultiheadAttention: key and value must have the same length and batch as query, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`,
      );
    const H = this.numHeads;
    const D = this.headDim;
    const heads = (t: Tensor, len: number) => permute(reshape(t, [N, len, H, D]), [0, 2, 1, 3]);
    const q = heads(this.project(q0, 0), L);
    const k = heads(this.project(k0, 1), S);
    const v = heads(this.project(v0, 2), S);
    let scores = matmul(mul(q, 1 / Math.sqrt(D)), transpose(k, 2, 3)); // [N, H, L, S]
    if (opts.attnMask) {
      const m = opts.attnMask;
      if (m.ndim === 2 && m.shape[0] === L && m.shape[1] === S) scores = applyMask(scores, m, [1, 1, L, S]);
      else if (m.ndim === 3 && m.shape[0] === N * H && m.shape[1] === L && m.shape[2] === S)
        scores = applyMask(scores, m, [N, H, L, S]);
      else
        throw new ShapeError(
          `MultiheadAttention: attnMask must be [${L},${S}] or [${N * H},${L},${S}], got ${fmtShape(m.shape)}`,
        );
    }
    if (opts.isCausal) scores = applyMask(scores, gt(triu(ones([L, S]), 1), 0), [1, 1, L, S]);
    if (opts.keyPaddingMask) {
      const m = opts.keyPaddingMask;
      const want = batched ? [N, S] : [S];
      if (m.shape.join() !== want.join())
        throw new ShapeError(
          `MultiheadAttention: keyPaddingMask must be ${fmtShape(want)}, got ${fmtShape(m.shape)}`,
        );
      scores = applyMask(scores, m, [N, 1, 1, S]);
    }
    let attn = softmax(scores, -1);
    const weights = attn;
    if (this.training && this.dropout > 0) attn = dropout(attn, this.dropout, true);
    const ctx = reshape(permute(matmul(attn, v), [0, 2, 1, 3]), [N, L, E]);
    let out = this.outProj.forward(ctx);
    out = !batched ? squeeze(out, 0) : this.batchFirst ? out : transpose(out, 0, 1);
    if (opts.needWeights === false) return [out, null];
    let w = opts.averageAttnWeights === false ? weights : mean(weights, 1);
    if (!batched) w = squeeze(w, 0);
    return [out, w];
  }
}
