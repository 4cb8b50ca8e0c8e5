// TransformerEncoderLayer (post-norm or pre-norm) with PyTorch's submodule names, and TransformerEncoder.
import { ArgumentError } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { add, gelu, relu } from '../ops/elementwise.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './containers.js';
import { Dropout } from './dropout.js';
import { Linear, type FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { LayerNorm } from './normalization.js';

/** Options of TransformerEncoderLayer (PyTorch's constructor arguments, camelCased). */
export interface TransformerEncoderLayerOptions extends FactoryOptions {
  /** Width of the feed-forward block's hidden layer (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability in attention, after it and in the feed-forward block (default 0.1). */
  dropout?: number;
  /** 'relu' (default), 'gelu' or any function of a tensor. */
  activation?: 'relu' | 'gelu' | ((x: Tensor) => Tensor);
  /** LayerNorm's eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs are [N, S, E] (else [S, N, E]; default false). */
  batchFirst?: boolean;
  /** Pre-norm (LayerNorm before attention and feed-forward) instead of the default post-norm. */
  normFirst?: boolean;
  /** Biases in the linear layers and LayerNorms (default true). */
  bias?: boolean;
}

/** Options of TransformerEncoderLayer.forward: masks. */
export interface EncoderForwardOptions {
  /** Attention mask [L, S] or [N*nhead, L, S] (bool: true = blocked; float: added). */
  srcMask?: Tensor | null;
  /** [N, S] (bool: true = padding). */
  srcKeyPaddingMask?: Tensor | null;
  /** Also mask the future: position i attends only to positions <= i (default false). */
  isCausal?: boolean;
}

/**
 * Self-attention and a feed-forward block, each with a residual connection and LayerNorm.
 * State-dict keys are PyTorch's (`self_attn.in_proj_weight`, `linear1.weight`, `norm1.bias`...).
 * @example const layer = new gl.nn.TransformerEncoderLayer(64, 4, { dimFeedforward: 128, batchFirst: true, normFirst: true });
 * layer.forward(gl.randn([2, 10, 64])).shape; // [2, 10, 64]
 */
export class TransformerEncoderLayer extends Module {
  /** Pre-norm (else post-norm). */
  readonly normFirst: boolean;
  private readonly activation: (x: Tensor) => Tensor;

  /**
   * @param dModel - The model width E.
   * @param nhead - Attention heads (must divide dModel).
   */
  constructor(
    readonly dModel: number,
    readonly nhead: number,
    opts: TransformerEncoderLayerOptions = {},
  ) {
    super();
    const p = opts.dropout ?? 0.1;
    const ff = opts.dimFeedforward ?? 2048;
    const bias = opts.bias ?? true;
    const dtype = opts.dtype;
    const eps = opts.layerNormEps ?? 1e-5;
    this.normFirst = opts.normFirst ?? false;
    const act = opts.activation ?? 'relu';
    if (act !== 'relu' && act !== 'gelu' && typeof act !== 'function')
      throw new ArgumentError(
        `TransformerEncoderLayer: activation must be 'relu', 'gelu' or a function, got '${String(act)}'`,
      );
    this.activation = act === 'relu' ? relu : act === 'gelu' ? (x) => gelu(x) : act;
    this.registerModule(
      'self_attn',
      new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst, bias, dtype }),
    );
    this.registerModule('linear1', new Linear(dModel, ff, { bias, dtype }));
    this.registerModule('dropout', new Dropout(p));
    this.registerModule('linear2', new Linear(ff, dModel, { bias, dtype }));
    this.registerModule('norm1', new LayerNorm(dModel, { eps, bias, dtype }));
    this.registerModule('norm2', new LayerNorm(dModel, { eps, bias, dtype }));
    this.registerModule('dropout1', new Dropout(p));
    this.registerModule('dropout2', new Dropout(p));
  }

  private m<T extends Module>(name: string): T {
    return this.getModule(name) as T;
  }

  /** The self-attention block (key `self_attn`). */
  get selfAttn(): MultiheadAttention {
    return this.m('self_attn');
  }

  private sa(x: Tensor, opts: EncoderForwardOptions): Tensor {
    const [y] = this.selfAttn.forward(x, x, x, {
      attnMask: opts.srcMask,
      keyPaddingMask: opts.srcKeyPaddingMask,
      isCausal: opts.isCausal,
      needWeights: false,
    });
    return this.m<Dropout>('dropout1').forward(y);
  }

  private ff(x: Tensor): Tensor {
    const h = this.m<Dropout>('dropout').forward(this.activation(this.m<Linear>('linear1').forward(x)));
    return this.m<Dropout>('dropout2').forward(this.m<Linear>('linear2').forward(h));
  }

  override forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    const norm1 = this.m<LayerNorm>('norm1');
    const norm2 = this.m<LayerNorm>('norm2');
    let x = src;
    if (this.normFirst) {
      x = add(x, this.sa(norm1.forward(x), opts));
      x = add(x, this.ff(norm2.forward(x)));
    } else {
      x = norm1.forward(add(x, this.sa(x, opts)));
      x = norm2.forward(add(x, this.ff(x)));
    }
    return x;
  }
}

/**
 * A stack of encoder layers built by `makeLayer` (keys `layers.0.*`, ..., and `norm.*` when a final
 * norm is given), as PyTorch's TransformerEncoder.
 * @example
 * const encoder = new gl.nn.TransformerEncoder(() => new gl.nn.TransformerEncoderLayer(64, 4), 6);
 * encoder.forward(gl.randn([10, 2, 64])).shape; // [10, 2, 64]: [seq, batch, embed]
 */
export class TransformerEncoder extends Module {
  /** The layers, in order (keys `layers.<i>.*`). */
  readonly layers: ModuleList;
  /** A final norm applied after the last layer, or null. */
  readonly norm: Module | null;

  constructor(makeLayer: (index: number) => Module, numLayers: number, opts: { norm?: Module | null } = {}) {
    super();
    this.layers = new ModuleList(Array.from({ length: numLayers }, (_, i) => makeLayer(i)));
    this.norm = opts.norm ?? null;
  }

  override forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}
