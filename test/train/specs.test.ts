// Model specs (JSON layers, built-ins, shape errors) and one-line schedule specs.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('buildModel', () => {
  it('builds the built-ins for images and follows shapes through the layers', () => {
    const cnn = gl.train.buildModel('cnn', [1, 28, 28], 10);
    expect(cnn.namedParameters().map(([k, p]) => `${k}:${p.shape}`)).toEqual([
      '0.weight:32,1,3,3',
      '0.bias:32',
      '3.weight:64,32,3,3',
      '3.bias:64',
      '7.weight:128,3136', // 64 channels × 7 × 7 after two pools of 2
      '7.bias:128',
      '9.weight:10,128',
      '9.bias:10',
    ]);
    const out = gl.noGrad(() => cnn.forward(gl.zeros([2, 1, 28, 28])));
    expect(out.shape).toEqual([2, 10]);
    expect(gl.train.buildModel('linear', [1, 8, 8], 10).numParameters()).toBe(650);
    const spec = {
      layers: [
        { type: 'flatten' },
        { type: 'linear', out: 16 },
        { type: 'batchnorm1d' },
        { type: 'leakyrelu', slope: 0.1 },
        { type: 'dropout', p: 0.1 },
        { type: 'linear', out: 'classes' },
      ],
    };
    const m = gl.train.buildModel(gl.train.parseModelSpec(spec), [2], 3);
    expect(m.length).toBe(6);
    expect(gl.train.buildModel(gl.train.parseModelSpec(spec.layers), [2], 3).length).toBe(6);
  });

  it('names the layer and the shapes when they do not fit', () => {
    expect(() => gl.train.buildModel('cnn', [2], 2)).toThrow(gl.ShapeError);
    expect(() => gl.train.buildModel('cnn', [2], 2)).toThrow(
      'layer 0 (conv2d) needs image input [channels, height, width], got examples of shape [2]',
    );
    const spec = gl.train.parseModelSpec([
      { type: 'conv2d', out: 4, kernel: 5 },
      { type: 'flatten' },
      { type: 'linear', out: 3 },
    ]);
    expect(() => gl.train.buildModel(spec, [1, 4, 4], 3)).toThrow(
      'layer 0 (conv2d): kernel 5 does not fit input [1,4,4] (padding 0)',
    );
    expect(() =>
      gl.train.buildModel(
        gl.train.parseModelSpec([{ type: 'flatten' }, { type: 'linear', out: 3 }]),
        [4],
        10,
      ),
    ).toThrow("the model's output per example is [3], but the data has 10 classes");
    expect(() => gl.train.parseModelSpec({ layers: [] })).toThrow(gl.ArgumentError);
    expect(() => gl.train.parseModelSpec([{ type: 'linear' }])).toThrow("layer 0 (linear): missing 'out'");
    expect(() => gl.train.parseModelSpec([{ type: 'relu', slope: 1 }])).toThrow(
      "layer 0 (relu): unknown option 'slope' (it takes none)",
    );
    expect(() => gl.train.parseModelSpec([{ type: 'dropout', p: 1.5 }])).toThrow("bad value for 'p': 1.5");
  });
});

describe('parseSchedule', () => {
  const opt = () => new gl.optim.SGD([gl.zeros([1], { requiresGrad: true })], { lr: 1 });
  const lrs = (spec: string, steps: number, run = { stepsPerEpoch: 2, epochs: 3 }) => {
    const o = opt();
    const { scheduler } = gl.train.parseSchedule(spec, o, run);
    const out = [o.paramGroups[0].lr];
    for (let i = 0; i < steps; i++) {
      scheduler!.step();
      out.push(o.paramGroups[0].lr);
    }
    return out;
  };

  it('converts epochs to optimizer steps and combines a warm-up', () => {
    expect(lrs('step:1:0.5', 4)).toEqual([1, 1, 0.5, 0.5, 0.25]); // 2 steps per epoch
    expect(lrs('multistep:1,2', 5).map((v) => +v.toFixed(12))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01]);
    expect(lrs('exp:0.25', 2).map((v) => +v.toFixed(12))).toEqual([1, 0.5, 0.25]);
    // warm-up: lr·(t+1)/(n+1) for n = 2 steps, then cosine over the remaining 4 steps
    const w = lrs('warmup:2+cosine', 6);
    expect(w.slice(0, 3).map((v) => +v.toFixed(12))).toEqual([1 / 3, 2 / 3, 1].map((v) => +v.toFixed(12)));
    expect(w[4]).toBeCloseTo(0.5, 12);
    expect(w[6]).toBeCloseTo(0, 12);
    expect(lrs('linear', 6)[6]).toBeCloseTo(0, 12);
    expect(gl.train.parseSchedule('constant', opt(), { stepsPerEpoch: 2, epochs: 3 }).scheduler).toBeNull();
    const p = gl.train.parseSchedule('plateau:2:0.5', opt(), { stepsPerEpoch: 2, epochs: 3 });
    expect(p.interval).toBe('epoch');
    expect(p.scheduler).toBeInstanceOf(gl.optim.ReduceLROnPlateau);
    expect(lrs('onecycle', 6).length).toBe(7);
  });

  it('refuses malformed specs with the grammar', () => {
    const run = { stepsPerEpoch: 2, epochs: 3 };
    for (const bad of [
      'cosin',
      'step',
      'step:0',
      'step:1:0.5:2',
      'warmup:x+cosine',
      'warmup:5+onecycle',
      'exp:-1',
    ])
      expect(() => gl.train.parseSchedule(bad, opt(), run)).toThrow(/expected constant \| cosine/);
  });
});
