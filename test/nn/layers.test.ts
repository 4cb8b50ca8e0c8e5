// Layer details not covered by the PyTorch fixtures: named errors for bad shapes and options,
// causal masks, the encoder stack, Embedding helpers, Unflatten and the loss modules.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const { nn } = gl;

describe('named errors', () => {
  it('Linear, Conv and pooling layers name expected and got shapes', () => {
    expect(() => new nn.Linear(3, 2).forward(gl.ones([4, 5]))).toThrow(
      'Linear: expected input with last dim 3, got [4,5]',
    );
    expect(() => new nn.Conv2d(3, 8, 3).forward(gl.ones([1, 2, 5, 5]))).toThrow(gl.ShapeError);
    expect(() => new nn.Conv2d(3, 8, 3, { groups: 2 })).toThrow(/divisible by groups/);
    expect(() => new nn.Conv2d(3, 8, 3, { padding: 'same', stride: 2 })).toThrow(/'same' needs stride 1/);
    expect(() => new nn.Conv1d(2, 2, 3).forward(gl.ones([2, 5]))).toThrow(/expected input \[N, 2, L\]/);
    expect(() => new nn.GroupNorm(4, 6)).toThrow(/divisible by numGroups/);
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow(/divisible by numHeads/);
    expect(() => new nn.LSTM(3, 4).forward(gl.ones([2, 3, 5]))).toThrow(gl.ShapeError);
    expect(() =>
      new nn.LSTM(3, 4).forward(gl.ones([2, 1, 3]), [gl.ones([2, 1, 4]), gl.ones([2, 1, 4])]),
    ).toThrow('LSTM: h0 must be [1,1,4], got [2,1,4]');
    expect(() => new nn.Embedding(5, 2).forward(gl.tensor([1.0]))).toThrow(gl.DTypeError);
    expect(() => new nn.Embedding(5, 2, { paddingIdx: 5 })).toThrow(/paddingIdx/);
    expect(() => new nn.TransformerEncoderLayer(4, 2, { activation: 'swish' as any })).toThrow(/activation/);
  });
});

describe('MultiheadAttention masks', () => {
  it('isCausal equals a boolean upper-triangular attnMask', () => {
    const mha = new nn.MultiheadAttention(4, 2, { batchFirst: true });
    const x = gl.randn([2, 3, 4]);
    const mask = gl.tensor([
      [false, true, true],
      [false, false, true],
      [false, false, false],
    ]);
    const [a, wa] = mha.forward(x, x, x, { isCausal: true });
    const [b, wb] = mha.forward(x, x, x, { attnMask: mask });
    expect(a.toArray()).toEqual(b.toArray());
    expect(wa!.toArray()).toEqual(wb!.toArray());
    expect((wa!.toArray() as number[][][])[0][0]).toEqual([1, 0, 0]);
    expect(() => mha.forward(x, x, x, { attnMask: gl.ones([3, 4]) })).toThrow(/attnMask must be \[3,3\]/);
  });
  it('unbatched inputs give unbatched outputs', () => {
    const mha = new nn.MultiheadAttention(4, 1);
    const [y, w] = mha.forward(gl.randn([3, 4]), gl.randn([5, 4]), gl.randn([5, 4]));
    expect(y.shape).toEqual([3, 4]);
    expect(w!.shape).toEqual([3, 5]);
  });
});

describe('TransformerEncoder', () => {
  it('stacks layers under layers.N and applies the final norm', () => {
    const enc = new nn.TransformerEncoder(
      () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true }),
      2,
      { norm: new nn.LayerNorm(8) },
    );
    const keys = [...enc.stateDict().keys()];
    expect(keys[0]).toBe('layers.0.self_attn.in_proj_weight');
    expect(keys).toContain('layers.1.norm2.bias');
    expect(keys[keys.length - 1]).toBe('norm.bias');
    const x = gl.randn([2, 5, 8]);
    const y = enc.forward(x);
    expect(y.shape).toEqual([2, 5, 8]);
    const manual = (enc.norm as gl.nn.LayerNorm).forward(
      enc.layers.at(1).forward(enc.layers.at(0).forward(x)),
    );
    expect(y.toArray()).toEqual(manual.toArray());
  });
});

describe('Embedding, Unflatten, losses', () => {
  it('Embedding zeroes the padding row and fromPretrained freezes by default', () => {
    const e = new nn.Embedding(4, 3, { paddingIdx: -1 });
    expect(e.paddingIdx).toBe(3);
    expect((e.weight.toArray() as number[][])[3]).toEqual([0, 0, 0]);
    const table = gl.tensor([
      [1, 2],
      [3, 4],
    ]);
    const pre = nn.Embedding.fromPretrained(table);
    expect(pre.weight.requiresGrad).toBe(false);
    expect(pre.forward(gl.tensor([1, 0], { dtype: 'int32' })).toArray()).toEqual([
      [3, 4],
      [1, 2],
    ]);
  });
  it('Unflatten inverts Flatten', () => {
    const x = gl.randn([2, 3, 4]);
    const y = new nn.Unflatten(1, [3, 4]).forward(new nn.Flatten().forward(x));
    expect(y.toArray()).toEqual(x.toArray());
  });
  it('loss modules call the core losses', () => {
    const logits = gl.randn([4, 3]);
    const labels = gl.tensor([0, 2, 1, 2], { dtype: 'int32' });
    expect(new nn.CrossEntropyLoss().forward(logits, labels).item()).toBe(
      gl.crossEntropy(logits, labels).item(),
    );
    const a = gl.randn([5]);
    const b = gl.randn([5]);
    expect(new nn.MSELoss({ reduction: 'sum' }).forward(a, b).item()).toBe(
      gl.mseLoss(a, b, { reduction: 'sum' }).item(),
    );
    expect(new nn.L1Loss().forward(a, b).item()).toBe(gl.l1Loss(a, b).item());
  });
});
