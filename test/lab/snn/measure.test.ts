// lab.snn measurements: SLTT saved bytes flat over T, SLTT-K backward work K/T of SLTT's, and the non-detaching control equals BPTT.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const S = gl.lab.snn;

class Net extends gl.nn.Module implements gl.lab.snn.SpikingNet {
  fc1 = new gl.nn.Linear(12, 16);
  fc2 = new gl.nn.Linear(16, 4);
  lif: gl.lab.snn.LIF;
  constructor(tau: number) {
    super();
    this.lif = new S.LIF({ tau });
  }
  step(x: gl.Tensor): gl.Tensor {
    return this.fc2.forward(this.lif.forward(this.fc1.forward(x)));
  }
}

function setup(tau: number) {
  gl.manualSeed(1);
  const net = new Net(tau);
  const x = gl.rand([8, 12]).mul(2);
  const y = gl.tensor(Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]));
  return { net, x, y };
}

const grads = (net: Net, f: () => void) => {
  net.zeroGrad({ setToNone: true });
  f();
  const g = net.parameters().map((p) => p.grad!.clone());
  net.zeroGrad({ setToNone: true });
  return g;
};

function cos(a: gl.Tensor[], b: gl.Tensor[]): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  a.forEach((t, k) => {
    const u = t.dataSync();
    const v = b[k].dataSync();
    for (let i = 0; i < u.length; i++) {
      d += u[i] * v[i];
      na += u[i] ** 2;
      nb += v[i] ** 2;
    }
  });
  return d / Math.sqrt(na * nb);
}

describe('lab.snn measurements', () => {
  it('savedBytesPerT: SLTT identical at T = 2, 4, 6, 12; BPTT strictly growing', () => {
    const { net, x, y } = setup(1.1);
    const s = S.savedBytesPerT(net, x, y, 'sltt', [2, 4, 6, 12]);
    expect(new Set(s).size).toBe(1);
    const b = S.savedBytesPerT(net, x, y, 'bptt', [2, 4, 6, 12]);
    for (let i = 1; i < b.length; i++) expect(b[i]).toBeGreaterThan(b[i - 1]);
    expect(() => S.savedBytesPerT(net, x, y, 'sltt', [])).toThrow(gl.ArgumentError);
  });

  it('backwardWork: SLTT-K with K = 2 of T = 6 does exactly 2/6 of SLTT backward work', () => {
    const { net, x, y } = setup(1.1);
    const full = S.backwardWork(net, x, y, { T: 6, method: 'sltt' });
    const k = S.backwardWork(net, x, y, { T: 6, method: 'sltt-k', K: 2, generator: new gl.Generator(3) });
    expect(full).toBeGreaterThan(0);
    expect(k * 6).toBe(full * 2);
  });

  it('perStepWithoutDetach gives BPTT gradients; SLTT differs from them at τ = 4', () => {
    const { net, x, y } = setup(4);
    const before = gl.memory().savedBytes;
    const bptt = grads(net, () => S.timeStep(net, x, y, { T: 6, method: 'bptt' }));
    const nd = grads(net, () => S.perStepWithoutDetach(net, x, y, 6));
    const sltt = grads(net, () => S.timeStep(net, x, y, { T: 6, method: 'sltt' }));
    nd.forEach((g, i) => {
      const a = g.dataSync();
      const b = bptt[i].dataSync();
      for (let j = 0; j < a.length; j++) expect(a[j]).toBeCloseTo(b[j], 5);
    });
    expect(cos(sltt, bptt)).toBeLessThan(0.999);
    // the retained graph is released by the last backward: at most the last step's unused reset node
    // (a few scalar bytes, as after BPTT) waits for garbage collection; x [8, 12] alone would be 384 bytes
    expect(gl.memory().savedBytes - before).toBeLessThan(64);
  });
});
