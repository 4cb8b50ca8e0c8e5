// Trainer / gl.train.fit with a learning rule other than backprop: steps through the learner, metrics, evaluation, checkpoints, errors.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { errorOf } from '../helpers/catch-error.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-train-rules-');

/** 400 training and 200 test digits, batches of 50. */
function loaders() {
  const d = gl.data.loadDataset('embedded', { flatten: true });
  const ds = (x: gl.Tensor, y: gl.Tensor, n: number) =>
    new gl.data.TensorDataset(x.slice(0, 0, n), y.slice(0, 0, n));
  return {
    train: new gl.data.DataLoader(ds(d.train.x, d.train.y, 400), {
      batchSize: 50,
      shuffle: true,
      generator: new gl.Generator(1),
    }),
    test: new gl.data.DataLoader(ds(d.test.x, d.test.y, 200), { batchSize: 100 }),
  };
}

function mlp(): gl.nn.Sequential {
  gl.manualSeed(3);
  return new gl.nn.Sequential(new gl.nn.Linear(64, 64), new gl.nn.Tanh(), new gl.nn.Linear(64, 10));
}

describe('Trainer with a learning rule', () => {
  it('fit({ rule: "dfa" }) trains through the learner, reports metrics and evaluation, and writes checkpoints', async () => {
    const { train, test } = loaders();
    const model = mlp();
    const dir = tempDir();
    const trainer = new gl.train.Trainer({
      model,
      rule: 'dfa',
      ruleOptions: { lr: 0.01 },
      checkpoint: { dir },
    });
    const result = await trainer.fit(train, { epochs: 2, evalData: test });
    expect(trainer.optimizer).toBeNull();
    expect(trainer.learner?.rule).toBe('dfa');
    expect(trainer.lastStepStats?.backwardCalls).toBe(1);
    expect(result.step).toBe(16);
    expect(result.metrics.valAccuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(Number.isFinite(result.metrics.loss)).toBe(true);
    // resume: the model weights and the trainer's counters come back
    const again = new gl.train.Trainer({ model: mlp(), rule: 'dfa', checkpoint: { dir } });
    again.loadCheckpoint(dir);
    expect(again.step).toBe(16);
    expect(again.model.parameters()[0].toArray()).toEqual(model.parameters()[0].toArray());
  });

  it('gl.train.fit takes a rule object and a task; ff scores every label', async () => {
    const { train, test } = loaders();
    gl.manualSeed(3);
    const model = new gl.nn.Sequential(new gl.nn.Linear(64, 64), new gl.nn.ReLU());
    const task: gl.rules.TaskSpec = { inputShape: [64], outputs: 10, kind: 'classification' };
    const r = await gl.train.fit(model, train, {
      rule: gl.rules.ff,
      task,
      ruleOptions: { lr: 0.03, overlayValue: 3 },
      epochs: 3,
      evalData: test,
    });
    expect(r.metrics.valAccuracy).toBeGreaterThan(0.2);
  });

  it('bad combinations are named errors before training', () => {
    const model = mlp();
    const optimizer = new gl.optim.SGD(model.parameters(), { lr: 0.1 });
    expect(errorOf(() => new gl.train.Trainer({ model, rule: 'nope' as never })).message).toMatch(
      /unknown rule 'nope'; expected one of bp, .*dfa/,
    );
    expect(errorOf(() => new gl.train.Trainer({ model, optimizer, rule: 'drtp' })).message).toMatch(
      /brings its own optimizers/,
    );
    expect(errorOf(() => new gl.train.Trainer({ model })).message).toMatch(/expected an optimizer/);
    const e = errorOf(
      () =>
        new gl.train.Trainer({
          model,
          rule: 'drtp',
          task: { inputShape: [64], outputs: 10, kind: 'regression' },
        }),
    );
    expect(e).toBeInstanceOf(gl.rules.RuleModelError);
  });
});
