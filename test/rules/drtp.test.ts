// gl.rules.drtp: the step equals the hand-computed DRTP update, deferred or inside the forward pass; one walk per layer in-forward.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { errorOf } from '../helpers/catch-error.js';
import { maxDiff, stepByHand, tanhNet, task2, x2, y2 } from './feedback-by-hand.js';
import { digitsMlp, digitsTask, quickDigits } from './digits-task.js';

describe('gl.rules.drtp', () => {
  for (const inForward of [false, true]) {
    it(`one step equals the hand-computed update (${inForward ? 'updates inside the forward pass' : 'deferred'})`, async () => {
      const net = tanhNet(3);
      const ref = tanhNet(3);
      const learner = gl.rules.drtp.create(net, task2, {
        inForward,
        lr: 0.1,
        optimizer: 'sgd',
        generator: new gl.Generator(4),
      });
      const B = learner.feedback()[0];
      const { loss, stats } = await learner.step(x2, y2);
      const want = stepByHand(ref, B, 'drtp', 0.1);
      expect(loss).toBeCloseTo(want.loss, 5);
      expect(maxDiff(net.parameters(), want.params)).toBeLessThan(1e-6);
      // deferred: one walk over the whole graph; in-forward: one local walk per layer
      expect(stats.backwardCalls).toBe(inForward ? 2 : 1);
      expect(stats.paramsUpdated).toBe(4);
    });
  }

  it("in-forward walks stay one layer's size as the network deepens; the deferred walk grows", async () => {
    const t: gl.rules.TaskSpec = { inputShape: [6], outputs: 3, kind: 'classification' };
    const x = gl.rand([5, 6]);
    const y = gl.tensor([0, 1, 2, 0, 1], { dtype: 'int32' });
    const mk = (depth: number) => {
      gl.manualSeed(0);
      const mods = Array.from({ length: depth }, () => [new gl.nn.Linear(6, 6), new gl.nn.Tanh()]).flat();
      return new gl.nn.Sequential(...mods, new gl.nn.Linear(6, 3));
    };
    const run = async (depth: number, inForward: boolean) =>
      (await gl.rules.drtp.create(mk(depth), t, { inForward }).step(x, y)).stats;
    const [f2, f4, d2, d4] = [
      await run(2, true),
      await run(4, true),
      await run(2, false),
      await run(4, false),
    ];
    expect(f4.backwardCalls).toBe(5);
    expect(f4.largestBackwardOps).toBe(f2.largestBackwardOps);
    expect(d4.largestBackwardOps).toBeGreaterThan(d2.largestBackwardOps);
    expect(d4.peakSavedBytes).toBeGreaterThan(f4.peakSavedBytes);
  });

  it('learns the digits in a quick run', async () => {
    const acc = await quickDigits(
      gl.rules.drtp.create(
        digitsMlp(1, [64], () => new gl.nn.Tanh()),
        digitsTask,
        { lr: 0.01 },
      ),
      2,
    );
    expect(acc).toBeGreaterThan(0.5); // chance is 0.1
  });

  it('needs a classification task', () => {
    const e = errorOf(() => gl.rules.drtp.check(tanhNet(0), { ...task2, kind: 'regression' }));
    expect(e).toBeInstanceOf(gl.rules.RuleModelError);
    expect(e.message).toMatch(/classification/);
  });
});
