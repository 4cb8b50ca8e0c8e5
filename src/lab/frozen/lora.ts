// LoRA: frozen Linear / Conv2d / attention weights plus trainable low-rank updates s·B·A; merge and unmerge.
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { zeros } from '../../ops/creation.js';
import { add, mul } from '../../ops/elementwise.js';
import { matmul } from '../../ops/matmul.js';
import { conv2d } from '../../ops/nn.js';
import { reshape, transpose } from '../../ops/shape.js';
import { MultiheadAttention } from '../../nn/attention.js';
import { Conv2d } from '../../nn/conv.js';
import { kaimingUniform } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';

/** Rank and scaling of a LoRA adapter (update = alpha / rank · B·A). */
export interface LoRAOptions {
  /** Rank r of the update, an integer in [1, min(out, in)] (default 4). */
  rank?: number;
  /** Scaling numerator: s = alpha / rank (default: rank, so s = 1). */
  alpha?: number;
}

function lowRank(out: number, inn: number, opts: LoRAOptions): { a: Parameter; b: Parameter; scale: number } {
  const rank = opts.rank ?? 4;
  if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(out, inn))
    throw new ArgumentError(`LoRA: rank must be an integer in [1, ${Math.min(out, inn)}], got ${rank}`);
  // A: Kaiming-uniform as in the LoRA reference code; B = 0 so the adapted layer starts equal to the base
  const a = new Parameter(kaimingUniform(zeros([rank, inn]), { a: Math.sqrt(5) }));
  const b = new Parameter(zeros([out, rank]));
  return { a, b, scale: (opts.alpha ?? rank) / rank };
}

/** The dense update s·B·A, without recording. */
function delta(a: Tensor, b: Tensor, scale: number): Tensor {
  return noGrad(() => mul(matmul(b, a), scale));
}

/**
 * A frozen Linear with a trainable low-rank update: y = base(x) + s·(x Aᵀ) Bᵀ.
 * @example const l = new gl.lab.frozen.LoRALinear(linear, { rank: 4, alpha: 8 });
 */
export class LoRALinear extends Module {
  /** A [rank, in], Kaiming-uniform at the start. */
  readonly loraA: Parameter;
  /** B [out, rank], zero at the start (the adapted layer starts equal to the base). */
  readonly loraB: Parameter;
  /** s = alpha / rank. */
  readonly scale: number;
  /** Whether s·B·A is folded into the base weight now. */
  merged = false;

  /** @param base - The Linear adapted; its parameters are frozen (requiresGrad false). */
  constructor(
    readonly base: Linear,
    opts: LoRAOptions = {},
  ) {
    super();
    base.requiresGrad_(false);
    const p = lowRank(base.outFeatures, base.inFeatures, opts);
    this.loraA = p.a;
    this.loraB = p.b;
    this.scale = p.scale;
  }

  override forward(x: Tensor): Tensor {
    const y = this.base.forward(x);
    if (this.merged) return y;
    const h = matmul(matmul(x, transpose(this.loraA, 0, 1)), transpose(this.loraB, 0, 1));
    return add(y, mul(h, this.scale));
  }

  /**
   * Folds s·B·A into the base weight (inference without the extra matmuls).
   * @example
   * const lora = new gl.lab.frozen.LoRALinear(new gl.nn.Linear(16, 16), { rank: 4 });
   * lora.merge(); // one matmul at inference
   * lora.unmerge(); // back to training the adapter
   */
  merge(): void {
    if (this.merged) return;
    noGrad(() => this.base.weight.add_(delta(this.loraA, this.loraB, this.scale)));
    this.merged = true;
  }

  /**
   * Takes s·B·A back out of the base weight.
   * @example
   * const lora = new gl.lab.frozen.LoRALinear(new gl.nn.Linear(16, 16), { rank: 4 });
   * lora.merge();
   * lora.unmerge(); // the base weight is as before merge (up to rounding)
   */
  unmerge(): void {
    if (!this.merged) return;
    noGrad(() => this.base.weight.sub_(delta(this.loraA, this.loraB, this.scale)));
    this.merged = false;
  }
}

/**
 * A frozen Conv2d with a trainable low-rank update of its weight: W = W₀ + s·reshape(B·A), A of
 * shape [rank, in/groups·kh·kw], B [out, rank].
 * @example const c = new gl.lab.frozen.LoRAConv2d(conv, { rank: 4 });
 */
export class LoRAConv2d extends Module {
  /** A [rank, in/groups·kh·kw], Kaiming-uniform at the start. */
  readonly loraA: Parameter;
  /** B [out, rank], zero at the start. */
  readonly loraB: Parameter;
  /** s = alpha / rank. */
  readonly scale: number;
  /** Whether s·B·A is folded into the base weight now. */
  merged = false;

  /** @param base - The Conv2d adapted (symmetric padding only); its parameters are frozen. */
  constructor(
    readonly base: Conv2d,
    opts: LoRAOptions = {},
  ) {
    super();
    base.requiresGrad_(false);
    const w = base.weight.shape;
    const p = lowRank(w[0], w[1] * w[2] * w[3], opts);
    this.loraA = p.a;
    this.loraB = p.b;
    this.scale = p.scale;
  }

  override forward(x: Tensor): Tensor {
    if (this.merged) return this.base.forward(x);
    const b = this.base;
    const w = add(b.weight, reshape(mul(matmul(this.loraB, this.loraA), this.scale), b.weight.shape));
    const pads = (b as unknown as { pads: [number, number][] }).pads;
    if (!pads.every(([u, v]) => u === v))
      throw new ArgumentError('LoRAConv2d: asymmetric padding is not supported; use symmetric padding');
    return conv2d(x, w, b.bias, {
      stride: b.stride,
      padding: [pads[0][0], pads[1][0]],
      dilation: b.dilation,
      groups: b.groups,
    });
  }

  /**
   * Folds s·reshape(B·A) into the base weight.
   * @example
   * const lora = new gl.lab.frozen.LoRAConv2d(new gl.nn.Conv2d(3, 8, 3), { rank: 2 });
   * lora.merge(); // one convolution at inference
   */
  merge(): void {
    if (this.merged) return;
    const d = reshape(delta(this.loraA, this.loraB, this.scale), this.base.weight.shape);
    noGrad(() => this.base.weight.add_(d));
    this.merged = true;
  }

  /**
   * Takes s·reshape(B·A) back out of the base weight.
   * @example
   * const lora = new gl.lab.frozen.LoRAConv2d(new gl.nn.Conv2d(3, 8, 3), { rank: 2 });
   * lora.merge();
   * lora.unmerge();
   */
  unmerge(): void {
    if (!this.merged) return;
    const d = reshape(delta(this.loraA, this.loraB, this.scale), this.base.weight.shape);
    noGrad(() => this.base.weight.sub_(d));
    this.merged = false;
  }
}

/** LoRA on an attention module: q, k, v (the packed in_proj) and the output projection. */
export interface LoRAAttention {
  /** Adapter of the packed [3E, E] in_proj weight. */
  inProj: {
    /** A [rank, E]. */
    loraA: Parameter;
    /** B [3E, rank], zero at the start. */
    loraB: Parameter;
    /** s = alpha / rank. */
    scale: number;
  };
  /** The output projection, wrapped. */
  outProj: LoRALinear;
  /** Folds both updates into the base weights. */
  merge(): void;
  /** Takes both updates back out. */
  unmerge(): void;
}

/**
 * Adds LoRA to a MultiheadAttention in place: the packed q/k/v projection gets W₀ + s·B·A (recomputed
 * each forward), the output projection becomes a LoRALinear. The base weights are frozen.
 * @example const ad = gl.lab.frozen.loraAttention(layer.selfAttn, { rank: 4 });
 */
export function loraAttention(mha: MultiheadAttention, opts: LoRAOptions = {}): LoRAAttention {
  mha.requiresGrad_(false);
  const w0 = mha.inProjWeight;
  const p = lowRank(w0.shape[0], w0.shape[1], opts);
  mha.registerParameter('lora_in_A', p.a);
  mha.registerParameter('lora_in_B', p.b);
  let merged = false;
  Object.defineProperty(mha, 'inProjWeight', {
    configurable: true,
    get: () => (merged ? w0 : add(w0, mul(matmul(p.b, p.a), p.scale))),
  });
  const outProj = new LoRALinear(mha.outProj, opts);
  mha.registerModule('out_proj', outProj);
  return {
    inProj: { loraA: p.a, loraB: p.b, scale: p.scale },
    outProj,
    merge() {
      if (!merged) noGrad(() => w0.add_(delta(p.a, p.b, p.scale)));
      merged = true;
      outProj.merge();
    },
    unmerge() {
      if (merged) noGrad(() => w0.sub_(delta(p.a, p.b, p.scale)));
      merged = false;
      outProj.unmerge();
    },
  };
}

/** Options of applyLoRA: adapter rank and scale, which layers get adapters, which modules stay trainable. */
export interface ApplyLoRAOptions extends LoRAOptions {
  /** Which Linear / Conv2d / attention submodules get an adapter (by path); default all. */
  filter?: (path: string, m: Module) => boolean;
  /**
   * Paths of submodules that get no adapter and stay fully trainable (PEFT's `modules_to_save`): a new
   * task head must be one of them, or it stays at its random initialisation.
   */
  trainable?: readonly string[];
}

/**
 * Freezes every parameter of `model` except the modules named in `trainable`, and puts LoRA adapters
 * on its other Linear, Conv2d and MultiheadAttention submodules (those `filter` accepts, by path);
 * returns the adapters. A path in `trainable` that names no submodule is an ArgumentError.
 * @example
 * const adapters = gl.lab.frozen.applyLoRA(model, { rank: 4, trainable: ['head'] }); // new head trains fully
 * const opt = new gl.optim.Adam(model.parameters().filter((p) => p.requiresGrad));
 */
export function applyLoRA(
  model: Module,
  opts: ApplyLoRAOptions = {},
): (LoRALinear | LoRAConv2d | LoRAAttention)[] {
  const keep = new Set(opts.trainable ?? []);
  const paths = new Set(model.namedModules().map(([p]) => p));
  const missing = [...keep].filter((p) => !paths.has(p));
  if (missing.length)
    throw new ArgumentError(
      `applyLoRA: trainable paths must name submodules of the model; not found: ${missing.join(', ')}`,
    );
  model.requiresGrad_(false);
  const adapters: (LoRALinear | LoRAConv2d | LoRAAttention)[] = [];
  const visit = (m: Module, prefix: string) => {
    for (const [name, child] of m.namedChildren()) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (keep.has(path)) {
        child.requiresGrad_(true);
        continue;
      }
      const ok = !opts.filter || opts.filter(path, child);
      if (ok && child instanceof Linear) {
        const l = new LoRALinear(child, opts);
        m.registerModule(name, l);
        adapters.push(l);
      } else if (ok && child instanceof Conv2d) {
        const c = new LoRAConv2d(child, opts);
        m.registerModule(name, c);
        adapters.push(c);
      } else if (ok && child instanceof MultiheadAttention) adapters.push(loraAttention(child, opts));
      else visit(child, path);
    }
  };
  visit(model, '');
  return adapters;
}
