// Module behaviour: registration and names, containers, parameter counts, modes, freezing,
// zeroGrad, dtype conversion, state-dict strictness and errors, and memory in a training loop.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const { nn } = gl;

class Block extends nn.Module {
  fc = new nn.Linear(4, 4);
  scale = new nn.Parameter(gl.ones([1]));
  override forward(x: gl.Tensor): gl.Tensor {
    return this.fc.forward(x).mul(this.scale);
  }
}

class Net extends nn.Module {
  layer1 = new Block();
  act = new nn.ReLU();
  head = new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh(), new nn.Linear(3, 2));
  constructor() {
    super();
    this.registerBuffer('steps', gl.zeros([], { dtype: 'int32' }));
    this.registerBuffer('cache', gl.zeros([2]), { persistent: false });
  }
  override forward(x: gl.Tensor): gl.Tensor {
    return this.head.forward(this.act.forward(this.layer1.forward(x)));
  }
}

describe('Parameter', () => {
  it('is a leaf Tensor that requires grad and shares the data', () => {
    const data = gl.tensor([1, 2, 3]);
    const p = new nn.Parameter(data);
    expect(p).toBeInstanceOf(gl.Tensor);
    expect(p.isLeaf && p.requiresGrad).toBe(true);
    expect(new nn.Parameter(data, false).requiresGrad).toBe(false);
    gl.noGrad(() => p.mul_(2));
    expect(data.toArray()).toEqual([2, 4, 6]);
    expect(() => new nn.Parameter([1, 2] as any)).toThrow(gl.ArgumentError);
  });
  it('survives tidy', () => {
    const fc = gl.tidy(() => new nn.Linear(2, 2));
    expect(fc.weight.isDisposed).toBe(false);
    expect(fc.forward(gl.ones([1, 2])).shape).toEqual([1, 2]);
  });
});

describe('registration and names', () => {
  it('uses PyTorch dotted names in assignment order', () => {
    const net = new Net();
    expect(net.namedParameters().map(([k]) => k)).toEqual([
      'layer1.scale',
      'layer1.fc.weight',
      'layer1.fc.bias',
      'head.0.weight',
      'head.0.bias',
      'head.2.weight',
      'head.2.bias',
    ]);
    expect([...net.stateDict().keys()]).toEqual([
      'steps',
      'layer1.scale',
      'layer1.fc.weight',
      'layer1.fc.bias',
      'head.0.weight',
      'head.0.bias',
      'head.2.weight',
      'head.2.bias',
    ]);
    expect(net.namedBuffers().map(([k]) => k)).toEqual(['steps', 'cache']);
    expect(net.namedChildren().map(([k]) => k)).toEqual(['layer1', 'act', 'head']);
    expect(net.namedModules().map(([k]) => k)).toEqual([
      '',
      'layer1',
      'layer1.fc',
      'act',
      'head',
      'head.0',
      'head.1',
      'head.2',
    ]);
    expect(net.parameters().every((p) => p instanceof gl.Tensor)).toBe(true);
  });
  it('lists a shared parameter once, but the state dict under both names (as PyTorch)', () => {
    const shared = new nn.Linear(2, 2);
    const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect(seq.parameters().length).toBe(2);
    expect([...seq.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(seq.forward(gl.ones([1, 2])).shape).toEqual([1, 2]);
  });
  it('follows reassignment and null parameters', () => {
    const b = new Block();
    b.fc = new nn.Linear(4, 4, { bias: false });
    expect(b.namedParameters().map(([k]) => k)).toEqual(['scale', 'fc.weight']);
    const fc = new nn.Linear(2, 2);
    fc.bias = null;
    expect([...fc.stateDict().keys()]).toEqual(['weight']);
  });
  it('rejects bad names and values', () => {
    const m = new nn.Module();
    expect(() => m.registerParameter('a.b', null)).toThrow(/without '\.'/);
    expect(() => m.registerParameter('w', gl.ones([2]) as any)).toThrow(/must be a Parameter/);
    expect(() => m.registerModule('m', {} as any)).toThrow(gl.ArgumentError);
    expect(() => m.forward(gl.ones([1]))).toThrow(/forward is not implemented/);
  });
});

describe('containers', () => {
  it('Sequential from a record, append, at, iteration', () => {
    const seq = new nn.Sequential({ encoder: new nn.Linear(3, 2), act: new nn.ReLU() });
    seq.append(new nn.Linear(2, 1));
    expect([...seq.stateDict().keys()]).toEqual(['encoder.weight', 'encoder.bias', '2.weight', '2.bias']);
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBeInstanceOf(nn.Linear);
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
    expect(() => seq.at(3)).toThrow(gl.IndexOutOfRangeError);
    expect(() => new nn.Sequential(new nn.ReLU(), 3 as any)).toThrow(/Sequential\[1\]: expected a Module/);
  });
  it('ModuleList and ModuleDict name their children', () => {
    const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
    list.append(new nn.Linear(2, 3));
    expect(list.length).toBe(3);
    expect(list.namedParameters().map(([k]) => k)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '2.weight',
      '2.bias',
    ]);
    const dict = new nn.ModuleDict({ b: new nn.Linear(2, 1), a: new nn.ReLU() });
    dict.set('10', new nn.Linear(1, 1, { bias: false }));
    expect(dict.keys()).toEqual(['b', 'a', '10']);
    expect([...dict.stateDict().keys()]).toEqual(['b.weight', 'b.bias', '10.weight']);
    expect(dict.get('a')).toBeInstanceOf(nn.ReLU);
    expect(dict.has('zz')).toBe(false);
  });
  it('Residual adds the input (or a projection of it)', () => {
    const body = new nn.Linear(3, 3);
    const r = new nn.Residual(body);
    const x = gl.randn([2, 3]);
    expect(r.forward(x).toArray()).toEqual(gl.add(body.forward(x), x).toArray());
    const proj = new nn.Residual(new nn.Linear(3, 4), new nn.Linear(3, 4, { bias: false }));
    expect([...proj.stateDict().keys()]).toEqual(['body.weight', 'body.bias', 'shortcut.weight']);
    expect(proj.forward(x).shape).toEqual([2, 4]);
  });
});

describe('parameter counts (PyTorch formulas)', () => {
  it('counts the elements of every parameter', () => {
    expect(new nn.Linear(784, 512).numParameters()).toBe(784 * 512 + 512);
    expect(new nn.Conv2d(3, 32, 3).numParameters()).toBe(32 * 3 * 9 + 32);
    expect(new nn.Conv2d(8, 16, 3, { groups: 4, bias: false }).numParameters()).toBe(16 * 2 * 9);
    expect(new nn.BatchNorm2d(16).numParameters()).toBe(32);
    expect(new nn.MultiheadAttention(16, 4).numParameters()).toBe(3 * 16 * 16 + 3 * 16 + 16 * 16 + 16);
    // LSTM: per layer and direction 4H(I + H) + 8H
    expect(new nn.LSTM(10, 20, { numLayers: 2 }).numParameters()).toBe(
      4 * 20 * (10 + 20) + 8 * 20 + 4 * 20 * (20 + 20) + 8 * 20,
    );
    expect(new nn.GRU(5, 6, { bidirectional: true }).numParameters()).toBe(2 * (3 * 6 * (5 + 6) + 6 * 6));
    const frozen = new nn.Sequential(new nn.Linear(4, 4), new nn.Linear(4, 2));
    frozen.at(0).requiresGrad_(false);
    expect(frozen.numParameters({ trainable: true })).toBe(10);
  });
});

describe('modes, freezing, gradients', () => {
  it('train() and eval() reach every module', () => {
    const net = new Net();
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.eval();
    expect(net.modules().some((m) => m.training)).toBe(false);
    net.train();
    expect(net.head.at(1).training).toBe(true);
  });
  it('Dropout: zeroes about p of the elements and scales the rest while training, identity in eval', () => {
    const drop = new nn.Dropout(0.25, { generator: new gl.Generator(3) });
    const x = gl.ones([100, 100]);
    const y = drop.forward(x).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    // binomial(10000, 0.25): sd 43, allow 5 sd
    expect(Math.abs(zeros - 2500)).toBeLessThan(217);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    const again = new nn.Dropout(0.25, { generator: new gl.Generator(3) }).forward(x).dataSync();
    expect(Array.from(again)).toEqual(Array.from(y));
    drop.eval();
    expect(drop.forward(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow(/p must be in \[0, 1\]/);
  });
  it('BatchNorm uses batch statistics in training and running ones in eval', () => {
    const bn = new nn.BatchNorm1d(2);
    const x = gl.tensor([
      [1, 10],
      [3, 30],
    ]);
    const yTrain = bn.forward(x).toArray() as number[][];
    expect(yTrain[0][0]).toBeCloseTo(-1, 3); // (1 - 2) / sqrt(1 + 1e-5)
    expect(bn.numBatchesTracked!.item()).toBe(1);
    // running mean 0.9 * 0 + 0.1 * [2, 20]; running var 0.9 + 0.1 * unbiased var [2, 200]
    expect(bn.runningMean!.toArray()).toEqual([expect.closeTo(0.2, 6), expect.closeTo(2, 5)]);
    expect(bn.runningVar!.toArray()).toEqual([expect.closeTo(1.1, 6), expect.closeTo(20.9, 4)]);
    bn.eval();
    const yEval = bn.forward(x).toArray() as number[][];
    expect(yEval[0][0]).toBeCloseTo((1 - 0.2) / Math.sqrt(1.1 + 1e-5), 5);
    expect(bn.numBatchesTracked!.item()).toBe(1);
    bn.train();
    expect(() => bn.forward(gl.ones([1, 2]))).toThrow(/more than 1 value per channel/);
    expect(() => bn.forward(gl.ones([4, 3]))).toThrow(gl.ShapeError);
  });
  it('requiresGrad_(false) freezes, zeroGrad clears', () => {
    const net = new Net();
    net.layer1.requiresGrad_(false);
    net
      .forward(gl.randn([3, 4]))
      .sum()
      .backward();
    expect(net.layer1.parameters().every((p) => p.grad === null)).toBe(true);
    expect(net.head.parameters().every((p) => p.grad !== null)).toBe(true);
    net.zeroGrad({ setToNone: false });
    expect(net.head.parameters().every((p) => p.grad!.dataSync().every((v) => v === 0))).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((p) => p.grad === null)).toBe(true);
  });
  it('to(dtype) casts floating parameters and buffers, keeps integer buffers', () => {
    const bn = new nn.BatchNorm2d(3).to('float64');
    expect(bn.weight!.dtype).toBe('float64');
    expect(bn.weight).toBeInstanceOf(nn.Parameter);
    expect(bn.runningVar!.dtype).toBe('float64');
    expect(bn.numBatchesTracked!.dtype).toBe('int32');
    expect(bn.forward(gl.randn([2, 3, 2, 2], { dtype: 'float64' })).dtype).toBe('float64');
    expect(() => bn.to('int32' as any)).toThrow(/expected 'float32', 'float64' or a backend/);
  });
  it('toString shows the tree', () => {
    expect(new nn.Sequential(new nn.Linear(2, 3)).toString()).toBe(
      'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=3, bias=true)\n)',
    );
  });
});

describe('stateDict and loadStateDict', () => {
  it('round-trips between two models, in place (same Parameter objects)', () => {
    const a = new Net();
    const b = new Net();
    const w = b.layer1.fc.weight;
    const res = b.loadStateDict(a.stateDict());
    expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(b.layer1.fc.weight).toBe(w);
    const x = gl.randn([2, 4]);
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });
  it('stateDict tensors are detached views of the live data', () => {
    const fc = new nn.Linear(2, 2);
    const sd = fc.stateDict();
    expect(sd.get('weight')!.requiresGrad).toBe(false);
    gl.noGrad(() => fc.weight.zero_());
    expect(
      sd
        .get('weight')!
        .dataSync()
        .every((v) => v === 0),
    ).toBe(true);
  });
  it('accepts a record and casts float64 values to the model dtype', () => {
    const fc = new nn.Linear(2, 1);
    fc.loadStateDict({ weight: gl.tensor([[1, 2]], { dtype: 'float64' }), bias: gl.tensor([0.5]) });
    expect(fc.weight.dtype).toBe('float32');
    expect(fc.forward(gl.tensor([[1, 1]])).toArray()).toEqual([[3.5]]);
  });
  it('strict mode names missing and unexpected keys; nothing is copied on error', () => {
    const fc = new nn.Linear(2, 2);
    const before = fc.weight.toArray();
    const dict = new Map([
      ['weight', gl.zeros([2, 2])],
      ['bais', gl.zeros([2])],
    ]);
    let err: unknown;
    try {
      fc.loadStateDict(dict);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(nn.StateDictError);
    expect(err).toBeInstanceOf(gl.ArgumentError);
    expect((err as Error).message).toBe('loadStateDict: missing keys: "bias"; unexpected keys: "bais"');
    expect((err as gl.nn.StateDictError).missingKeys).toEqual(['bias']);
    expect(fc.weight.toArray()).toEqual(before);
    const res = fc.loadStateDict(dict, { strict: false });
    expect(res).toEqual({ missingKeys: ['bias'], unexpectedKeys: ['bais'] });
    expect(fc.weight.dataSync().every((v) => v === 0)).toBe(true);
  });
  it('shape mismatches always throw, naming key, expected and got shapes', () => {
    const seq = new nn.Sequential(new nn.Linear(4, 3));
    const sd = seq.stateDict();
    sd.set('0.weight', gl.zeros([4, 3]));
    expect(() => seq.loadStateDict(sd, { strict: false })).toThrow(
      'loadStateDict: size mismatch for "0.weight": the model has [3,4], the state dict has [4,3]',
    );
    expect(() => seq.loadStateDict({ '0.weight': 3 } as any)).toThrow(/"0.weight" must be a Tensor/);
  });
  it('loads BatchNorm buffers and leaves non-persistent buffers out', () => {
    const a = new Net();
    expect(a.stateDict().has('cache')).toBe(false);
    const bn = new nn.BatchNorm1d(2);
    bn.forward(gl.randn([4, 2]));
    const bn2 = new nn.BatchNorm1d(2);
    bn2.loadStateDict(bn.stateDict());
    expect(bn2.runningMean!.toArray()).toEqual(bn.runningMean!.toArray());
    expect(bn2.numBatchesTracked!.item()).toBe(1);
  });
});

describe('memory', () => {
  // leaf gradients dropped by zeroGrad are freed by the garbage collector, as in the core's test
  const gc = (globalThis as { gc?: () => void }).gc!;
  async function settle(): Promise<gl.MemoryInfo> {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 0));
    }
    return gl.memory();
  }
  it('a training loop keeps live tensors and storage flat', async () => {
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 2));
    const x = gl.randn([4, 8]);
    const step = () =>
      gl.tidy(() => {
        model.zeroGrad();
        model.forward(x).pow(2).sum().backward();
        gl.noGrad(() => {
          for (const p of model.parameters()) p.sub_(p.grad!.mul(0.01));
        });
      });
    for (let i = 0; i < 5; i++) step();
    const before = await settle();
    for (let i = 0; i < 100; i++) step();
    const after = await settle();
    // 100 steps create thousands of tensors; what stays alive must not grow with the step count
    expect(after.storages - before.storages).toBeLessThanOrEqual(8);
    expect(after.tensors - before.tensors).toBeLessThanOrEqual(8);
  });
});
