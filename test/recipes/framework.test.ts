// Recipe framework: registration checks, judging and verdicts, sinks, and the REPRODUCTIONS.md report.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const R = gl.recipes;

type M = { a: number; b: number };
const def: gl.recipes.RecipeDef<M> = {
  name: 'toy-test',
  paper: '00. Toy — a test paper',
  claim: { text: 'a is small | b is big', source: 'this test' },
  protocol: {
    data: 'none',
    model: 'none',
    procedure: 'returns a and b',
    scaled: 'nothing',
    budgetSeconds: { full: 0, quick: 0 },
  },
  run: ({ quick, seeds }) => ({ a: quick ? 1 : 3, b: seeds }),
  assertions: [
    {
      id: 'a',
      description: 'a ≤ 2',
      measure: (m) => m.a,
      compare: '<=',
      threshold: 2,
      thresholdSource: 'made up for the test',
      kind: 'mechanism',
    },
    {
      id: 'b',
      description: 'b ≥ 2',
      measure: (m) => m.b,
      compare: '>=',
      threshold: 2,
      thresholdSource: 'made up for the test',
      kind: 'outcome',
    },
  ],
  summarize: (m) => `a=${m.a} b=${m.b}`,
};
R.registerRecipe(def);

describe('recipes framework', () => {
  it('lists recipes with their claims, including the shipped ones', () => {
    const names = R.listRecipes().map((r) => r.name);
    expect(names).toContain('toy-test');
    expect(names).toContain('checkpoint');
    expect(R.listRecipes().find((r) => r.name === 'toy-test')!.claim).toBe('a is small | b is big');
  });

  it('refuses duplicate names, thresholds without a source, unknown recipes and bad seeds', async () => {
    expect(() => R.registerRecipe(def)).toThrow(gl.ArgumentError);
    const bad = { ...def, name: 'toy-bad', assertions: [{ ...def.assertions[0], thresholdSource: ' ' }] };
    expect(() => R.registerRecipe(bad)).toThrow(/no thresholdSource/);
    await expect(R.runRecipe('nope')).rejects.toThrow(/unknown recipe "nope"/);
    await expect(R.runRecipe('toy-test', { seeds: 0 })).rejects.toThrow(/positive integer/);
  });

  it('verdicts: all judged hold → reproduced, some → partially, none → not reproduced', () => {
    expect(R.judge(def, { a: 1, b: 5 }, false).verdict).toBe('reproduced');
    expect(R.judge(def, { a: 3, b: 5 }, false).verdict).toBe('partially reproduced');
    expect(R.judge(def, { a: 3, b: 1 }, false).verdict).toBe('not reproduced');
    expect(R.judge(def, { a: Number.NaN, b: 5 }, false).assertions[0].passed).toBe(false);
    // quick runs judge mechanism assertions only
    const q = R.judge(def, { a: 1, b: 0 }, true);
    expect(q.verdict).toBe('reproduced');
    expect(q.assertions[1]).toMatchObject({ checked: false, passed: false, value: 0 });
  });

  it('runRecipe returns a JSON-able result and hands it to every sink', async () => {
    const sink = R.arraySink();
    const saved: string[] = [];
    const r = await R.runRecipe('toy-test', {
      seeds: 2,
      sinks: [sink, { save: (x) => void saved.push(x.recipe) }],
    });
    expect(r.verdict).toBe('partially reproduced');
    expect(r.measurements).toEqual({ a: 3, b: 2 });
    expect(r.command).toBe('gradlab recipe run toy-test --seeds 2');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(sink.results).toEqual([r]);
    expect(saved).toEqual(['toy-test']);
  });

  it('writes REPRODUCTIONS.md: one row per paper with claim, result, verdict and command', async () => {
    const older = await R.runRecipe('toy-test', { quick: true });
    const newer = { ...(await R.runRecipe('toy-test', { seeds: 2 })), startedAt: '2999-01-01T00:00:00.000Z' };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gl-rep-')), 'REPRODUCTIONS.md');
    R.writeReproductionsReport([newer, older], file);
    const md = fs.readFileSync(file, 'utf8');
    const rows = md.split('\n').filter((l) => l.startsWith('| 00. Toy'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('a is small \\| b is big');
    expect(rows[0]).toContain('a=3 b=2');
    expect(rows[0]).toContain('partially reproduced');
    expect(rows[0]).toContain('`gradlab recipe run toy-test --seeds 2`');
    expect(md).toContain('| b ≥ 2 | 2 | >= 2 | holds | made up for the test |');
  });
});
