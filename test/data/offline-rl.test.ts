// The point-mass offline-RL task (paper 35): transition rule, reward disc, dataset layout and expert/random halves.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('pointMass', () => {
  it('step: s′ = clip(s + clip(a) + noise, −1, 1), reward 1 inside the goal disc', () => {
    const s = new Float64Array([0, 0, 0.75, 0.75, 0.95, -0.95]);
    const a = new Float64Array([0.5, -0.5, 0.05, 0.05, 0.1, -0.1]);
    const { next, reward } = gl.data.pointMassStep(s, a, new gl.Generator(0));
    expect(Math.abs(next[0] - 0.1)).toBeLessThan(0.06); // action clipped to 0.1; noise σ 0.01
    expect(Math.abs(next[1] + 0.1)).toBeLessThan(0.06);
    expect(reward[0]).toBe(0);
    expect(reward[1]).toBe(1); // (0.8, 0.8) ± noise is inside radius 0.15
    expect(next[4]).toBeLessThanOrEqual(1);
    expect(next[5]).toBeGreaterThanOrEqual(-1);
    expect(() => gl.data.pointMassStep(s, new Float64Array(2), new gl.Generator(0))).toThrow(
      gl.ArgumentError,
    );
  });

  it('dataset: 60 steps per episode, next state of step t is the state of step t + 1, the expert half reaches the goal', () => {
    const d = gl.data.pointMassOffline({ trajectories: 4, seed: 1 });
    expect(d.states.shape).toEqual([240, 2]);
    const S = d.states.toArray() as number[][];
    const S2 = d.nextStates.toArray() as number[][];
    const R = d.rewards.toArray() as number[];
    for (let k = 0; k < 4; k++)
      for (let t = 0; t + 1 < 60; t++) expect(S2[k * 60 + t]).toEqual(S[k * 60 + t + 1]);
    const ret = (k: number) => R.slice(k * 60, k * 60 + 60).reduce((a, b) => a + b, 0);
    expect(ret(0)).toBeGreaterThan(10); // the noisy expert (even episodes) spends many steps in the disc
    expect(ret(1)).toBe(0); // a random walk of 60 steps of ≤ 0.1 does not cross 2.26 units
    expect(Math.max(...(d.actions.toArray() as number[][]).flat().map(Math.abs))).toBeLessThanOrEqual(
      0.1 + 1e-7,
    );
    expect(() => gl.data.pointMassOffline({ trajectories: 0 })).toThrow(gl.ArgumentError);
  });
});
