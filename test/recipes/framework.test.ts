// Recipe framework: statistics, the uncertainty rule and verdicts, the paired-seed runner, the interleaved
// timer, definitions checked, provenance, result files (a quick run never replaces a full one) and the report.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';

const R = gl.recipes;

/** A toy recipe: per seed, a = 1 + seed/10 (mechanism) and b = `b` (outcome). */
function toy(b: (seed: number) => number, extra: Partial<gl.recipes.RecipeDef> = {}): gl.recipes.RecipeDef {
  return {
    name: 'toy',
    paper: '46',
    claim: { text: 'a is small | b is big', source: 'this test' },
    paperReported: [{ quantity: 'b', value: 3, unit: 'units', setting: 'toy', source: 'made up', ours: 'b' }],
    protocol: {
      data: 'none',
      model: 'none',
      procedure: 'returns a and b',
      scaled: 'nothing',
      budgetSeconds: { full: 0, quick: 0 },
    },
    checklist: [{ kind: 'arm', item: 'the toy arm', built: true }],
    seeds: { full: 3, quick: 1 },
    run: async ({ seeds }) => ({
      perSeed: await R.forEachSeed(seeds, (s) => ({ a: 1 + s / 10, b: b(s) })),
      details: { note: 'x' },
      data: [],
    }),
    assertions: [
      {
        id: 'a',
        description: 'a ≤ 2',
        kind: 'mechanism',
        values: (m) => m.a,
        compare: '<=',
        threshold: 2,
        thresholdSource: 'made up for the test',
      },
      {
        id: 'b',
        description: 'b ≥ 2',
        kind: 'outcome',
        values: (m) => m.b,
        compare: '>=',
        threshold: 2,
        thresholdSource: 'made up for the test',
      },
    ],
    summarize: (m) => `a=${m.perSeed.a.join('/')} b=${m.perSeed.b.join('/')}`,
    ...extra,
  };
}

describe('statistics', () => {
  it('mean, sample sd and a 95% t interval (t₀.₉₇₅ with 2 df = 4.303, standard table)', () => {
    const s = R.sampleStats([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.sd).toBe(1);
    expect(s.ci95![0]).toBeCloseTo(2 - 4.303 / Math.sqrt(3), 12);
    expect(s.ci95![1]).toBeCloseTo(2 + 4.303 / Math.sqrt(3), 12);
    expect(R.sampleStats([1, 2])).toMatchObject({ n: 2, sd: Math.SQRT1_2, ci95: null });
    expect(R.sampleStats([5])).toEqual({ n: 1, mean: 5, sd: null, ci95: null });
    expect(() => R.sampleStats([])).toThrow(gl.ArgumentError);
    expect(R.t975(200)).toBe(1.96);
  });

  it('paired differences need the same seeds', () => {
    expect(R.paired([3, 5], [1, 1])).toEqual([2, 4]);
    expect(R.paired([4, 6], [2, 3], (a, b) => a / b)).toEqual([2, 2]);
    expect(() => R.paired([1, 2], [1])).toThrow(/same seeds/);
  });
});

describe('the uncertainty rule and verdicts', () => {
  it('holds when the mean meets the threshold, uncertain when the interval crosses it, fails otherwise', () => {
    expect(R.judgeValues([3, 3.1, 2.9], '>=', 2)).toBe('holds');
    expect(R.judgeValues([1, 1.1, 0.9], '>=', 2)).toBe('fails');
    expect(R.judgeValues([1, 3, 2.5], '>=', 2)).toBe('uncertain'); // mean 2.17, interval crosses 2
    expect(R.judgeValues([1, 3], '>=', 2)).toBe('holds'); // two seeds: no interval, the mean decides
    expect(R.judgeValues([Number.NaN, 3, 3], '>=', 2)).toBe('fails');
  });

  it('full runs: reproduced needs every assertion held and every checklist item built; quick runs never reproduce', () => {
    const o = (status: gl.recipes.AssertionStatus, kind: gl.recipes.AssertionKind = 'outcome') =>
      ({
        id: 'x',
        kind,
        compare: '>=',
        threshold: 0,
        values: [],
        stats: { n: 0, mean: 0, sd: null, ci95: null },
        status,
      }) as gl.recipes.AssertionOutcome;
    const built: gl.recipes.ChecklistItem[] = [{ kind: 'arm', item: 'a', built: true }];
    const missing: gl.recipes.ChecklistItem[] = [
      ...built,
      { kind: 'arm', item: 'b', built: false, reason: 'later' },
    ];
    expect(R.verdictOf([o('holds'), o('holds')], built, false)).toBe('reproduced');
    expect(R.verdictOf([o('holds'), o('holds')], missing, false)).toBe('partially reproduced');
    expect(R.verdictOf([o('holds'), o('uncertain')], built, false)).toBe('partially reproduced');
    expect(R.verdictOf([o('fails'), o('uncertain')], built, false)).toBe('not reproduced');
    expect(R.verdictOf([o('holds', 'mechanism'), o('not judged')], built, true)).toBe('mechanism checked');
    expect(R.verdictOf([o('fails', 'mechanism'), o('not judged')], built, true)).toBe('mechanism fails');
  });
});

describe('runner and timer', () => {
  it('forEachSeed collects one value per seed and refuses a seed with other metrics', async () => {
    expect(await R.forEachSeed([0, 1, 2], (s) => ({ x: s * 2, y: 1 }))).toEqual({
      x: [0, 2, 4],
      y: [1, 1, 1],
    });
    await expect(
      R.forEachSeed([0, 1], (s): Record<string, number> => (s === 0 ? { x: 1 } : { y: 1 })),
    ).rejects.toThrow(/expected \[x\]/);
  });

  it('interleavedTimes alternates the order (ABBA) and keeps one time per repetition', () => {
    const order: string[] = [];
    const t = R.interleavedTimes(
      { a: () => order.push('a'), b: () => order.push('b') },
      { reps: 4, warmup: 1 },
    );
    expect(order).toEqual(['a', 'b', 'a', 'b', 'b', 'a', 'a', 'b', 'b', 'a']);
    expect(t.ms.a).toHaveLength(4);
    const spread = R.ratioSpread({ reps: 3, ms: { a: [2, 4, 9], b: [1, 2, 3] } }, 'a', 'b');
    expect(spread).toMatchObject({ ratios: [2, 2, 3], median: 2, min: 2, max: 3 });
    expect(() => R.interleavedTimes({ a: () => 0 }, { reps: 0 })).toThrow(gl.ArgumentError);
  });
});

describe('runs', () => {
  it('a full run keeps per-seed values, judges them, and records provenance (no claim text)', async () => {
    const r = await R.runRecipe(toy((s) => [3, 3.1, 2.9][s]));
    expect(r.verdict).toBe('reproduced');
    expect(r.perSeed).toEqual({ a: [1, 1.1, 1.2], b: [3, 3.1, 2.9] });
    expect(r.assertions[1]).toMatchObject({ id: 'b', status: 'holds', values: [3, 3.1, 2.9] });
    expect(r.assertions[1].stats.ci95).not.toBeNull();
    const p = r.provenance;
    expect(p.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof p.dirty).toBe('boolean');
    expect(p.gradlabVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(p.cpu.cores).toBeGreaterThan(0);
    expect(p.loadAverage.before).toHaveLength(3);
    expect(p.seeds).toEqual([0, 1, 2]);
    expect(p.command).toBe(`GRADLAB_BACKEND=${gl.getBackend()} gradlab recipe run toy`);
    expect(JSON.stringify(r)).not.toContain('a is small');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('a quick run judges only mechanism assertions and never reproduces', async () => {
    const r = await R.runRecipe(
      toy(() => 0),
      { quick: true },
    );
    expect(r.verdict).toBe('mechanism checked');
    expect(r.assertions[1].status).toBe('not judged');
  });

  it('refuses unknown recipes, bad seeds, unsourced thresholds and unbuilt items without a reason', async () => {
    await expect(R.runRecipe('nope')).rejects.toThrow(/unknown recipe "nope"/);
    await expect(
      R.runRecipe(
        toy(() => 1),
        { seeds: 0 },
      ),
    ).rejects.toThrow(/positive integer/);
    const t = toy(() => 1);
    expect(() =>
      R.checkRecipeDef({ ...t, assertions: [{ ...t.assertions[0], thresholdSource: ' ' }] }),
    ).toThrow(/no thresholdSource/);
    expect(() =>
      R.checkRecipeDef({ ...t, checklist: [{ kind: 'arm', item: 'x', built: false, reason: '' }] }),
    ).toThrow(/gives no reason/);
    expect(() => R.checkRecipeDef({ ...t, assertions: [t.assertions[0]] })).toThrow(/unknown assertion b/);
  });

  it('the shipped table is keyed by each recipe name and every recipe definition is well-formed', () => {
    for (const [k, def] of Object.entries(R.RECIPES)) {
      expect(def.name).toBe(k);
      R.checkRecipeDef(def);
    }
  });
});

describe('result files and the report', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gl-res-'));

  it('a quick result never replaces a full one; the protocol backend is preferred; other backends are noted', async () => {
    const full = await R.runRecipe(toy((s) => [3, 3.1, 2.9][s]));
    const quick = await R.runRecipe(
      toy(() => 0),
      { quick: true },
    );
    const d = dir();
    R.writeResult({ ...full, provenance: { ...full.provenance, backend: 'native' } }, d);
    R.writeResult({ ...quick, provenance: { ...quick.provenance, backend: 'native' } }, d);
    const other = {
      ...full,
      verdict: 'partially reproduced' as const,
      provenance: { ...full.provenance, backend: 'js' },
    };
    R.writeResult(other, d);
    const all = R.readResults(d);
    expect(all.map(R.resultFileName)).toEqual([
      'toy.full.js.json',
      'toy.full.native.json',
      'toy.quick.native.json',
    ]);
    const { main, others } = R.pickResults(all, 'toy');
    expect(main!.mode).toBe('full');
    expect(main!.provenance.backend).toBe('native');
    expect(others.map((o) => o.provenance.backend)).toEqual(['js']);
    const md = R.reproductionsReport({ recipes: [toy(() => 3)], results: all });
    expect(md).toContain('verdict differs by backend: native reproduced, js partially reproduced');
    const slower = {
      ...full,
      assertions: full.assertions.map((a) => (a.id === 'b' ? { ...a, status: 'uncertain' as const } : a)),
      provenance: { ...full.provenance, backend: 'js' },
    };
    const md2 = R.reproductionsReport({ recipes: [toy(() => 3)], results: [full, slower] });
    expect(md2).toContain(`assertions differ by backend: b: ${full.provenance.backend} holds, js uncertain`);
    fs.writeFileSync(path.join(d, 'bad.json'), '{"recipe":"x"}');
    expect(() => R.readResults(d)).toThrow(gl.FileFormatError);
  });

  it('has a row for every paper and base method; claim, checklist, per-seed values and paper figures are shown', async () => {
    const full = await R.runRecipe(toy((s) => [3, 3.1, 2.9][s]));
    const def = toy(() => 3, {
      checklist: [{ kind: 'control', item: 'a control', built: false, reason: 'too slow here' }],
    });
    const md = R.reproductionsReport({ recipes: [def], results: [full] });
    const rows = md.split('\n').filter((l) => /^\| (\d\d|FF|DRTP|Gradient checkpointing)\. /.test(l));
    expect(rows).toHaveLength(49);
    expect(rows.filter((l) => l.includes('| not yet implemented |'))).toHaveLength(48);
    expect(md).toContain('| 46. Evaluating Adversarial Robustness');
    expect(md).toContain('"a is small | b is big" (this test)');
    expect(md).toContain('not built — control: a control — too slow here');
    expect(md).toContain('| b ≥ 2 | outcome | 3, 3.1, 2.9 | 3 ± 0.1 [');
    expect(md).toContain('| b | 3 units | toy | 3 ± 0.1 [');
    expect(md).toContain('(1 checklist item not built)');
    expect(md).not.toContain('reproduced (quick');
  });

  it('renders figures as SVG with ECharts, byte-identical on every render', () => {
    const spec: gl.recipes.FigureSpec = {
      type: 'bar',
      xLabel: 'arm',
      yLabel: 'acc',
      x: ['a', 'b'],
      series: [
        {
          name: 'mean',
          y: [1, 2],
          perSeed: [
            [0.9, 1.1],
            [2, 2],
          ],
        },
      ],
    };
    const a = R.renderFigureSvg(spec, 't');
    expect(a.startsWith('<svg')).toBe(true);
    expect(R.renderFigureSvg(spec, 't')).toBe(a);
  });

  it('replaces only the README block between its markers', () => {
    const text = 'intro\n<!-- recipes:begin -->\nold\n<!-- recipes:end -->\nrest';
    expect(R.replaceReadmeBlock(text, '<!-- recipes:begin -->\nnew\n<!-- recipes:end -->')).toBe(
      'intro\n<!-- recipes:begin -->\nnew\n<!-- recipes:end -->\nrest',
    );
    expect(() => R.replaceReadmeBlock('no block', 'x')).toThrow(gl.ArgumentError);
  });
});
