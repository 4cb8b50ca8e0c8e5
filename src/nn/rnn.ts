// Recurrent layers: LSTMCell, GRUCell and multi-layer (bidirectional) LSTM and GRU unrolled over time.
import { ArgumentError, ShapeError, fmtShape } from '../core/errors.js';
import type { Tensor } from '../core/tensor.js';
import { zeros } from '../ops/creation.js';
import { add, mul, sigmoid, sub, tanh } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { dropout } from '../ops/nn.js';
import { cat, chunk, select, squeeze, stack, transpose, unsqueeze } from '../ops/shape.js';
import * as init from './init.js';
import type { FactoryOptions } from './linear.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import { empty } from './util.js';

type Kind = 'lstm' | 'gru';
const GATES: Record<Kind, number> = { lstm: 4, gru: 3 };

/** x W^T (+ b). */
function affine(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const y = matmul(x, transpose(w, 0, 1));
  return b ? add(y, b) : y;
}

/** One LSTM step from the input part of the gates (x W_ih^T + b_ih); gate order i, f, g, o. */
function lstmStep(gi: Tensor, h: Tensor, c: Tensor, whh: Tensor, bhh: Tensor | null): [Tensor, Tensor] {
  const [i, f, g, o] = chunk(add(gi, affine(h, whh, bhh)), 4, -1);
  const c2 = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
  return [mul(sigmoid(o), tanh(c2)), c2];
}

/** One GRU step; gate order r, z, n; h' = (1 - z) n + z h. */
function gruStep(gi: Tensor, h: Tensor, whh: Tensor, bhh: Tensor | null): Tensor {
  const [ir, iz, inn] = chunk(gi, 3, -1);
  const [hr, hz, hn] = chunk(affine(h, whh, bhh), 3, -1);
  const r = sigmoid(add(ir, hr));
  const z = sigmoid(add(iz, hz));
  const n = tanh(add(inn, mul(r, hn)));
  return add(n, mul(z, sub(h, n)));
}

abstract class CellBase extends Module {
  constructor(
    /** Features of one input step (I). */
    readonly inputSize: number,
    /** Features of the hidden state (H). */
    readonly hiddenSize: number,
    kind: Kind,
    opts: FactoryOptions & { bias?: boolean },
  ) {
    super();
    const G = GATES[kind] * hiddenSize;
    this.registerParameter('weight_ih', new Parameter(empty([G, inputSize], opts.dtype)));
    this.registerParameter('weight_hh', new Parameter(empty([G, hiddenSize], opts.dtype)));
    this.registerParameter('bias_ih', opts.bias === false ? null : new Parameter(empty([G], opts.dtype)));
    this.registerParameter('bias_hh', opts.bias === false ? null : new Parameter(empty([G], opts.dtype)));
    this.resetParameters();
  }

  /** All parameters ~ U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)), as PyTorch. */
  resetParameters(): void {
    const b = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -b, b);
  }

  /** The parameter registered as `name`, or null (an absent bias). */
  protected p(name: string): Parameter | null {
    return this.getParameter(name) ?? null;
  }

  /** Throws a ShapeError unless `x` is [N, inputSize] or [inputSize]. */
  protected checkInput(x: Tensor): void {
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize)
      throw new ShapeError(
        `${this.constructor.name}: expected input [N, ${this.inputSize}] or [${this.inputSize}], got ${fmtShape(x.shape)}`,
      );
  }

  /** A zero hidden state matching `x`'s batch: [N, H], or [H] for an unbatched input. */
  protected zerosState(x: Tensor): Tensor {
    return zeros(x.ndim === 2 ? [x.shape[0], this.hiddenSize] : [this.hiddenSize], { dtype: x.dtype });
  }
}

/**
 * One LSTM step: `forward(x, [h, c]?)` returns `[h', c']`. Keys `weight_ih` [4H, I], `weight_hh`
 * [4H, H], `bias_ih`, `bias_hh`; gates in PyTorch's order (input, forget, cell, output).
 * @example const cell = new gl.nn.LSTMCell(10, 20); const [h, c] = cell.forward(gl.randn([3, 10])); // [3, 20] each
 */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, 'lstm', opts);
  }

  override forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    this.checkInput(x);
    const h = state?.[0] ?? this.zerosState(x);
    const c = state?.[1] ?? this.zerosState(x);
    const gi = affine(x, this.p('weight_ih')!, this.p('bias_ih'));
    return lstmStep(gi, h, c, this.p('weight_hh')!, this.p('bias_hh'));
  }
}

/**
 * One GRU step: `forward(x, h?)` returns h'. Keys `weight_ih` [3H, I], `weight_hh` [3H, H], biases;
 * gates in PyTorch's order (reset, update, new).
 * @example const cell = new gl.nn.GRUCell(10, 20); const h = cell.forward(gl.randn([3, 10])); // [3, 20]
 */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, 'gru', opts);
  }

  override forward(x: Tensor, h?: Tensor | null): Tensor {
    this.checkInput(x);
    const gi = affine(x, this.p('weight_ih')!, this.p('bias_ih'));
    return gruStep(gi, h ?? this.zerosState(x), this.p('weight_hh')!, this.p('bias_hh'));
  }
}

/** Options of LSTM and GRU. */
export interface RNNOptions extends FactoryOptions {
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Learn the biases `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** Inputs and outputs are [N, L, *] instead of [L, N, *]. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, while training. */
  dropout?: number;
  /** Also run each layer backward in time and concatenate both outputs (default false). */
  bidirectional?: boolean;
}

abstract class RNNBase extends Module {
  /** Stacked recurrent layers. */
  readonly numLayers: number;
  /** Input and output are [N, L, *] instead of [L, N, *]. */
  readonly batchFirst: boolean;
  /** Dropout probability between layers while training (not after the last). */
  readonly dropout: number;
  /** Each layer also runs backward in time (outputs concatenated, 2H features). */
  readonly bidirectional: boolean;

  constructor(
    private readonly kind: Kind,
    /** Features of one input step (I). */
    readonly inputSize: number,
    /** Features of the hidden state (H). */
    readonly hiddenSize: number,
    opts: RNNOptions,
  ) {
    super();
    this.numLayers = opts.numLayers ?? 1;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    if (!Number.isInteger(this.numLayers) || this.numLayers < 1)
      throw new ArgumentError(
        `${kind.toUpperCase()}: numLayers must be a positive integer, got ${this.numLayers}`,
      );
    const G = GATES[kind] * hiddenSize;
    const D = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++)
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const inSize = l === 0 ? inputSize : hiddenSize * D;
        this.registerParameter(`weight_ih${sfx}`, new Parameter(empty([G, inSize], opts.dtype)));
        this.registerParameter(`weight_hh${sfx}`, new Parameter(empty([G, hiddenSize], opts.dtype)));
        if (opts.bias !== false) {
          this.registerParameter(`bias_ih${sfx}`, new Parameter(empty([G], opts.dtype)));
          this.registerParameter(`bias_hh${sfx}`, new Parameter(empty([G], opts.dtype)));
        }
      }
    this.resetParameters();
  }

  /** All parameters ~ U(−1/√hiddenSize, 1/√hiddenSize), as PyTorch. */
  resetParameters(): void {
    const b = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -b, b);
  }

  /** Runs all layers over time-major input [L, N, I]; returns the output and final states per (layer, direction). */
  protected run(
    x: Tensor,
    h0: Tensor | null,
    c0: Tensor | null,
  ): {
    /** The last layer's output over time, [L, N, D·H]. */
    out: Tensor;
    /** Final hidden state per (layer, direction). */
    h: Tensor[];
    /** Final cell state per (layer, direction) (meaningful for LSTM only). */
    c: Tensor[];
  } {
    const D = this.bidirectional ? 2 : 1;
    const [L, N] = x.shape;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let layerIn = x;
    for (let l = 0; l < this.numLayers; l++) {
      const dirOuts: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const p = (n: string) => this.getParameter(n + sfx) ?? null;
        const idx = l * D + d;
        let h = h0 ? select(h0, 0, idx) : zeros([N, this.hiddenSize], { dtype: x.dtype });
        let c = c0 ? select(c0, 0, idx) : zeros([N, this.hiddenSize], { dtype: x.dtype });
        const gi = affine(layerIn, p('weight_ih')!, p('bias_ih')); // [L, N, G]
        const steps: Tensor[] = new Array(L);
        for (let s = 0; s < L; s++) {
          const t = d ? L - 1 - s : s;
          const git = select(gi, 0, t);
          if (this.kind === 'lstm') [h, c] = lstmStep(git, h, c, p('weight_hh')!, p('bias_hh'));
          else h = gruStep(git, h, p('weight_hh')!, p('bias_hh'));
          steps[t] = h;
        }
        dirOuts.push(stack(steps, 0));
        hs.push(h);
        cs.push(c);
      }
      layerIn = D === 1 ? dirOuts[0] : cat(dirOuts, -1);
      if (l < this.numLayers - 1 && this.training && this.dropout > 0)
        layerIn = dropout(layerIn, this.dropout, true);
    }
    return { out: layerIn, h: hs, c: cs };
  }

  /** Normalises the input to time-major [L, N, I]; `batched` false for [L, I]. */
  protected prepare(x: Tensor): {
    /** The input as time-major [L, N, I]. */
    x: Tensor;
    /** False when the input was unbatched [L, I]. */
    batched: boolean;
  } {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== this.inputSize)
      throw new ShapeError(
        `${this.kind.toUpperCase()}: expected input [L, N, ${this.inputSize}]${this.batchFirst ? ` ([N, L, ${this.inputSize}] with batchFirst)` : ''} or [L, ${this.inputSize}], got ${fmtShape(x.shape)}`,
      );
    if (x.ndim === 2) return { x: unsqueeze(x, 1), batched: false };
    return { x: this.batchFirst ? transpose(x, 0, 1) : x, batched: true };
  }

  /** Checks an initial state's shape ([numLayers·directions, N, H], or without N when unbatched) and returns it batched, or null when absent. */
  protected checkState(
    name: string,
    s: Tensor | null | undefined,
    N: number,
    batched: boolean,
  ): Tensor | null {
    if (!s) return null;
    const D = this.bidirectional ? 2 : 1;
    const want = batched ? [this.numLayers * D, N, this.hiddenSize] : [this.numLayers * D, this.hiddenSize];
    if (s.shape.join() !== want.join())
      throw new ShapeError(
        `${this.kind.toUpperCase()}: ${name} must be ${fmtShape(want)}, got ${fmtShape(s.shape)}`,
      );
    return batched ? s : unsqueeze(s, 1);
  }

  /** The output in the caller's layout and the final states stacked as [numLayers·directions, N, H] (N dropped when unbatched). */
  protected finish(out: Tensor, states: Tensor[], batched: boolean): [Tensor, Tensor] {
    const y = !batched ? squeeze(out, 1) : this.batchFirst ? transpose(out, 0, 1) : out;
    const s = stack(states, 0);
    return [y, batched ? s : squeeze(s, 1)];
  }
}

/**
 * A multi-layer LSTM unrolled over time: `forward(x, [h0, c0]?)` returns `[output, [hn, cn]]`.
 * Input [L, N, I] ([N, L, I] with batchFirst); states [numLayers * directions, N, H]. Keys
 * `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, `..._reverse` as PyTorch.
 * @example const lstm = new gl.nn.LSTM(8, 16, { numLayers: 2, batchFirst: true }); const [y, [h, c]] = lstm.forward(gl.randn([3, 5, 8])); // y [3, 5, 16]
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('lstm', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, state?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const { x, batched } = this.prepare(input);
    const N = x.shape[1];
    const h0 = this.checkState('h0', state?.[0], N, batched);
    const c0 = this.checkState('c0', state?.[1], N, batched);
    const { out, h, c } = this.run(x, h0, c0);
    const [y, hn] = this.finish(out, h, batched);
    const [, cn] = this.finish(out, c, batched);
    return [y, [hn, cn]];
  }
}

/**
 * A multi-layer GRU unrolled over time: `forward(x, h0?)` returns `[output, hn]`.
 * @example const gru = new gl.nn.GRU(8, 16); const [y, h] = gru.forward(gl.randn([5, 3, 8])); // y [5, 3, 16]: [seq, batch, hidden]
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('gru', inputSize, hiddenSize, opts);
  }

  override forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const { x, batched } = this.prepare(input);
    const { out, h } = this.run(x, this.checkState('h0', h0, x.shape[1], batched), null);
    return this.finish(out, h, batched);
  }
}
