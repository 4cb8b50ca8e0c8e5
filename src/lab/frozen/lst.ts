// Ladder Side-Tuning: a small side network fed by gated, down-projected activations of a frozen backbone.
import { ArgumentError } from '../../core/errors.js';
import { noGrad } from '../../core/state.js';
import type { Tensor } from '../../core/tensor.js';
import { zeros } from '../../ops/creation.js';
import { add, mul, sigmoid, sub } from '../../ops/elementwise.js';
import { ModuleList } from '../../nn/containers.js';
import { Linear } from '../../nn/linear.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';

/** Options of LadderSideTuning. */
export interface LSTOptions {
  /** Side width = hidden width / reduction (paper: r = 8). */
  reduction?: number;
  /** Gate temperature T: μ = sigmoid(α / T), α starting at 0 (paper: T = 0.1, μ = 0.5). */
  gateT?: number;
  /** Side block for ladder i (width w → w); default Linear + ReLU. */
  sideBlock?: (i: number, width: number) => Module;
  /** Output classes of the head on the side state (mixed with the backbone's last state). */
  classes: number;
  /**
   * Start the side state from Down₀(input) (default, the paper's embedding ladder); false starts it
   * from the first block's output instead — for backbones without an embedding layer, where a wide
   * raw input would cost the side network more than the backbone's own activations.
   */
  inputLadder?: boolean;
}

class LinearRelu extends Module {
  readonly fc: Linear;
  constructor(w: number) {
    super();
    this.fc = new Linear(w, w);
  }
  override forward(x: Tensor): Tensor {
    return this.fc.forward(x).relu();
  }
}

/**
 * LST (paper 06) over a frozen backbone given as a sequence of blocks with output widths `widths`:
 * the backbone runs without recording (nothing of it is saved for backward); the side state starts as
 * Down₀(input) (or Down₀(h₁) with `inputLadder: false`), then for each block i: h ← μᵢ·h + (1 − μᵢ)·Downᵢ(backbone hᵢ), h ← sideᵢ(h); the
 * output is head(μ·Up(h) + (1 − μ)·h_last).
 * @example
 * const lst = new gl.lab.frozen.LadderSideTuning([b1, b2, b3], 784, [128, 128, 128], { classes: 5 });
 * const logits = lst.forward(x); // only lst's side parameters require grad
 */
export class LadderSideTuning extends Module {
  /** The frozen blocks, run without recording. */
  readonly backbone: ModuleList;
  /** The ladders' down-projections to the side width (the input's first with inputLadder). */
  readonly downs: ModuleList;
  /** The side blocks, one per backbone block (side width to side width). */
  readonly sides: ModuleList;
  /** Gate logits α, one per block (μᵢ = sigmoid(αᵢ / T)), zero at the start. */
  readonly gates: Parameter;
  /** Up-projection of the side state to the last block's width. */
  readonly up: Linear;
  /** Logit of the output gate μ, zero at the start. */
  readonly outGate: Parameter;
  /** The classifier on the mixed state. */
  readonly head: Linear;
  /** Gate temperature T. */
  readonly gateT: number;
  /** The side state starts from Down₀(input) (else from the first block's output). */
  readonly inputLadder: boolean;

  constructor(blocks: readonly Module[], inputWidth: number, widths: readonly number[], opts: LSTOptions) {
    super();
    if (blocks.length === 0 || blocks.length !== widths.length)
      throw new ArgumentError(
        `LadderSideTuning: expected one width per backbone block, got ${blocks.length} blocks and ${widths.length} widths`,
      );
    const r = opts.reduction ?? 8;
    const last = widths[widths.length - 1];
    const side = Math.max(1, Math.round(last / r));
    this.gateT = opts.gateT ?? 0.1;
    this.inputLadder = opts.inputLadder ?? true;
    this.backbone = new ModuleList(blocks);
    this.backbone.requiresGrad_(false);
    const ladders = this.inputLadder ? [inputWidth, ...widths] : widths;
    this.downs = new ModuleList(ladders.map((w) => new Linear(w, side)));
    this.sides = new ModuleList(widths.map((_, i) => opts.sideBlock?.(i, side) ?? new LinearRelu(side)));
    this.gates = new Parameter(zeros([widths.length]));
    this.up = new Linear(side, last);
    this.outGate = new Parameter(zeros([1]));
    this.head = new Linear(last, opts.classes);
  }

  /**
   * The trainable (side) parameters.
   * @example
   * const blocks = [new gl.nn.Linear(8, 8), new gl.nn.Linear(8, 8)];
   * const lst = new gl.lab.frozen.LadderSideTuning(blocks, 8, [8, 8], { classes: 3 });
   * const opt = new gl.optim.Adam(lst.sideParameters(), { lr: 1e-3 }); // the backbone stays frozen
   */
  sideParameters(): Parameter[] {
    return this.parameters().filter((p) => p.requiresGrad);
  }

  override forward(x: Tensor): Tensor {
    const blocks = [...this.backbone];
    // the frozen backbone: no tape, nothing saved
    const hs = noGrad(() => {
      const out: Tensor[] = [];
      let h = x;
      for (const b of blocks) out.push((h = b.forward(h) as Tensor));
      return out;
    });
    const downs = [...this.downs];
    const sides = [...this.sides];
    const off = this.inputLadder ? 1 : 0;
    let s = downs[0].forward(this.inputLadder ? x : hs[0]) as Tensor;
    const mu = sigmoid(mul(this.gates, 1 / this.gateT));
    hs.forEach((h, i) => {
      if (this.inputLadder || i > 0) {
        const m = mu.select(0, i);
        s = add(mul(s, m), mul(downs[i + off].forward(h) as Tensor, sub(1, m)));
      }
      s = sides[i].forward(s) as Tensor;
    });
    const g = sigmoid(mul(this.outGate, 1 / this.gateT));
    const mixed = add(mul(this.up.forward(s), g), mul(hs[hs.length - 1], sub(1, g)));
    return this.head.forward(mixed);
  }
}
