// Regime adaptation: √-scaled lr and stretch equal their formulas; SampleCountLR keys its multiplier on samples seen.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

describe('regime adaptation', () => {
  it('regimeAdaptation gives (B/B_ref)^0.5 and ceil(B/B_ref)', () => {
    expect(gl.optim.regimeAdaptation(1024, 64)).toEqual({ lrScale: 4, stretch: 16 });
    expect(gl.optim.regimeAdaptation(100, 64)).toEqual({ lrScale: Math.sqrt(100 / 64), stretch: 2 });
    expect(gl.optim.regimeAdaptation(512, 64, { adapt: false, lrPower: 1 })).toEqual({
      lrScale: 8,
      stretch: 1,
    });
    expect(() => gl.optim.regimeAdaptation(0, 64)).toThrow(gl.ArgumentError);
  });

  it('SampleCountLR: lr = initial · lrScale · multiplier(samplesSeen / stretch)', () => {
    const p = gl.zeros([2]).requiresGrad_();
    const opt = new gl.optim.SGD([p], { lr: 0.1 });
    const m = gl.optim.milestoneMultiplier([1000, 3000], 0.1);
    const sched = new gl.optim.SampleCountLR(opt, { batchSize: 256, multiplier: m, stretch: 4, lrScale: 2 });
    const seen: number[] = [sched.getLastLr()[0]];
    for (let i = 0; i < 60; i++) {
      sched.step();
      seen.push(opt.paramGroups[0].lr);
    }
    seen.forEach((lr, i) => expect(lr).toBeCloseTo(0.1 * 2 * m((256 * i) / 4), 12));
    expect(seen[15]).toBeCloseTo(0.2, 12); // 3840 / 4 = 960 < 1000
    expect(seen[16]).toBeCloseTo(0.02, 12); // 4096 / 4 = 1024 ≥ 1000
    sched.step(100);
    expect(sched.samplesSeen).toBe(60 * 256 + 100);
    const state = sched.stateDict();
    expect(state.samplesSeen).toBe(60 * 256 + 100);
    expect(() => new gl.optim.SampleCountLR(opt, { batchSize: 0 })).toThrow(gl.ArgumentError);
  });
});
