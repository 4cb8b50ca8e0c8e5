// gl.envs.CartPole and CartPoleBatch: hand-computed Euler steps, termination at ±12° / ±2.4, the 500-step cap, lockstep = single.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { errorOf } from '../helpers/catch-error.js';

/** Puts the env in a running episode at an exact state (reset draws a random one first). */
function at(env: gl.envs.CartPole, s: [number, number, number, number]): void {
  env.reset(new gl.Generator(0));
  env.state.set(s);
}

describe('CartPole', () => {
  it('one step from rest matches the equations worked by hand', () => {
    // From (0, 0, 0, 0) with force +10: sin θ = 0, cos θ = 1, so
    // temp = F / (m_c + m_p) = 10 / 1.1 = 100/11,
    // θ̈ = (0 − temp) / (l (4/3 − m_p / 1.1)) = −(100/11) / (0.5 · 41/33) = −600/41,
    // ẍ = temp − m_p l θ̈ / 1.1 = 100/11 + 0.05 · (600/41) / 1.1 = 4400/451.
    // Euler: x, θ move by τ · (old velocities) = 0; ẋ = 0.02 · 4400/451 = 88/451; θ̇ = 0.02 · (−600/41) = −12/41.
    const env = new gl.envs.CartPole();
    at(env, [0, 0, 0, 0]);
    const r = env.step(1);
    expect(r.reward).toBe(1);
    expect(r.terminated).toBe(false);
    expect(env.state[0]).toBe(0);
    expect(env.state[1]).toBeCloseTo(88 / 451, 14);
    expect(env.state[2]).toBe(0);
    expect(env.state[3]).toBeCloseTo(-12 / 41, 14);
    // second step: positions advance by τ times the velocities of step one
    env.step(1);
    expect(env.state[0]).toBeCloseTo(0.02 * (88 / 451), 14);
    expect(env.state[2]).toBeCloseTo(0.02 * (-12 / 41), 14);
    // pushing left from rest mirrors pushing right
    at(env, [0, 0, 0, 0]);
    env.step(0);
    expect(env.state[1]).toBeCloseTo(-88 / 451, 14);
    expect(env.state[3]).toBeCloseTo(12 / 41, 14);
  });

  it('a tilted pole at rest with no net push: gravity alone (force ±10 averaged) gives θ̈ = g sin θ / (l (4/3 − m_p cos²θ / 1.1))', () => {
    const env = new gl.envs.CartPole();
    const theta = 0.1;
    const acc = (F: number) => {
      at(env, [0, 0, theta, 0]);
      env.step(F > 0 ? 1 : 0);
      return env.state[3] / 0.02;
    };
    const c = Math.cos(theta);
    const expected = (9.8 * Math.sin(theta)) / (0.5 * (4 / 3 - (0.1 * c * c) / 1.1));
    // the force term enters θ̈ linearly, so the mean of pushing left and right cancels it
    expect((acc(1) + acc(-1)) / 2).toBeCloseTo(expected, 10);
  });

  it('terminates past ±12° and ±2.4, reward 1 on the terminating step, then refuses to step', () => {
    const env = new gl.envs.CartPole();
    at(env, [0, 0, (12 * Math.PI) / 180 - 1e-4, 1]); // θ crosses 12° this step (θ̇ τ = 0.02)
    const r = env.step(1);
    expect(r.terminated).toBe(true);
    expect(r.reward).toBe(1);
    expect(errorOf(() => env.step(1))).toBeInstanceOf(gl.envs.EnvStateError);
    at(env, [2.39, 1, 0, 0]); // x crosses 2.4
    expect(env.step(1).terminated).toBe(true);
    at(env, [-2.39, -1, 0, 0]);
    expect(env.step(0).terminated).toBe(true);
    at(env, [0, 0, 0.1, 0]);
    expect(env.step(1).terminated).toBe(false);
  });

  it('truncates at the 500-step cap (a balancing controller never terminates)', () => {
    const env = new gl.envs.CartPole();
    let obs = env.reset(new gl.Generator(3));
    let steps = 0;
    let last: gl.envs.StepOutcome;
    do {
      // a PD controller on θ and x: keeps the pole up for good
      last = env.step(obs[2] + 0.5 * obs[3] + 0.01 * obs[0] + 0.1 * obs[1] > 0 ? 1 : 0);
      obs = last.observation;
      steps++;
    } while (!last.terminated && !last.truncated);
    expect(last.truncated).toBe(true);
    expect(last.terminated).toBe(false);
    expect(steps).toBe(500);
    expect(new gl.envs.CartPole({ maxSteps: 7 }).maxSteps).toBe(7);
  });

  it('starts uniform in ±0.05 from the generator, replayably; bad input is named', () => {
    const env = new gl.envs.CartPole();
    const a = env.reset(new gl.Generator(11));
    const b = env.reset(new gl.Generator(11));
    expect(Array.from(a)).toEqual(Array.from(b));
    for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    expect(Array.from(env.reset(new gl.Generator(12)))).not.toEqual(Array.from(a));
    expect(errorOf(() => new gl.envs.CartPole().step(1))).toBeInstanceOf(gl.envs.EnvStateError);
    expect(errorOf(() => env.step(2))).toBeInstanceOf(gl.ArgumentError);
    expect(errorOf(() => new gl.envs.CartPole({ maxSteps: 0 }))).toBeInstanceOf(gl.ArgumentError);
  });
});

describe('CartPoleBatch', () => {
  it('episode i in lockstep follows the single env seeded with seeds[i] step for step', () => {
    const seeds = [5, 6, 7];
    const batch = new gl.envs.CartPoleBatch(3);
    batch.reset(seeds);
    const singles = seeds.map((s) => {
      const e = new gl.envs.CartPole();
      e.reset(new gl.Generator(s));
      return e;
    });
    const policy = (o: ArrayLike<number>, i: number) => (o[4 * i + 2] + 0.2 * o[4 * i + 3] > 0 ? 1 : 0);
    const singleDone = [false, false, false];
    const singleReturn = [0, 0, 0];
    while (!batch.allDone()) {
      const obs = batch.observations();
      const actions = seeds.map((_, i) => (i === 1 ? 1 : policy(obs, i))); // episode 1 always pushes right: falls early
      for (let i = 0; i < 3; i++) {
        if (singleDone[i]) continue;
        const r = singles[i].step(actions[i]);
        singleReturn[i] += r.reward;
        singleDone[i] = r.terminated || r.truncated;
      }
      batch.step(actions);
      for (let i = 0; i < 3; i++)
        expect(Array.from(batch.states.subarray(4 * i, 4 * i + 4))).toEqual(Array.from(singles[i].state));
    }
    expect(Array.from(batch.returns)).toEqual(singleReturn);
    expect(batch.returns[1]).toBeLessThan(50);
    expect(Array.from(batch.steps)).toEqual(singleReturn);
  });

  it('names bad input', () => {
    const b = new gl.envs.CartPoleBatch(2);
    expect(errorOf(() => b.step([0, 1]))).toBeInstanceOf(gl.envs.EnvStateError);
    expect(errorOf(() => b.reset([1]))).toBeInstanceOf(gl.ArgumentError);
    b.reset([1, 2]);
    expect(errorOf(() => b.step([0]))).toBeInstanceOf(gl.ArgumentError);
    expect(errorOf(() => b.step([0, 3]))).toBeInstanceOf(gl.ArgumentError);
  });
});
