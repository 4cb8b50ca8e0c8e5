// Recipe `powernorm` helpers: the synthetic Zipf/Markov token language, a masked BatchNorm that records its batch-stat fluctuation, and the post-norm causal LM.
import { Generator, sampleHost } from '../core/random/generator.js';
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { standardGamma } from '../distributions/gamma-sampler.js';
import { MultiheadAttention } from '../nn/attention.js';
import { Embedding } from '../nn/embedding.js';
import { Linear } from '../nn/linear.js';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/normalization.js';
import { Parameter } from '../nn/parameter.js';
import { PowerNorm } from '../nn/power-norm.js';
import { full, ones, randn, zeros } from '../ops/creation.js';
import { abs, add, cast, div, mul, relu, rsqrt, sub } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { mean, sum } from '../ops/reduce.js';
import { reshape } from '../ops/shape.js';
import { tensor } from '../ops/tensor-like.js';

/** Vocabulary of the synthetic language; token VOCAB is padding. */
export const VOCAB = 64;
/** Padded sequence length. */
export const SEQ = 24;

/** A first-order Markov language: Zipf(1.1) start distribution, transition rows ~ Dirichlet(0.1). */
export interface TokenLanguage {
  /** Start probabilities [VOCAB]. */
  start: Float64Array;
  /** Transition probabilities, row-major [VOCAB × VOCAB]. */
  trans: Float64Array;
}

/** The language of a seed (host arithmetic on seeded draws: the same on every backend). */
export function makeLanguage(seed: number): TokenLanguage {
  const start = new Float64Array(VOCAB);
  for (let k = 0; k < VOCAB; k++) start[k] = 1 / (k + 1) ** 1.1;
  const z = start.reduce((a, b) => a + b, 0);
  for (let k = 0; k < VOCAB; k++) start[k] /= z;
  const g = noGrad(() =>
    tidy(() =>
      standardGamma(
        full([VOCAB, VOCAB], 0.1, { dtype: 'float64' }),
        [VOCAB, VOCAB],
        new Generator(seed + 7),
      ).dataSync(),
    ),
  );
  const trans = new Float64Array(VOCAB * VOCAB);
  for (let i = 0; i < VOCAB; i++) {
    let s = 0;
    for (let j = 0; j < VOCAB; j++) s += g[i * VOCAB + j];
    for (let j = 0; j < VOCAB; j++) trans[i * VOCAB + j] = s > 0 ? g[i * VOCAB + j] / s : 1 / VOCAB;
  }
  return { start, trans };
}

function draw(p: Float64Array, offset: number, u: number): number {
  let c = 0;
  for (let k = 0; k < VOCAB; k++) {
    c += p[offset + k];
    if (u < c) return k;
  }
  return VOCAB - 1;
}

/** A batch of sequences: inputs [B, SEQ] int32 (padding = VOCAB), next-token targets (−100 = none), pad mask, and −log p_true summed. */
export interface TokenBatch {
  /** Token ids [B, SEQ] (padding VOCAB). */
  input: Tensor;
  /** Next-token targets [B, SEQ], −100 where there is none. */
  target: Tensor;
  /** [B, SEQ] bool, true at padding. */
  padMask: Tensor;
  /** Σ −log p_true(target | previous) over the targets (for the Bayes cross-entropy). */
  bayesNll: number;
  /** Number of targets. */
  targets: number;
}

/** B sequences of lengths U{8..SEQ} drawn from `lang` with `gen`. */
export function sampleBatch(lang: TokenLanguage, gen: Generator, B: number): TokenBatch {
  const u = sampleHost(gen, B * (SEQ + 1), 'uniform');
  const input = new Int32Array(B * SEQ).fill(VOCAB);
  const target = new Int32Array(B * SEQ).fill(-100);
  const pad: boolean[] = new Array<boolean>(B * SEQ).fill(true);
  let nll = 0;
  let targets = 0;
  for (let b = 0; b < B; b++) {
    const o = b * (SEQ + 1);
    const len = 8 + Math.min(SEQ - 8, Math.floor(u[o] * (SEQ - 7)));
    let tok = draw(lang.start, 0, u[o + 1]);
    for (let t = 0; t < len; t++) {
      input[b * SEQ + t] = tok;
      pad[b * SEQ + t] = false;
      if (t + 1 < len) {
        const next = draw(lang.trans, tok * VOCAB, u[o + 2 + t]);
        target[b * SEQ + t] = next;
        nll -= Math.log(lang.trans[tok * VOCAB + next]);
        targets++;
        tok = next;
      }
    }
  }
  return {
    input: tensor(input).reshape([B, SEQ]),
    target: tensor(target).reshape([B, SEQ]),
    padMask: tensor(pad).reshape([B, SEQ]),
    bayesNll: nll,
    targets,
  };
}

/** A norm taking the padding mask. */
export interface MaskedNorm extends Module {
  forward(x: Tensor, padMask: Tensor): Tensor;
}

/**
 * BatchNorm over the non-padding tokens of [B, T, C] (biased variance; running mean/var, momentum 0.1). In
 * training it records f = mean_c |σ²_B,c − σ²_run,c| / σ²_run,c (running value before the update) per call.
 */
export class MaskedBatchNorm extends Module {
  weight: Parameter;
  bias: Parameter;
  /** The fluctuation f of each training call. */
  readonly fluctuation: number[] = [];

  constructor(readonly C: number) {
    super();
    this.weight = new Parameter(ones([C]));
    this.bias = new Parameter(zeros([C]));
    this.registerBuffer('running_mean', zeros([C]));
    this.registerBuffer('running_var', ones([C]));
  }

  override forward(x: Tensor, padMask: Tensor): Tensor {
    const rm = this.getBuffer('running_mean')!;
    const rv = this.getBuffer('running_var')!;
    const flat = reshape(x, [-1, this.C]);
    let y: Tensor;
    if (this.training) {
      const keep = reshape(sub(1, cast(padMask, x.dtype)), [-1, 1]);
      const n = sum(keep);
      const mu = div(sum(mul(flat, keep), 0), n);
      const c = sub(flat, mu);
      const v = div(sum(mul(mul(c, c), keep), 0), n);
      noGrad(() => {
        this.fluctuation.push(mean(div(abs(sub(v, rv)), rv)).item());
        copyInto(rm, add(mul(rm, 0.9), mul(mu, 0.1)));
        copyInto(rv, add(mul(rv, 0.9), mul(v, 0.1)));
      });
      y = mul(c, rsqrt(add(v, 1e-5)));
    } else y = mul(sub(flat, rm), rsqrt(add(rv, 1e-5)));
    return reshape(add(mul(y, this.weight), this.bias), x.shape);
  }
}

class MaskedLayerNorm extends Module {
  ln: LayerNorm;
  constructor(C: number) {
    super();
    this.ln = new LayerNorm(C);
  }
  override forward(x: Tensor): Tensor {
    return this.ln.forward(x);
  }
}

/** The norms compared. */
export const NORMS = ['ln', 'bn', 'pn', 'pnPaper'] as const;
/** One of NORMS. */
export type NormKind = (typeof NORMS)[number];

function makeNorm(kind: NormKind, C: number, heads: number, warmup: number): MaskedNorm {
  if (kind === 'ln') return new MaskedLayerNorm(C);
  if (kind === 'bn') return new MaskedBatchNorm(C);
  if (kind === 'pn') return new PowerNorm(C, { groupNum: heads, warmupIters: warmup });
  return new PowerNorm(C, { variant: 'paper' });
}

/** Post-norm block: x = norm1(x + attn(x)); x = norm2(x + ffn(x)); causal attention. */
class PostNormBlock extends Module {
  attn: MultiheadAttention;
  lin1: Linear;
  lin2: Linear;
  norm1: MaskedNorm;
  norm2: MaskedNorm;
  constructor(d: number, heads: number, ff: number, kind: NormKind, warmup: number) {
    super();
    this.attn = new MultiheadAttention(d, heads, { batchFirst: true });
    this.lin1 = new Linear(d, ff);
    this.lin2 = new Linear(ff, d);
    this.norm1 = makeNorm(kind, d, heads, warmup);
    this.norm2 = makeNorm(kind, d, heads, warmup);
  }
  override forward(x: Tensor, padMask: Tensor): Tensor {
    const [a] = this.attn.forward(x, x, x, { isCausal: true, needWeights: false });
    const h = this.norm1.forward(add(x, a), padMask);
    return this.norm2.forward(add(h, this.lin2.forward(relu(this.lin1.forward(h)))), padMask);
  }
}

/** The causal LM: token + learned position embeddings, `layers` post-norm blocks, a linear read-out. */
export class TinyLM extends Module {
  tok: Embedding;
  pos: Parameter;
  blocks: PostNormBlock[];
  out: Linear;
  constructor(opts: {
    d: number;
    heads: number;
    ff: number;
    layers: number;
    norm: NormKind;
    warmup: number;
  }) {
    super();
    this.tok = new Embedding(VOCAB + 1, opts.d);
    this.pos = new Parameter(noGrad(() => mul(randn([SEQ, opts.d]), 0.02)));
    this.blocks = [];
    for (let i = 0; i < opts.layers; i++) {
      const b = new PostNormBlock(opts.d, opts.heads, opts.ff, opts.norm, opts.warmup);
      this.registerModule(`block${i}`, b);
      this.blocks.push(b);
    }
    this.out = new Linear(opts.d, VOCAB);
  }
  override forward(input: Tensor, padMask: Tensor): Tensor {
    let x = add(this.tok.forward(input), this.pos);
    for (const b of this.blocks) x = b.forward(x, padMask);
    return this.out.forward(x);
  }
  /** Every norm layer (for the fluctuation and PN checks). */
  norms(): MaskedNorm[] {
    return this.blocks.flatMap((b) => [b.norm1, b.norm2]);
  }
}
