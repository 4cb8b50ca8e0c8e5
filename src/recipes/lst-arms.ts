// Recipe `lst`'s configuration, backbone and arms (full, adapter, LoRA, probe, LST random / pruned init), and the text describing them.
import { ArgumentError } from '../core/errors.js';
import { noGrad } from '../core/state.js';
import type { Tensor } from '../core/tensor.js';
import { Sequential } from '../nn/containers.js';
import { Identity, Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import type { Module } from '../nn/module.js';
import { Residual } from '../nn/residual.js';
import { tensor } from '../ops/tensor-like.js';
import { BottleneckAdapter } from '../lab/frozen/adapter.js';
import { applyLoRA } from '../lab/frozen/lora.js';
import { LadderSideTuning } from '../lab/frozen/lst.js';

/** Every arm of paper notes 06's small-scale protocol. */
export type LstArm = 'full' | 'adapter' | 'lora' | 'probe' | 'lst' | 'lst-pruned';
export const LST_ARMS: readonly LstArm[] = ['full', 'adapter', 'lora', 'probe', 'lst', 'lst-pruned'];

/** What the recipe builds and trains; the protocol text is generated from it (describeLstModel). */
export interface LstConfig {
  /** Width of the backbone's residual stream. */
  width: number;
  /** Residual feed-forward blocks after the input layer. */
  ffnBlocks: number;
  /** Hidden width of a feed-forward block = ffnMult × width. */
  ffnMult: number;
  classes: number;
  lora: { rank: number; alpha: number };
  adapter: { bottleneck: number };
  side: {
    /** Side width = width / reduction (paper: r = 8). */
    reduction: number;
    /** Gate temperature (paper: T = 0.1, α = 0). */
    gateT: number;
    /** Whether the gates (ladder gates and the output gate) are trained. */
    learnGates: boolean;
    /** Side block per FFN block: a residual FFN mirroring the backbone's, or Linear + ReLU. */
    block: 'ffn' | 'linear';
    /**
     * Whether the raw input is a ladder too (Down₀(x) starts the side state); false starts it from
     * Down₀ of the input layer's output (see the recipe's calibration of this choice).
     */
    inputLadder: boolean;
    /** Initial output-gate logit α_out (0: μ = 0.5; large: the head sees the side state only). */
    outGateAlpha: number;
  };
  /** Adam learning rate per arm. */
  lr: Record<LstArm, number>;
  epochs: number;
  batch: number;
}

/** Settings of a full run (quick runs shorten data and epochs only). */
export const LST_CONFIG: LstConfig = {
  width: 128,
  ffnBlocks: 3,
  ffnMult: 4,
  classes: 5,
  lora: { rank: 4, alpha: 4 },
  adapter: { bottleneck: 16 },
  side: { reduction: 8, gateT: 0.1, learnGates: true, block: 'ffn', inputLadder: true, outGateAlpha: 0 },
  lr: { full: 1e-3, adapter: 1e-2, lora: 1e-2, probe: 1e-2, lst: 1e-2, 'lst-pruned': 1e-2 },
  epochs: 10,
  batch: 128,
};

/** Transformer-style feed-forward block: x + W₂ ReLU(W₁ x), hidden `mult` × wider than the stream. */
export function ffnBlock(width: number, mult: number): Residual {
  return new Residual(
    new Sequential(new Linear(width, mult * width), new ReLU(), new Linear(mult * width, width)),
  );
}

/** The backbone: Linear(inputSize → width) + ReLU, then `ffnBlocks` residual feed-forward blocks. */
export function lstBackbone(inputSize: number, cfg: LstConfig): Module[] {
  const out: Module[] = [new Sequential(new Linear(inputSize, cfg.width), new ReLU())];
  for (let i = 0; i < cfg.ffnBlocks; i++) out.push(ffnBlock(cfg.width, cfg.ffnMult));
  return out;
}

/** A copy of the pre-trained blocks (each arm starts from the same weights). */
function copyBlocks(src: Module[], inputSize: number, cfg: LstConfig): Module[] {
  const out = lstBackbone(inputSize, cfg);
  out.forEach((b, i) => b.loadStateDict(src[i].stateDict()));
  return out;
}

function ffnLinears(b: Module): [Linear, Linear] {
  const body = (b as Residual).body as Sequential;
  return [body.at(0) as Linear, body.at(2) as Linear];
}

function topK(score: Float32Array | number[], k: number): number[] {
  return Array.from(score, (v, i) => [v, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i)
    .sort((a, b) => a - b);
}

/**
 * Magnitude-pruned side initialisation (the paper prunes the backbone with Fisher importance; notes 06
 * ask for a magnitude-pruned copy): keep the `side` stream dimensions with the largest weight norms
 * summed over the backbone (rows of the input layer, columns of W₁ and rows of W₂ of each FFN block),
 * and in each block the mult·side hidden units with the largest ‖W₁[u, K]‖·‖W₂[K, u]‖. Side block i
 * gets those rows/columns of backbone block i; Downᵢ starts as the selection of the kept dimensions and
 * Up as its transpose, so the side state starts as a pruned copy of the backbone stream.
 */
export async function prunedSideInit(
  lst: LadderSideTuning,
  pre: Module[],
  cfg: LstConfig,
): Promise<number[]> {
  const w = cfg.width;
  const side = Math.round(w / cfg.side.reduction);
  const score = new Float64Array(w);
  const w0 = (pre[0] as Sequential).at(0) as Linear;
  const W0 = await w0.weight.data();
  const inn = w0.inFeatures;
  for (let j = 0; j < w; j++) for (let c = 0; c < inn; c++) score[j] += W0[j * inn + c] ** 2;
  const hid = cfg.ffnMult * w;
  const blocks = await Promise.all(
    pre.slice(1).map(async (b) => {
      const [l1, l2] = ffnLinears(b);
      const [A, B, a1, b2] = await Promise.all(
        [l1.weight, l2.weight, l1.bias!, l2.bias!].map((t) => t.data()),
      );
      return { A, B, a1, b2 }; // A: [hid, w], B: [w, hid]
    }),
  );
  for (const { A, B } of blocks) {
    for (let j = 0; j < w; j++)
      for (let u = 0; u < hid; u++) score[j] += A[u * w + j] ** 2 + B[j * hid + u] ** 2;
  }
  const K = topK(Array.from(score), side);
  const sel = new Float32Array(side * w);
  K.forEach((j, r) => (sel[r * w + j] = 1));
  const sides = [...lst.sides];
  noGrad(() => {
    for (const d of lst.downs) {
      const lin = d as Linear;
      if (lin.inFeatures !== w) continue; // the raw-input ladder stays random
      lin.weight.copy_(tensor(sel).reshape([side, w]));
      lin.bias?.zero_();
    }
    lst.up.weight.copy_(tensor(sel).reshape([side, w]).transpose(0, 1));
    lst.up.bias?.zero_();
    blocks.forEach(({ A, B, a1, b2 }, i) => {
      const units = new Float32Array(hid);
      for (let u = 0; u < hid; u++) {
        let na = 0;
        let nb = 0;
        for (const j of K) {
          na += A[u * w + j] ** 2;
          nb += B[j * hid + u] ** 2;
        }
        units[u] = Math.sqrt(na * nb);
      }
      const H = topK(units, cfg.ffnMult * side);
      const [s1, s2] = ffnLinears(sides[i + 1]);
      s1.weight.copy_(
        tensor(Float32Array.from(H.flatMap((u) => K.map((j) => A[u * w + j])))).reshape([H.length, side]),
      );
      s1.bias!.copy_(tensor(Float32Array.from(H.map((u) => a1[u]))));
      s2.weight.copy_(
        tensor(Float32Array.from(K.flatMap((j) => H.map((u) => B[j * hid + u])))).reshape([side, H.length]),
      );
      s2.bias!.copy_(tensor(Float32Array.from(K.map((j) => b2[j]))));
    });
  });
  return K;
}

/** The LST module of the recipe: ladders from every block, side blocks mirroring the FFN blocks. */
export function buildLst(bb: Module[], inputSize: number, cfg: LstConfig): LadderSideTuning {
  const side = Math.round(cfg.width / cfg.side.reduction);
  const lst = new LadderSideTuning(
    bb,
    inputSize,
    bb.map(() => cfg.width),
    {
      classes: cfg.classes,
      reduction: cfg.side.reduction,
      gateT: cfg.side.gateT,
      inputLadder: cfg.side.inputLadder,
      // block 0 (input layer) is the "embedding": the side state starts as Down₀ of its output
      sideBlock: (i) =>
        i === 0
          ? new Identity()
          : cfg.side.block === 'ffn'
            ? ffnBlock(side, cfg.ffnMult)
            : new Sequential(new Linear(side, side), new ReLU()),
    },
  );
  if (cfg.side.outGateAlpha !== 0) noGrad(() => lst.outGate.fill_(cfg.side.outGateAlpha));
  if (!cfg.side.learnGates) {
    lst.gates.requiresGrad_(false);
    lst.outGate.requiresGrad_(false);
  }
  return lst;
}

/** A model for one arm from the pre-trained blocks, the function giving its logits, and its parameters to train. */
export async function buildLstArm(
  arm: LstArm,
  pre: Module[],
  inputSize: number,
  cfg: LstConfig,
): Promise<{ model: Module; forward: (x: Tensor) => Tensor }> {
  const bb = copyBlocks(pre, inputSize, cfg);
  if (arm === 'lst' || arm === 'lst-pruned') {
    const lst = buildLst(bb, inputSize, cfg);
    if (arm === 'lst-pruned') {
      if (cfg.side.block !== 'ffn')
        throw new ArgumentError(
          `lst-pruned needs FFN side blocks (a pruned copy of the backbone's), got '${cfg.side.block}'`,
        );
      await prunedSideInit(lst, pre, cfg);
    }
    return { model: lst, forward: (x) => lst.forward(x) };
  }
  const head = new Linear(cfg.width, cfg.classes);
  if (arm === 'adapter') {
    const net = new Sequential(
      ...bb.map((b) => new BottleneckAdapter(b, cfg.width, cfg.adapter.bottleneck)),
      head,
    );
    return { model: net, forward: (x) => net.forward(x) as Tensor };
  }
  const net = new Sequential(...bb, head);
  const headPath = String(bb.length);
  if (arm === 'lora') applyLoRA(net, { ...cfg.lora, trainable: [headPath] });
  if (arm === 'probe') {
    bb.forEach((b) => b.requiresGrad_(false));
    const trunk = new Sequential(...bb);
    return { model: net, forward: (x) => head.forward(noGrad(() => trunk.forward(x))) };
  }
  return { model: net, forward: (x) => net.forward(x) as Tensor };
}

/** The model paragraph of the protocol, generated from the configuration that runs. */
export function describeLstModel(cfg: LstConfig, inputSize: number | 'input'): string {
  const w = cfg.width;
  const h = cfg.ffnMult * w;
  const side = Math.round(w / cfg.side.reduction);
  return (
    `Backbone: Linear(${inputSize}→${w}) + ReLU, then ${cfg.ffnBlocks} residual feed-forward blocks ` +
    `x + Linear(${h}→${w})(ReLU(Linear(${w}→${h})(x))); new ${cfg.classes}-way Linear head in every arm, trainable in every arm. ` +
    `Arms: full fine-tuning; bottleneck-${cfg.adapter.bottleneck} adapter after each block (h + Up(ReLU(Down(h))), Up = 0 at start); ` +
    `LoRA rank ${cfg.lora.rank} (α = ${cfg.lora.alpha}) on every backbone Linear, head trained fully; linear probe (head only); ` +
    `LST with side width ${side} (r = ${cfg.side.reduction}): the side state starts as ${
      cfg.side.inputLadder
        ? `Down₀(x) of the raw input, mixed with Down₁ of the input layer's output`
        : `Down₀ of the input layer's output (no raw-input ladder)`
    }, ` +
    `then per FFN block i: h ← μᵢ·h + (1 − μᵢ)·Downᵢ(hᵢ), h ← side block ${
      cfg.side.block === 'ffn'
        ? `(residual FFN x + Linear(${cfg.ffnMult * side}→${side})(ReLU(Linear(${side}→${cfg.ffnMult * side})(x))))`
        : `(Linear(${side}→${side}) + ReLU)`
    }; ` +
    `output head(μ·Up(h) + (1 − μ)·h_last); gates μ = sigmoid(α/T), α = 0${cfg.side.outGateAlpha ? ` (output gate α = ${cfg.side.outGateAlpha})` : ''}, T = ${cfg.side.gateT}, ${cfg.side.learnGates ? 'trained' : 'frozen'}; ` +
    `side network initialised randomly ('lst') or as a magnitude-pruned copy of the backbone ('lst-pruned': top-${side} stream dimensions, top-${cfg.ffnMult * side} hidden units per block, Down = selection, Up = its transpose).`
  );
}
