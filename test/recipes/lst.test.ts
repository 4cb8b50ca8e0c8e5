// Recipe `lst` in its quick budget: runs end to end; LST keeps less than full fine-tuning and LoRA.
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

type ArmResult = { acc: number[]; trainingBytes: number; trainableParams: number };

describe('recipe lst (quick)', () => {
  it('runs all four arms and its memory mechanism holds', async () => {
    const r = await gl.recipes.runRecipe('lst', { quick: true });
    const arms = (r.measurements as { arms: Record<string, ArmResult> }).arms;
    expect(Object.keys(arms)).toEqual(['full', 'lora', 'lst', 'probe']);
    for (const a of Object.values(arms)) expect(a.acc).toHaveLength(1);
    expect(arms.lst.trainingBytes).toBeLessThanOrEqual(0.5 * arms.full.trainingBytes);
    expect(arms.lst.trainingBytes).toBeLessThanOrEqual(0.6 * arms.lora.trainingBytes);
    expect(arms.probe.trainingBytes).toBeLessThan(arms.lst.trainingBytes);
    expect(arms.lora.trainableParams).toBeLessThan(arms.full.trainableParams / 10);
    const mechanism = r.assertions.filter((a) => a.kind === 'mechanism');
    expect(mechanism.length).toBeGreaterThan(0);
    expect(mechanism.every((a) => a.passed)).toBe(true);
  });
});
