// A tiny Vision Transformer for 28×28 images: 7×7 patches → 16 tokens + CLS, pre-norm encoder layers.
import type { Tensor } from '../../core/tensor.js';
import { zeros } from '../../ops/creation.js';
import { add } from '../../ops/elementwise.js';
import { cat, narrow, permute, reshape } from '../../ops/shape.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { Linear } from '../../nn/linear.js';
import { LayerNorm } from '../../nn/normalization.js';
import { ModuleList } from '../../nn/containers.js';
import { TransformerEncoderLayer } from '../../nn/transformer.js';
import { normal } from '../../nn/init.js';

/** [B, 1, S, S] images → [B, (S/patch)², patch²] patch vectors (default 28×28 → [B, 16, 49]). */
export function patchify(x: Tensor, patch = 7, size = 28): Tensor {
  const b = x.shape[0];
  const g = size / patch;
  return reshape(permute(reshape(x, [b, g, patch, g, patch]), [0, 1, 3, 2, 4]), [b, g * g, patch * patch]);
}

/** The ViT of the Mesa recipe (paper notes 02: dim 32, 4 heads, MLP 64, 2 blocks, ≈ 25k parameters). */
export class TinyViT extends Module {
  readonly embed: Linear;
  readonly cls: Parameter;
  readonly pos: Parameter;
  readonly blocks: ModuleList;
  readonly norm: LayerNorm;
  readonly head: Linear;

  constructor(
    opts: {
      dim?: number;
      heads?: number;
      mlp?: number;
      depth?: number;
      classes?: number;
      tokens?: number;
      patchDim?: number;
    } = {},
  ) {
    super();
    const dim = opts.dim ?? 32;
    this.embed = new Linear(opts.patchDim ?? 49, dim);
    this.cls = new Parameter(normal(zeros([1, 1, dim]), 0, 0.02));
    this.pos = new Parameter(normal(zeros([1, (opts.tokens ?? 16) + 1, dim]), 0, 0.02));
    const layers: Module[] = [];
    for (let i = 0; i < (opts.depth ?? 2); i++)
      layers.push(
        new TransformerEncoderLayer(dim, opts.heads ?? 4, {
          dimFeedforward: opts.mlp ?? 64,
          dropout: 0,
          activation: 'gelu',
          batchFirst: true,
          normFirst: true,
        }),
      );
    this.blocks = new ModuleList(layers);
    this.norm = new LayerNorm(dim);
    this.head = new Linear(dim, opts.classes ?? 10);
  }

  /** `patches` [B, tokens, patchDim] → logits [B, classes]. */
  override forward(patches: Tensor): Tensor {
    const b = patches.shape[0];
    const tok = this.embed.forward(patches);
    let h = add(cat([this.cls.expand([b, 1, tok.shape[2]]), tok], 1), this.pos);
    for (const blk of this.blocks) h = blk.forward(h) as Tensor;
    return this.head.forward(this.norm.forward(narrow(h, 1, 0, 1).reshape([b, -1])));
  }
}
