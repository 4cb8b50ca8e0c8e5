// gl.rules.dfa: DFA, sDFA and the shallow baseline step exactly as written out by hand; model checks; a quick run learns.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { errorOf } from '../helpers/catch-error.js';
import { maxDiff, stepByHand, tanhNet, task2, x2, y2 } from './feedback-by-hand.js';
import { digitsMlp, digitsTask, quickDigits } from './digits-task.js';

describe('gl.rules.dfa', () => {
  for (const [name, opts] of [
    ['dfa', {}],
    ['sdfa', { sign: true }],
    ['shallow', { shallow: true }],
  ] as const) {
    it(`${name}: one step equals the hand-computed update`, async () => {
      const net = tanhNet(2);
      const ref = tanhNet(2);
      const learner = gl.rules.dfa.create(net, task2, {
        ...opts,
        lr: 0.1,
        optimizer: 'sgd',
        generator: new gl.Generator(9),
      });
      const B = learner.feedback()[0];
      expect(B.shape).toEqual([2, 4]);
      const { loss, stats } = await learner.step(x2, y2);
      const want = stepByHand(ref, B, name, 0.1);
      expect(loss).toBeCloseTo(want.loss, 5);
      expect(maxDiff(net.parameters(), want.params)).toBeLessThan(1e-6);
      // one forward; deferred DFA is one backward walk over the whole graph, the hidden gradient replaced on the way
      expect(stats.forwardPasses).toBe(1);
      expect(stats.backwardCalls).toBe(1);
      expect(stats.paramsUpdated).toBe(name === 'shallow' ? 2 : 4);
    });
  }

  it('feedback matrices replay from the seed', () => {
    const b1 = gl.rules.dfa.create(tanhNet(0), task2, { generator: new gl.Generator(5) }).feedback()[0];
    const b2 = gl.rules.dfa.create(tanhNet(1), task2, { generator: new gl.Generator(5) }).feedback()[0];
    const b3 = gl.rules.dfa.create(tanhNet(0), task2, { generator: new gl.Generator(6) }).feedback()[0];
    const direct = gl.rules.feedbackMatrices(2, [4], new gl.Generator(5))[0];
    expect(b1.toArray()).toEqual(b2.toArray());
    expect(b1.toArray()).toEqual(direct.toArray());
    expect(b1.toArray()).not.toEqual(b3.toArray());
    expect(gl.amax(gl.abs(b1)).item()).toBeLessThanOrEqual(Math.sqrt(6 / 4));
  });

  it('learns the digits in a quick run (and the shallow baseline trains only the output layer)', async () => {
    const acc = await quickDigits(
      gl.rules.dfa.create(
        digitsMlp(1, [64], () => new gl.nn.Tanh()),
        digitsTask,
        { lr: 0.01 },
      ),
      2,
    );
    expect(acc).toBeGreaterThan(0.5); // chance is 0.1
    const model = digitsMlp(1, [64], () => new gl.nn.Tanh());
    const before = (model.at(0) as gl.nn.Linear).weight.clone();
    const shallow = gl.rules.dfa.create(model, digitsTask, { shallow: true, lr: 0.01 });
    expect(shallow.parameters().length).toBe(2);
    await quickDigits(shallow, 1);
    expect((model.at(0) as gl.nn.Linear).weight.toArray()).toEqual(before.toArray());
  });

  it('says what it needs before training', () => {
    const cases: [gl.nn.Module, RegExp][] = [
      [new gl.nn.Sequential(new gl.nn.Linear(3, 2)), /at least one hidden Linear/],
      [
        new gl.nn.Sequential(
          new gl.nn.Linear(3, 4),
          new gl.nn.Tanh(),
          new gl.nn.Linear(4, 2),
          new gl.nn.Sigmoid(),
        ),
        /must end with a Linear.*followed by Sigmoid/,
      ],
      [
        new gl.nn.Sequential(new gl.nn.Linear(3, 4), new gl.nn.Tanh(), new gl.nn.Linear(4, 5)),
        /2 outputs.*got 5/,
      ],
      [new gl.nn.Sequential(new gl.nn.Conv2d(1, 2, 3)), /module 0 is a Conv2d/],
    ];
    for (const [m, msg] of cases) {
      const e = errorOf(() => gl.rules.dfa.create(m, task2));
      expect(e).toBeInstanceOf(gl.rules.RuleModelError);
      expect(e.message).toMatch(msg);
    }
    // DFA needs only an output error, so regression is fine
    expect(() => gl.rules.dfa.check(tanhNet(0), { ...task2, kind: 'regression' })).not.toThrow();
  });
});
