// gl.lab.memory.profile: the timeline agrees with the core accounting, labels modules, sees pack hooks
// and checkpoint recomputation, and exports JSON and a table.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';
import { savedObservers } from '../../../src/core/saved.js';

const labels = () => gl.tensor([0, 1, 2, 0], { dtype: 'int32' });

function net() {
  gl.manualSeed(0);
  return new gl.nn.Sequential(new gl.nn.Linear(8, 16), new gl.nn.Tanh(), new gl.nn.Linear(16, 3));
}

describe('lab.memory.profile', () => {
  it('records each save with op, shape, dtype and bytes, and releases them all in backward', () => {
    const x = gl.randn([5, 3]);
    const w = gl.randn([5, 3]).requiresGrad_();
    const tl = gl.lab.memory.profile(() => x.mul(w).exp().sum().backward());
    const saves = tl.events.filter((e) => e.kind === 'save');
    // mul saves x (for w's grad; w's own copy is not needed since x needs none), exp saves its output
    expect(saves.map((e) => e.op)).toEqual(['mul', 'exp']);
    for (const e of saves) {
      expect(e.shape).toEqual([5, 3]);
      expect(e.dtype).toBe('float32');
      expect(e.bytes).toBe(5 * 3 * 4);
    }
    expect(saves[0].leaf).toBe(true);
    expect(saves[1].leaf).toBe(false);
    expect(tl.events.filter((e) => e.kind === 'release')).toHaveLength(2);
    expect(tl.events[tl.events.length - 1].total).toBe(0);
    expect(tl.peak.bytes).toBe(2 * 60);
    expect(tl.peak.holders.map((h) => h.op).sort()).toEqual(['exp', 'mul']);
  });

  it('its peak equals the core peakSavedBytes and its holders add up to the peak', () => {
    const model = net();
    const x = gl.randn([4, 8]);
    const base = gl.memory().savedBytes;
    gl.resetPeakMemory();
    const tl = gl.lab.memory.profile(() => gl.crossEntropy(model.forward(x), labels()).backward());
    expect(tl.peak.bytes).toBe(gl.memory().peakSavedBytes - base);
    expect(tl.peak.holders.reduce((a, h) => a + h.heldBytes, 0)).toBe(tl.peak.bytes);
    // running totals are the prefix sums of the deltas
    let t = 0;
    for (const e of tl.events) {
      t += e.delta;
      expect(e.total).toBe(t);
    }
  });

  it('labels ops with module paths and restores the modules afterwards', () => {
    const model = net();
    const fwd = model.forward;
    const tl = gl.lab.memory.profile(
      () => gl.crossEntropy(model.forward(gl.randn([4, 8])), labels()).backward(),
      { model, modelName: 'net' },
    );
    const scopes = new Set(tl.events.map((e) => e.scope));
    expect(scopes).toEqual(new Set(['net/0', 'net/1', 'net/2', '']));
    expect(tl.byModule(1).map((r) => r.scope)).toEqual(['net', '(no scope)']);
    expect(model.forward).toBe(fwd);
    // a throwing step restores them too
    expect(() =>
      gl.lab.memory.profile(
        () => {
          model.forward(gl.randn([4, 7]));
        },
        { model },
      ),
    ).toThrow(gl.ShapeError);
    expect(model.forward).toBe(fwd);
    expect(gl.graph(model.forward(gl.randn([2, 8]))).nodes.every((n) => n.scope === '')).toBe(true);
  });

  it('shows what a pack hook keeps as packed bytes', () => {
    const x = gl.randn([8, 8]).requiresGrad_();
    const half = {
      pack: (t: gl.Tensor) => ({ shape: t.shape, data: new Uint16Array(t.numel) }),
      unpack: (p: unknown) => gl.zeros((p as { shape: number[] }).shape),
    };
    const tl = gl.lab.memory.profile(() => gl.savedTensorHooks(half, () => x.tanh().sum()).backward());
    const save = tl.events.find((e) => e.kind === 'save')!;
    expect(save.packed).toBe(true);
    expect(save.bytes).toBe(256);
    expect(save.packedBytes).toBe(128);
    expect(tl.peak.bytes).toBe(128);
  });

  it('shows checkpoint recomputation as saves made during backward', () => {
    const model = net();
    const x = gl.randn([4, 8]);
    const tl = gl.lab.memory.profile(() =>
      gl
        .crossEntropy(
          gl.checkpoint((h: gl.Tensor) => model.forward(h), x),
          labels(),
        )
        .backward(),
    );
    const back = tl.events.filter((e) => e.kind === 'save' && e.phase === 'backward');
    // the Linear + Tanh pair runs as one fused node (gl.nn.setLayerFusion), which saves tanh's output
    expect(back.map((e) => e.op)).toContain('matmulEpilogue');
    expect(tl.events[tl.events.length - 1].total).toBe(0);
  });

  it('exports JSON that round-trips and a table by module', () => {
    const model = net();
    const tl = gl.lab.memory.profile(
      () => gl.crossEntropy(model.forward(gl.randn([4, 8])), labels()).backward(),
      { model, modelName: 'net' },
    );
    const json = JSON.parse(JSON.stringify(tl));
    expect(json.events).toHaveLength(tl.events.length);
    expect(json.peak.bytes).toBe(tl.peak.bytes);
    expect(json.totals.saves).toBe(tl.events.filter((e) => e.kind === 'save').length);
    const table = tl.table();
    expect(table).toMatch(/^module\s+saves\s+bytes\s+packed\s+at peak/);
    expect(table).toContain('net/1');
    expect(table.split('\n').pop()).toMatch(/^total/);
  });

  it('rejects a non-function and an async step; a throwing step leaves no observer behind', () => {
    expect(() => gl.lab.memory.profile(3 as never)).toThrow(gl.ArgumentError);
    expect(() => gl.lab.memory.profile(async () => 1)).toThrow(/returned a Promise/);
    const x = gl.randn([3]).requiresGrad_();
    expect(() =>
      gl.lab.memory.profile(() => {
        x.exp();
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(savedObservers).toHaveLength(0);
    const outer = gl.lab.memory.profile(() => x.exp().sum().backward());
    expect(outer.events.filter((e) => e.kind === 'save')).toHaveLength(1);
  });
});

describe('lab.memory.labelModules', () => {
  it('gives a module called outside its parent forward (ModuleList) its whole path', () => {
    class Net extends gl.nn.Module {
      readonly layers = new gl.nn.ModuleList([new gl.nn.Linear(4, 4), new gl.nn.Linear(4, 4)]);
      override forward(x: gl.Tensor): gl.Tensor {
        for (const l of this.layers) x = (l.forward(x) as gl.Tensor).tanh();
        return x;
      }
    }
    const net = new Net();
    const undo = gl.lab.memory.labelModules(net, 'net');
    const scopes = new Set(gl.graph(net.forward(gl.randn([2, 4]))).nodes.map((n) => n.scope));
    undo();
    expect(scopes).toEqual(new Set(['net/layers/0', 'net/layers/1', 'net']));
  });
});
