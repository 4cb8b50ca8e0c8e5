// Spiking networks: surrogate spikes, LIF dynamics (hand-computed), SLTT cutting the temporal route,
// memory independent of T, SLTT-K, and agreement with BPTT at T = 1.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const S = gl.lab.snn;
const arr = (t: gl.Tensor) => Array.from(t.dataSync());

class Net extends gl.nn.Module implements gl.lab.snn.SpikingNet {
  readonly fc1 = new gl.nn.Linear(10, 16);
  readonly lif1 = new S.LIF({ tau: 1.1 });
  readonly fc2 = new gl.nn.Linear(16, 3);
  step(x: gl.Tensor): gl.Tensor {
    return this.fc2.forward(this.lif1.forward(this.fc1.forward(x).mul(3)));
  }
}

function grads(net: Net, x: gl.Tensor, y: gl.Tensor, opts: gl.lab.snn.TimeStepOptions) {
  net.zeroGrad({ setToNone: true });
  S.timeStep(net, x, y, opts);
  return net.parameters().map((p) => p.grad!);
}

describe('lab.snn', () => {
  it('spike: Heaviside forward, surrogate backward', () => {
    const x = gl.tensor([-1.5, -0.5, 0, 0.5, 1.5], { requiresGrad: true });
    const s = S.spike(x);
    expect(arr(s)).toEqual([0, 0, 0, 1, 1]);
    s.sum().backward();
    // triangle, α = 1: max(0, 1 − |x|)
    expect(arr(x.grad!)).toEqual([0, 0.5, 1, 0.5, 0]);
    const z = gl.tensor([-0.6, -0.4, 0.4, 0.6], { requiresGrad: true });
    S.spike(z, { surrogate: 'rectangle' }).sum().backward();
    expect(arr(z.grad!)).toEqual([0, 1, 1, 0]);
  });

  it('LIF: leak, threshold and soft reset (τ = 2, λ = 0.5, input 0.6 per step)', () => {
    const lif = new S.LIF({ tau: 2 });
    const input = gl.tensor([0.6]);
    const spikes: number[] = [];
    const v: number[] = [];
    for (let t = 0; t < 4; t++) {
      spikes.push(lif.forward(input).item());
      v.push(lif.state!.item());
    }
    // u: 0.6, 0.9, 1.05 (spike, v = 0.05), 0.625
    expect(spikes).toEqual([0, 0, 1, 0]);
    [0.6, 0.9, 0.05, 0.625].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
    lif.reset();
    expect(lif.state).toBeNull();
    expect(() => new S.LIF({ tau: 0.5 })).toThrow(gl.ArgumentError);
  });

  it('detachState cuts the temporal route: step 2 no longer depends on step 1 input', () => {
    for (const detach of [false, true]) {
      const lif = new S.LIF({ tau: 2 });
      lif.detachState = detach;
      const a = gl.tensor([0.9], { requiresGrad: true });
      const b = gl.tensor([0.6], { requiresGrad: true });
      lif.forward(a);
      lif.forward(b).sum().backward();
      const g = a.grad === null ? 0 : a.grad.item();
      if (detach) expect(g).toBe(0);
      else expect(Math.abs(g)).toBeGreaterThan(0);
    }
  });

  it('at T = 1 SLTT gradients equal BPTT; at T = 6 they differ but stay aligned', () => {
    gl.manualSeed(0);
    const net = new Net();
    const x = gl.randn([8, 10]);
    const y = gl.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' });
    const b1 = grads(net, x, y, { T: 1, method: 'bptt' });
    const s1 = grads(net, x, y, { T: 1, method: 'sltt' });
    b1.forEach((g, i) => expect(arr(s1[i])).toEqual(arr(g)));
    const b6 = grads(net, x, y, { T: 6, method: 'bptt' });
    const s6 = grads(net, x, y, { T: 6, method: 'sltt' });
    let dot = 0;
    let nb = 0;
    let ns = 0;
    b6.forEach((g, i) => {
      const u = g.dataSync();
      const v = s6[i].dataSync();
      for (let k = 0; k < u.length; k++) {
        dot += u[k] * v[k];
        nb += u[k] * u[k];
        ns += v[k] * v[k];
      }
    });
    expect(dot / Math.sqrt(nb * ns)).toBeGreaterThan(0.5);
  });

  it('SLTT saved bytes do not grow with T; BPTT grows about linearly', () => {
    gl.manualSeed(1);
    const net = new Net();
    const x = gl.randn([8, 10]);
    const y = gl.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32' });
    const peak = (T: number, method: 'bptt' | 'sltt') =>
      gl.lab.memory.profile(() => S.timeStep(net, x, y, { T, method })).peak.bytes;
    expect(peak(6, 'sltt')).toBe(peak(3, 'sltt'));
    const b2 = peak(2, 'bptt');
    const b6 = peak(6, 'bptt');
    expect(b6).toBeGreaterThan(2.5 * b2);
    expect(peak(6, 'sltt') / b6).toBeLessThan(0.3);
  });

  it('SLTT-K backpropagates K drawn steps; K = T equals SLTT; bad K is refused', () => {
    gl.manualSeed(2);
    const net = new Net();
    const x = gl.randn([4, 10]);
    const y = gl.tensor([0, 1, 2, 0], { dtype: 'int32' });
    const gen = new gl.Generator(3);
    const all = grads(net, x, y, { T: 4, method: 'sltt-k', K: 4, generator: gen });
    const sltt = grads(net, x, y, { T: 4, method: 'sltt' });
    all.forEach((g, i) => expect(arr(g)).toEqual(arr(sltt[i])));
    const k1 = grads(net, x, y, { T: 4, method: 'sltt-k', K: 1, generator: gen });
    expect(arr(k1[0])).not.toEqual(arr(sltt[0]));
    expect(() => S.timeStep(net, x, y, { T: 4, method: 'sltt-k', K: 5, generator: gen })).toThrow(
      gl.ArgumentError,
    );
    expect(() => S.timeStep(net, x, y, { T: 0, method: 'bptt' })).toThrow(gl.ArgumentError);
  });
});
