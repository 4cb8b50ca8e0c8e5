// Schedules beyond the PyTorch sequences: state round-trips (resume = uninterrupted), JSON safety, helpers.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { buildSchedule, fixture, scheduleOptimizer, type SchedCase } from './helpers.js';

const stepSched = (s: gl.optim.Schedule, c: SchedCase, k: number) =>
  c.spec.kind === 'ReduceLROnPlateau'
    ? (s as gl.optim.ReduceLROnPlateau).step(c.spec.metrics![k])
    : (s as { step(): void }).step();

describe('scheduler state dicts', () => {
  it.each(fixture.schedules.map((c) => [c.name, c] as const))(
    '%s: resuming from (JSON) state continues the same lr sequence',
    (_n, c) => {
      const opt = scheduleOptimizer(c.optimizer);
      const sched = buildSchedule(c.spec, opt);
      for (let k = 0; k < 12; k++) stepSched(sched, c, k);
      const optState = JSON.parse(JSON.stringify(gl.optim.flattenStateDict(opt.stateDict())));
      const schedState = JSON.parse(JSON.stringify(sched.stateDict()));
      // a fresh optimizer and scheduler, then the saved states
      const opt2 = scheduleOptimizer(c.optimizer);
      const sched2 = buildSchedule(c.spec, opt2);
      opt2.loadStateDict(gl.optim.unflattenStateDict(optState));
      sched2.loadStateDict(schedState);
      expect(sched2.getLastLr()).toEqual(sched.getLastLr());
      for (let k = 12; k < 30; k++) {
        stepSched(sched, c, k);
        stepSched(sched2, c, k);
        expect(opt2.paramGroups.map((g) => g.lr)).toEqual(opt.paramGroups.map((g) => g.lr));
      }
    },
  );

  it("ReduceLROnPlateau's infinite initial best survives JSON", () => {
    const opt = scheduleOptimizer('SGD');
    const s = new gl.optim.ReduceLROnPlateau(opt);
    const state = JSON.parse(JSON.stringify(s.stateDict()));
    expect(state.best).toBe('Infinity');
    const s2 = new gl.optim.ReduceLROnPlateau(opt, { mode: 'min' });
    s2.best = 0;
    s2.loadStateDict(state);
    expect(s2.best).toBe(Infinity);
  });
});

describe('schedule helpers and semantics', () => {
  it('linearWarmup without a follow-up ramps to the lr and stays there', () => {
    const opt = scheduleOptimizer('SGD');
    const s = gl.optim.linearWarmup(opt, 3);
    const lrs = [s.getLastLr()[0]];
    for (let k = 0; k < 5; k++) {
      s.step();
      lrs.push(s.getLastLr()[0]);
    }
    // startFactor 1/(3+1): lr * (t + 1) / 4 up to t = 3
    expect(lrs.map((v) => +v.toFixed(12))).toEqual([0.025, 0.05, 0.075, 0.1, 0.1, 0.1]);
  });

  it('constructing a scheduler records initialLr in the groups (like PyTorch initial_lr)', () => {
    const opt = scheduleOptimizer('SGD');
    new gl.optim.ExponentialLR(opt, 0.5).step();
    expect(opt.paramGroups.map((g) => [g.initialLr, g.lr])).toEqual([
      [0.1, 0.05],
      [0.01, 0.005],
    ]);
    expect(opt.stateDict().paramGroups[0].initialLr).toBe(0.1);
  });

  it('CosineAnnealingWarmRestarts accepts fractional epochs', () => {
    const opt = scheduleOptimizer('SGD');
    const s = new gl.optim.CosineAnnealingWarmRestarts(opt, 4);
    s.step(2.5);
    expect(s.getLastLr()[0]).toBeCloseTo(0.05 * (1 + Math.cos((Math.PI * 2.5) / 4)), 15);
    s.step(4.5); // restarted: t_cur = 0.5
    expect(s.getLastLr()[0]).toBeCloseTo(0.05 * (1 + Math.cos((Math.PI * 0.5) / 4)), 15);
    expect(() => s.step(-1)).toThrow(gl.ArgumentError);
  });

  it('LambdaLR takes one function per group and checks what it returns', () => {
    const opt = scheduleOptimizer('SGD');
    const s = new gl.optim.LambdaLR(opt, [(t) => t + 1, (t) => 2 ** t]);
    s.step();
    expect(s.getLastLr()).toEqual([0.2, 0.02]);
    expect(() => new gl.optim.LambdaLR(opt, [(t) => t])).toThrow(/expected 2 values/);
    expect(() => new gl.optim.LambdaLR(opt, () => NaN)).toThrow(/returned NaN/);
  });

  it('SequentialLR and ChainedScheduler reject schedulers of another optimizer', () => {
    const a = scheduleOptimizer('SGD');
    const b = scheduleOptimizer('SGD');
    const sa = new gl.optim.StepLR(a, 2);
    const sb = new gl.optim.StepLR(b, 2);
    expect(() => new gl.optim.SequentialLR(a, [sa, sb], [3])).toThrow(/different optimizer/);
    expect(() => new gl.optim.ChainedScheduler([sa, sb])).toThrow(/different optimizer/);
    expect(() => new gl.optim.SequentialLR(a, [sa], [3])).toThrow(/invalid milestones/);
  });
});
