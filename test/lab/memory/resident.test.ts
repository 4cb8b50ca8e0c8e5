// residentMemory: weights (frozen too) once, saved activations without parameter storages, gradients, optimizer state.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

// Linear(6,8) → ReLU → Linear(8,3): 6·8+8 + 8·3+3 = 83 parameters = 332 bytes; batch 4
function net() {
  gl.manualSeed(1);
  return new gl.nn.Sequential(new gl.nn.Linear(6, 8), new gl.nn.ReLU(), new gl.nn.Linear(8, 3));
}
const step = (m: gl.nn.Sequential, x: gl.Tensor) => () => (m.forward(x) as gl.Tensor).sum().backward();

describe('lab.memory.residentMemory', () => {
  it('full training: all weights, gradients and 2 Adam moments, and the hand-counted saved activations', () => {
    const m = net();
    const x = gl.randn([4, 6]);
    const r = gl.lab.memory.residentMemory(m, step(m, x), { optimizerSlots: 2 });
    expect(r.weights).toBe(332);
    expect(r.trainableWeights).toBe(332);
    expect(r.gradients).toBe(332);
    expect(r.optimizerState).toBe(664);
    // saved: the input x [4,6] (for dW₁) and the ReLU output [4,8] (for ReLU' and dW₂): 24·4 + 32·4;
    // W₂ (saved for dx of layer 2) is a parameter storage and counts under weights only
    expect(r.activations).toBe(96 + 128);
    expect(r.total).toBe(332 + 224 + 332 + 664);
    // the profiler's peak does count W₂'s storage: residentMemory removes exactly that
    m.zeroGrad({ setToNone: true });
    const tl = gl.lab.memory.profile(step(m, x), { model: m });
    expect(tl.peak.bytes).toBe(224 + 96);
  });

  it('a frozen first layer still counts as a weight; its input is no longer saved', () => {
    const m = net();
    m.at(0).requiresGrad_(false);
    const r = gl.lab.memory.residentMemory(m, step(m, gl.randn([4, 6])), { optimizerSlots: 2 });
    expect(r.weights).toBe(332);
    expect(r.trainableWeights).toBe((24 + 3) * 4);
    expect(r.gradients).toBe(108);
    expect(r.optimizerState).toBe(216);
    expect(r.activations).toBe(128); // only the ReLU output, for dW₂
  });

  it('a frozen last layer saved by its rule (W₂ for dx) is not counted twice', () => {
    const full = net();
    const a = gl.lab.memory.residentMemory(full, step(full, gl.randn([4, 6])), { optimizerSlots: 0 });
    const m = net();
    m.at(2).requiresGrad_(false);
    const b = gl.lab.memory.residentMemory(m, step(m, gl.randn([4, 6])), { optimizerSlots: 0 });
    expect(b.weights).toBe(a.weights);
    expect(b.activations).toBe(a.activations);
    expect(b.gradients).toBe((48 + 8) * 4);
  });

  it('rejects a bad optimizerSlots count and a non-function step', () => {
    const m = net();
    expect(() => gl.lab.memory.residentMemory(m, () => {}, { optimizerSlots: -1 })).toThrow(gl.ArgumentError);
    expect(() => gl.lab.memory.residentMemory(m, 3 as unknown as () => void, { optimizerSlots: 2 })).toThrow(
      /expected a step function/,
    );
  });
});
