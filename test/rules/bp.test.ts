// gl.rules.bp: the reference rule's update is a plain backprop step, its stats count one backward walk.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const task: gl.rules.TaskSpec = { inputShape: [3], outputs: 2, kind: 'classification' };

function model(seed: number): gl.nn.Sequential {
  gl.manualSeed(seed);
  return new gl.nn.Sequential(new gl.nn.Linear(3, 4), new gl.nn.ReLU(), new gl.nn.Linear(4, 2));
}

describe('gl.rules.bp', () => {
  it('steps exactly like a hand-written SGD backprop step', async () => {
    const x = gl.tensor([
      [0.5, -1, 2],
      [1, 0.25, -0.5],
    ]);
    const y = gl.tensor([1, 0], { dtype: 'int32' });
    const a = model(3);
    const b = model(3);
    const learner = gl.rules.bp.create(a, task, { lr: 0.1, optimizer: 'sgd' });
    const { loss, stats } = await learner.step(x, y);
    // by hand: SGD with momentum 0.9 (first step: plain gradient step)
    const ref = gl.crossEntropy(b.forward(x) as gl.Tensor, y);
    ref.backward();
    expect(loss).toBeCloseTo(ref.item(), 6);
    const pa = a.parameters();
    const pb = b.parameters();
    expect(pa.length).toBe(4);
    for (let i = 0; i < pa.length; i++) {
      const want = gl.sub(pb[i], gl.mul(pb[i].grad!, 0.1)).toArray();
      expect(pa[i].toArray()).toEqual(want);
    }
    expect(stats.backwardCalls).toBe(1);
    expect(stats.largestBackwardOps).toBeGreaterThan(3);
    expect(stats.paramsUpdated).toBe(4);
    expect(stats.forwardPasses).toBe(1);
    expect(stats.peakSavedBytes).toBeGreaterThan(0);
  });

  it('refuses a model without trainable parameters', () => {
    expect(() => gl.rules.bp.create(new gl.nn.ReLU(), task)).toThrow(gl.rules.RuleModelError);
  });

  it('onBackward sees every walk and stops when asked', () => {
    const seen: gl.BackwardInfo[] = [];
    const stop = gl.onBackward((i) => seen.push(i));
    const w = gl.tensor([1, 2], { requiresGrad: true });
    gl.sum(gl.mul(w, w)).backward();
    gl.grad(gl.sum(gl.mul(w, 3)), [w]);
    stop();
    gl.sum(w).backward();
    expect(seen.map((s) => s.functional)).toEqual([false, true]);
    expect(seen[0].nodes).toBe(2);
  });
});
