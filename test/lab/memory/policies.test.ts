// Checkpoint policies: segment plans, gradients identical to plain backprop, dropout replayed, bytes fall.
import { describe, expect, it } from 'vitest';
import * as gl from '../../../src/index.js';

const M = gl.lab.memory;

function blocks(n: number, width: number, dropout = 0) {
  gl.manualSeed(1);
  const list: gl.nn.Module[] = [];
  for (let i = 0; i < n; i++) {
    const body = new gl.nn.Sequential(
      new gl.nn.Linear(width, width),
      new gl.nn.Tanh(),
      ...(dropout ? [new gl.nn.Dropout(dropout)] : []),
    );
    list.push(new gl.nn.Residual(body));
  }
  return new gl.nn.Sequential(...list);
}

function step(model: gl.nn.Sequential, x: gl.Tensor, policy: gl.lab.memory.CheckpointPolicy | null) {
  model.zeroGrad({ setToNone: true });
  gl.manualSeed(7);
  const base = gl.memory().savedBytes;
  gl.resetPeakMemory();
  const y = policy ? M.checkpointSequence(model, x, policy) : (model.forward(x) as gl.Tensor);
  y.mul(y).mean().backward();
  return {
    y,
    peak: gl.memory().peakSavedBytes - base,
    grads: model.parameters().map((p) => p.grad!),
    after: gl.defaultGenerator.getState(),
  };
}

function maxDiff(a: gl.Tensor, b: gl.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

describe('checkpoint policies', () => {
  const mods = Array.from({ length: 10 }, () => new gl.nn.Identity());

  it('plan segments: √n, fixed size, every k-th, predicate', () => {
    const plan = (p: gl.lab.memory.CheckpointPolicy) =>
      M.planSegments(p, mods).map((s) => `${s.start}-${s.end}${s.checkpointed ? 'c' : ''}`);
    expect(plan(M.sqrtSegments())).toEqual(['0-4c', '4-8c', '8-10c']);
    expect(plan(M.segments(5))).toEqual(['0-5c', '5-10c']);
    expect(plan(M.everyKth(3)).filter((s) => s.endsWith('c'))).toEqual(['2-3c', '5-6c', '8-9c']);
    expect(plan(M.wherePredicate((_m, i) => i < 2)).filter((s) => s.endsWith('c'))).toEqual(['0-1c', '1-2c']);
  });

  it('rejects bad arguments and plans that do not cover the blocks', () => {
    expect(() => M.segments(0)).toThrow(gl.ArgumentError);
    expect(() => M.everyKth(1.5)).toThrow(gl.ArgumentError);
    const gap = { name: 'gap', plan: () => [{ start: 0, end: 3, checkpointed: true }] };
    expect(() => M.planSegments(gap, mods)).toThrow(/segments end at 3, expected 10/);
  });

  for (const [label, policy] of [
    ['√n', M.sqrtSegments()],
    ['segments(3)', M.segments(3)],
    ['every 2nd', M.everyKth(2)],
    ['predicate', M.wherePredicate((_m, i) => i % 3 === 0)],
  ] as const)
    it(`${label}: gradients equal plain backprop, dropout replayed`, () => {
      const model = blocks(9, 12, 0.3);
      const x = gl.randn([6, 12]);
      const plain = step(model, x, null);
      const ck = step(model, x, policy);
      expect(maxDiff(plain.y, ck.y)).toBe(0);
      plain.grads.forEach((g, i) => expect(maxDiff(g, ck.grads[i])).toBeLessThanOrEqual(1e-6));
      expect(ck.after).toEqual(plain.after);
    });

  it('√n segments keep far fewer saved bytes on a deep residual MLP (recomputation counted)', () => {
    const model = blocks(16, 32);
    const x = gl.randn([16, 32]);
    const plain = step(model, x, null);
    const ck = step(model, x, M.sqrtSegments());
    expect(ck.peak * 2).toBeLessThan(plain.peak);
  });

  it('applyCheckpointPolicy switches a Sequential in one line and back', () => {
    const model = blocks(4, 8);
    const x = gl.randn([3, 8]);
    const plain = step(model, x, null);
    const undo = M.applyCheckpointPolicy(model, M.segments(2));
    const tl = M.profile(() => (model.forward(x) as gl.Tensor).sum().backward());
    expect(tl.events.some((e) => e.kind === 'save' && e.phase === 'backward')).toBe(true);
    undo();
    const again = step(model, x, null);
    expect(again.peak).toBe(plain.peak);
  });
});
