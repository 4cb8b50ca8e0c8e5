// gl.train.compare on a tiny budget: bp beside a test-local rule (last layer only); budgets, pairing, stats, checks.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { errorOf } from '../helpers/catch-error.js';

const digits = gl.data.loadDigits({ flatten: true });
/** 256 training examples, the whole test set. */
const data: gl.train.CompareData = {
  name: 'digits',
  train: { x: digits.train.x.narrow(0, 0, 256), y: digits.train.y.narrow(0, 0, 256) },
  test: digits.test,
  inputShape: digits.inputShape,
  numClasses: 10,
};
const model: gl.train.ModelSpec = {
  layers: [
    { type: 'linear', out: 32 },
    { type: 'relu' },
    { type: 'linear', out: 32 },
    { type: 'relu' },
    { type: 'linear', out: 'classes' },
  ],
};

/** What the test-local rule saw: per seed, the first weight at create and the labels of its first batch. */
interface Seen {
  firstWeight: number[];
  firstLabels: number[];
}

/**
 * A rule of the test's own: backprop through the last Linear only (the hidden layers run without a
 * graph), SGD. It records what it saw so the test can check the pairing of seeds.
 */
function headOnly(log: Seen[]): gl.rules.LearningRule {
  return {
    name: 'head',
    summary: 'trains the last layer only',
    source: 'test',
    check(m) {
      if (!(m instanceof gl.nn.Sequential)) throw new gl.rules.RuleModelError('head: needs a Sequential');
    },
    create(m, task) {
      const seq = m as gl.nn.Sequential;
      const mods = [...seq.children()];
      const body = new gl.nn.Sequential(...mods.slice(0, -1));
      const last = mods[mods.length - 1];
      const params = last.parameters();
      const opt = new gl.optim.SGD(params, { lr: 0.1 });
      const seen: Seen = { firstWeight: Array.from(seq.parameters()[0].dataSync()), firstLabels: [] };
      log.push(seen);
      return {
        rule: 'head',
        async step(x, y) {
          if (seen.firstLabels.length === 0) seen.firstLabels = y.toArray() as number[];
          const { value, stats } = await gl.rules.measureStep(params, (fwd) => {
            fwd.add();
            const h = gl.noGrad(() => body.forward(x) as gl.Tensor);
            const loss = gl.rules.taskLoss(task, last.forward(h) as gl.Tensor, y);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            return loss.item();
          });
          return { loss: value, stats };
        },
        predict: (x) => gl.noGrad(() => seq.forward(x) as gl.Tensor),
        parameters: () => params,
        dispose() {},
      };
    },
  };
}

describe('gl.train.compare', () => {
  it('trains every arm on the same examples, paired by seed, and reports their costs', async () => {
    const log: Seen[] = [];
    const events: string[] = [];
    const r = await gl.train.compare({
      rules: [{ rule: 'bp', options: { lr: 0.01 } }, headOnly(log)],
      model,
      data,
      budget: { kind: 'samples', samples: 300 },
      seeds: [0, 1],
      curvePoints: 3,
      warmup: false,
      onEvent: (e) => events.push(`${e.type} ${e.arm} ${e.seed}`),
    });
    expect(r.rows.map((row) => row.rule)).toEqual(['bp', 'head']);
    expect(events.filter((e) => e.startsWith('arm-start'))).toEqual([
      'arm-start bp 0',
      'arm-start head 0',
      'arm-start bp 1',
      'arm-start head 1',
    ]);
    for (const row of r.rows) {
      expect(row.seeds.map((s) => s.seed)).toEqual([0, 1]);
      for (const s of row.seeds) {
        // 300 examples exactly: 4 batches of 64 and one cut to 44
        expect(s.examplesSeen).toBe(300);
        expect(s.steps).toBe(5);
        expect(s.epochs).toBeCloseTo(300 / 256, 12);
        expect(s.curve.examples).toHaveLength(3);
        expect(s.curve.examples[2]).toBe(300);
        expect(s.curve.testAccuracy[2]).toBe(s.testAccuracy);
        expect(s.forwardPasses).toBe(5);
        expect(s.backwardCalls).toBe(5);
      }
      expect(row.examplesSeen).toBe(300);
    }
    const [bp, head] = r.rows;
    // different seeds: different initial weights and batch order (the same seed's are equal: next test)
    expect(log).toHaveLength(2);
    expect(log[0].firstWeight).not.toEqual(log[1].firstWeight);
    expect(log[0].firstLabels).not.toEqual(log[1].firstLabels);
    expect(bp.backwardCallsPerStep).toBe(1);
    expect(bp.forwardPassesPerStep).toBe(1);
    expect(bp.paramsUpdatedPerStep).toBe(6);
    expect(head.paramsUpdatedPerStep).toBe(2);
    expect(head.largestBackwardOps).toBeLessThan(bp.largestBackwardOps);
    expect(head.peakSavedBytes).toBeLessThan(bp.peakSavedBytes);
    expect(bp.vsBp).toEqual({
      testAccuracy: 0,
      secondsPerEpoch: 1,
      peakSavedBytes: 1,
      backwardCallsPerStep: 1,
    });
    expect(head.vsBp!.peakSavedBytes).toBeCloseTo(head.peakSavedBytes / bp.peakSavedBytes, 12);
    expect(head.vsBp!.testAccuracy).toBeCloseTo(head.testAccuracy.mean - bp.testAccuracy.mean, 12);
    expect(bp.testAccuracy).toEqual(gl.train.meanSd(bp.seeds.map((s) => s.testAccuracy)));
    // better than chance (10 classes) after 5 steps at lr 0.01
    expect(bp.testAccuracy.mean).toBeGreaterThan(0.3);
  });

  it('pairs seeds across arms: two arms of the same rule and seed train identically', async () => {
    const log: Seen[] = [];
    const r = await gl.train.compare({
      rules: [
        { rule: headOnly(log), name: 'a' },
        { rule: headOnly(log), name: 'b' },
      ],
      model,
      data,
      budget: { kind: 'epochs', epochs: 1 },
      warmup: false,
    });
    expect(log[0]).toEqual(log[1]);
    expect(r.rows[0].seeds[0].curve.testAccuracy).toEqual(r.rows[1].seeds[0].curve.testAccuracy);
    expect(r.rows[0].vsBp).toBeNull();
    expect(r.rows[0].seeds[0].examplesSeen).toBe(256);
  });

  it('a seconds budget trains until the steps have taken that long', async () => {
    const r = await gl.train.compare({
      rules: ['bp'],
      model,
      data,
      budget: { kind: 'seconds', seconds: 0.02 },
    });
    const s = r.rows[0].seeds[0];
    expect(s.trainSeconds).toBeGreaterThanOrEqual(0.02);
    expect(s.steps).toBeGreaterThanOrEqual(1);
    expect(s.examplesSeen).toBe(Math.min(s.steps * 64, s.examplesSeen));
  });

  it('refuses bad arms, budgets and rule/model mismatches before anything trains', () => {
    const events: unknown[] = [];
    const picky: gl.rules.LearningRule = {
      ...gl.rules.bp,
      name: 'picky',
      check: () => {
        throw new gl.rules.RuleModelError('picky: needs a conv layer, the model has none');
      },
    };
    const opts = { model, data, onEvent: (e: unknown) => events.push(e) };
    const e1 = errorOf(() => gl.train.planCompare({ ...opts, rules: ['bp', picky] }));
    expect(e1).toBeInstanceOf(gl.rules.RuleModelError);
    expect(e1.message).toBe('picky: needs a conv layer, the model has none');
    const e2 = errorOf(() => gl.train.planCompare({ ...opts, rules: ['bp', 'nosuchrule'] }));
    expect(e2).toBeInstanceOf(gl.ArgumentError);
    expect(e2.message).toMatch(/unknown rule 'nosuchrule' \(known rules: bp/);
    expect(errorOf(() => gl.train.planCompare({ ...opts, rules: ['bp', 'bp'] })).message).toMatch(
      /two arms are named 'bp'/,
    );
    for (const budget of [
      { kind: 'samples', samples: 0 },
      { kind: 'epochs', epochs: 1.5 },
      { kind: 'seconds', seconds: -1 },
      { kind: 'steps', steps: 3 },
    ])
      expect(
        errorOf(() =>
          gl.train.planCompare({ ...opts, rules: ['bp'], budget: budget as gl.train.CompareBudget }),
        ),
      ).toBeInstanceOf(gl.ArgumentError);
    expect(events).toEqual([]);
  });

  it('meanSd is the mean and the n−1 standard deviation', () => {
    expect(gl.train.meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1 });
    expect(gl.train.meanSd([0.5])).toEqual({ mean: 0.5, sd: 0 });
  });
});
