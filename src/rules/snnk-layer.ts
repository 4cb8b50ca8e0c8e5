// SnnkLinear (paper 41): a layer f(Wx + b) replaced by Φ(x̃)·Ψᵀ, seeded fixed features of the input and trainable Ψ [out, m].
import type { Generator } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { randn, zeros } from '../ops/creation.js';
import { add, mul } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { cat, flatten, transpose } from '../ops/shape.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';
import { features, randomProjection, type FeatureKind, type ProjectionKind } from './snnk-features.js';

/** Options of {@link SnnkLinear}. */
export interface SnnkLinearOptions {
  /** Random features m (default 16). */
  features?: number;
  /** f of the replaced layer f(Wx + b): 'relu' (default), 'exp' or 'cos'. */
  kind?: FeatureKind;
  /** Gaussian or orthogonal projection rows (default 'gaussian'). */
  projection?: ProjectionKind;
  /** The stream the projection and the initial W are drawn from (replayable). */
  generator: Generator;
}

/**
 * A scalable-neural-network-kernel layer (Sehanobish et al., ICLR 2024): y = Φ(x̃)Ψᵀ with x̃ = [x, 1], Φ the fixed
 * random features of the input (projection G [m, d + 1] kept as a buffer) and Ψ [out, m] the trainable weights,
 * initialised to the weight-side features of a random W [out, d + 1] (so y ≈ f(W x̃) at init). out·m trainable
 * parameters instead of out·(d + 1).
 * @example const layer = new gl.rules.SnnkLinear(64, 256, { features: 16, generator: new gl.Generator(0) });
 */
export class SnnkLinear extends Module {
  /** The trainable weights in feature space, Ψ [out, m]. */
  readonly psi: Parameter;
  /** The fixed random projection G [m, in + 1] (a buffer). */
  readonly projection: Tensor;
  /** The feature map: 'relu', 'exp' or 'cos'. */
  readonly kind: FeatureKind;

  /** Input features. */
  readonly inFeatures: number;
  /** Output features. */
  readonly outFeatures: number;

  /** A layer from `inFeatures` to `outFeatures` through `opts.features` random features. */
  constructor(inFeatures: number, outFeatures: number, opts: SnnkLinearOptions) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const m = opts.features ?? 16;
    this.kind = opts.kind ?? 'relu';
    const g = randomProjection(m, inFeatures + 1, opts.projection ?? 'gaussian', opts.generator);
    this.projection = g;
    this.registerBuffer('projection', g);
    // W ~ N(0, 1/d) per entry, as a fan-in-scaled Linear init
    const w0 = noGrad(() =>
      mul(randn([outFeatures, inFeatures + 1], { generator: opts.generator }), 1 / Math.sqrt(inFeatures)),
    );
    this.psi = new Parameter(noGrad(() => features(this.kind, 'weight', w0, g)));
  }

  /** Φ([x, 1])·Ψᵀ: [N, in] (or [N, ...] flattened) → [N, out]. */
  override forward(x: Tensor): Tensor {
    const x2 = x.ndim === 2 ? x : flatten(x, 1);
    const xb = cat([x2, add(zeros([x2.shape[0], 1], { dtype: x2.dtype }), 1)], 1);
    return matmul(features(this.kind, 'input', xb, this.projection), transpose(this.psi, 0, 1));
  }
}
