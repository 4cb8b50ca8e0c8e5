// PowerNorm (Shen et al. 2020): running quadratic mean forward, approximate backward whose statistic is updated in backward.
import { customGrad, type CustomContext } from '../core/custom.js';
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import { tidy, type Tensor } from '../core/tensor.js';
import { ones, zeros } from '../ops/creation.js';
import { add, cast, div, mul, rsqrt, sqrt, sub } from '../ops/elementwise.js';
import { copyInto } from '../ops/inplace.js';
import { mean, sum } from '../ops/reduce.js';
import { reshape } from '../ops/shape.js';
import type { FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Options of PowerNorm. */
export interface PowerNormOptions extends FactoryOptions {
  /**
   * 'official' (default): the authors' code (fairseq `MaskPowerNorm`): warm-up on batch statistics,
   * running φ updated as cumulative average during warm-up and EMA always, backward divides by the
   * batch quadratic mean, correction (1 − αᵦ)·ν·z with ν += mean(g̃·z). 'paper': the paper's Algorithm
   * (forward by ψ_{t−1}, backward by ψ_{t−1}, ν_t = ν_{t−1}(1 − (1 − α)Γ) + (1 − α)Λ).
   */
  variant?: 'official' | 'paper';
  /** Added to the quadratic means before the square root (default 1e-5). */
  eps?: number;
  /** α of the running quadratic mean ψ² (default 0.9). */
  alphaFwd?: number;
  /** α of the backward statistic ν (default 0.9). */
  alphaBkw?: number;
  /** Training calls that normalise by the batch statistic ('official' only; default 0). */
  warmupIters?: number;
  /**
   * Channel groups of the official code's GroupScaling1D, applied first: each token's channels are
   * split into `groupNum` groups, each divided by √(mean of its squares + 1e-5). 0 (default): none.
   */
  groupNum?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
}

/**
 * Power normalisation over the last dim (channels) of [..., C]: y = γ·x/√(ψ² + eps) + β with ψ² a
 * running quadratic mean (no mean-centring). Its backward is the paper's approximate one, written
 * with customGrad: it updates the buffer `ema_gz` (ν) when it runs, once per forward. `forward(x,
 * padMask)` takes an optional mask of x's leading shape (true / non-zero = padding): padded tokens do
 * not enter the batch statistic. Buffers: `running_phi` (ψ², init 1), `ema_gz` (ν, init 0), `iters`.
 * @example
 * const pn = new gl.nn.PowerNorm(48, { groupNum: 4, warmupIters: 200 });
 * const x = gl.randn([2, 5, 48]); // [B, T, C]
 * const padMask = gl.tensor([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0]]); // [B, T], non-zero = padding
 * const y = pn.forward(x, padMask); // [2, 5, 48]
 */
export class PowerNorm extends Module {
  /** The learned scale γ (initialized to 1), or null without the affine part. */
  weight: Parameter | null;
  /** The learned shift β (initialized to 0), or null without it. */
  bias: Parameter | null;
  /** 'official' (the authors' code) or 'paper' (the paper's Algorithm). */
  readonly variant: 'official' | 'paper';
  /** Added to the quadratic means before the square root. */
  readonly eps: number;
  /** α of the running ψ². */
  readonly alphaFwd: number;
  /** α of ν. */
  readonly alphaBkw: number;
  /** Training calls normalised by the batch statistic ('official'). */
  readonly warmupIters: number;
  /** GroupScaling groups (0: none). */
  readonly groupNum: number;
  private readonly fn: (x: Tensor, w: Tensor | null, b: Tensor | null, keepMask: Tensor | null) => Tensor;

  constructor(
    /** Channels C (the last dim of the input). */
    readonly numFeatures: number,
    opts: PowerNormOptions = {},
  ) {
    super();
    const dtype = opts.dtype ?? 'float32';
    this.variant = opts.variant ?? 'official';
    if (this.variant !== 'official' && this.variant !== 'paper')
      throw new ArgumentError(
        `PowerNorm: variant must be 'official' or 'paper', got '${String(this.variant)}'`,
      );
    this.eps = opts.eps ?? 1e-5;
    this.alphaFwd = opts.alphaFwd ?? 0.9;
    this.alphaBkw = opts.alphaBkw ?? 0.9;
    this.warmupIters = opts.warmupIters ?? 0;
    this.groupNum = opts.groupNum ?? 0;
    for (const [k, v] of [
      ['alphaFwd', this.alphaFwd],
      ['alphaBkw', this.alphaBkw],
    ] as const)
      if (!(v >= 0 && v <= 1)) throw new ArgumentError(`PowerNorm: ${k} must be in [0, 1], got ${v}`);
    if (!Number.isInteger(this.warmupIters) || this.warmupIters < 0)
      throw new ArgumentError(`PowerNorm: warmupIters must be an integer >= 0, got ${this.warmupIters}`);
    if (
      !Number.isInteger(this.groupNum) ||
      this.groupNum < 0 ||
      (this.groupNum > 0 && numFeatures % this.groupNum)
    )
      throw new ArgumentError(
        `PowerNorm: groupNum must be 0 or an integer dividing numFeatures (${numFeatures}), got ${this.groupNum}`,
      );
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer('running_phi', ones([numFeatures], { dtype }));
    this.registerBuffer('ema_gz', zeros([numFeatures], { dtype }));
    this.registerBuffer('iters', zeros([], { dtype: 'int32' }));
    this.fn = customGrad({
      name: 'powerNorm',
      forward: (ctx, x: Tensor, w: Tensor | null, b: Tensor | null, keepMask: Tensor | null) =>
        this.trainForward(ctx, x, w, b, keepMask),
      backward: (ctx, gy) => this.approxBackward(ctx, gy),
    });
  }

  /** ψ², the running quadratic mean per channel (buffer `running_phi`). */
  get runningPhi(): Tensor {
    return this.getBuffer('running_phi')!;
  }

  /** ν, the backward statistic per channel (buffer `ema_gz`), written by backward. */
  get emaGz(): Tensor {
    return this.getBuffer('ema_gz')!;
  }

  /** Training calls so far (buffer `iters`). */
  get iters(): number {
    return this.getBuffer('iters')!.item();
  }

  override forward(x: Tensor, padMask?: Tensor | null): Tensor {
    const C = this.numFeatures;
    if (x.ndim < 1 || x.shape[x.ndim - 1] !== C)
      throw new ShapeError(`PowerNorm: expected an input [..., ${C}], got ${fmtShape(x.shape)}`);
    const lead = x.shape.slice(0, -1);
    if (padMask && padMask.shape.join() !== lead.join())
      throw new ShapeError(
        `PowerNorm: expected a padMask of the input's leading shape ${fmtShape(lead)}, got ${fmtShape(padMask.shape)}`,
      );
    const xs = this.groupNum > 0 ? this.groupScale(x) : x;
    const flat = reshape(xs, [-1, C]);
    if (!this.training) {
      let y = mul(flat, rsqrt(add(this.runningPhi, this.eps)));
      if (this.weight) y = mul(y, this.weight);
      if (this.bias) y = add(y, this.bias);
      return reshape(y, x.shape);
    }
    const keepMask = padMask ? reshape(sub(1, cast(padMask, x.dtype)), [-1, 1]) : null;
    const iters = this.getBuffer('iters')!;
    noGrad(() => copyInto(iters, add(iters, 1)));
    return reshape(this.fn(flat, this.weight, this.bias, keepMask), x.shape);
  }

  /** The official code's GroupScaling1D: each group of C/groupNum channels divided by its RMS (+1e-5). */
  private groupScale(x: Tensor): Tensor {
    const G = this.groupNum;
    const C = this.numFeatures;
    const g = reshape(x, [...x.shape.slice(0, -1), G, C / G]);
    const m2 = mean(mul(g, g), -1, true);
    return reshape(div(g, sqrt(add(m2, 1e-5))), x.shape);
  }

  private trainForward(
    ctx: CustomContext,
    x: Tensor,
    w: Tensor | null,
    b: Tensor | null,
    keepMask: Tensor | null,
  ): Tensor {
    const t = this.getBuffer('iters')!.item();
    const phi = this.runningPhi;
    const x2 = mul(x, x);
    const count = keepMask ? sum(keepMask).item() : x.shape[0];
    if (count < 1) throw new ArgumentError('PowerNorm: every token of the batch is padding');
    const varB = div(sum(keepMask ? mul(x2, keepMask) : x2, 0), count);
    const warm = this.variant === 'official' && t <= this.warmupIters;
    const denom = sqrt(add(warm ? varB : phi, this.eps));
    const z = div(x, denom);
    tidy(() => {
      let p: Tensor = phi;
      if (this.variant === 'official' && t < this.warmupIters) p = add(mul(p, (t - 1) / t), div(varB, t));
      copyInto(phi, add(mul(p, this.alphaFwd), mul(varB, 1 - this.alphaFwd)));
    });
    // the official backward divides by the batch statistic, the paper's by the forward's ψ_{t−1}
    const bwdDenom = this.variant === 'official' ? sqrt(add(varB, this.eps)) : denom;
    ctx.save(z, bwdDenom, w, keepMask);
    ctx.count = count;
    let y = z;
    if (w) y = mul(y, w);
    if (b) y = add(y, b);
    return y;
  }

  private approxBackward(ctx: CustomContext, gy: Tensor): (Tensor | null)[] {
    const [z, bwdDenom, w, keepMask] = ctx.saved as [Tensor, Tensor, Tensor | null, Tensor | null];
    const nu = this.emaGz;
    const g = w ? mul(gy, w) : gy;
    let approx: Tensor;
    if (this.variant === 'official') {
      approx = sub(g, mul(mul(nu, 1 - this.alphaBkw), z));
      // as the code: the mean runs over every position, padding included
      noGrad(() => copyInto(nu, add(nu, mean(mul(approx, z), 0))));
    } else {
      approx = sub(g, mul(nu, z));
      const n = ctx.count as number;
      const zm = keepMask ? mul(z, keepMask) : z;
      const gamma = div(sum(mul(zm, z), 0), n);
      const lambda = div(sum(mul(zm, approx), 0), n);
      const a = 1 - this.alphaBkw;
      noGrad(() => copyInto(nu, add(mul(nu, sub(1, mul(gamma, a))), mul(lambda, a))));
    }
    const gx = div(approx, bwdDenom);
    const gw = w ? sum(mul(gy, z), 0) : null;
    const gb = w || ctx.needsInputGrad[2] ? sum(gy, 0) : null;
    return [
      ctx.needsInputGrad[0] ? gx : null,
      ctx.needsInputGrad[1] ? gw : null,
      ctx.needsInputGrad[2] ? gb : null,
      null,
    ];
  }
}
