// `gradlab compare`: the table end to end (one spawn of the build), --json's shape, the store's comparison group, --rerun, refusals.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { DEFAULT_COMPARE_RULES } from '../../src/cli/commands/compare.js';
import { bufferContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import { RunStore } from '../../src/store/index.js';
import { gradlab } from './spawn.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { withoutNativeNotice } from '../helpers/optional.js';

const tempDir = useTempDirs('gradlab-cli-compare-');

/** 128 training digits, one epoch, an MLP with one hidden layer of 16, on the js backend (bit-reproducible). */
const TINY = ['--model', 'mlp:16', '--train-size', '128', '--epochs', '1', '--backend', 'js'];

async function cli(args: string[], cwd: string) {
  const ctx = bufferContext({ cwd });
  const code = await runCli(['compare', ...args], ctx);
  return { code, stdout: ctx.out.text, stderr: ctx.err.text };
}

interface JsonRow {
  rule: string;
  testAccuracy: number;
  testAccuracySd: number;
  testAccuracyPerSeed: number[];
  peakSavedBytes: number;
  backwardCallsPerStep: number;
  forwardPasses: number;
  vsBp: { testAccuracy: number; peakSavedBytes: number | null } | null;
  perSeed: { seed: number; runId: string; testAccuracy: number; curve: { examples: number[] } }[];
}
interface JsonDoc {
  comparison: string;
  config: Record<string, unknown>;
  rerunOf?: string;
  rows: JsonRow[];
}

describe('gradlab compare', () => {
  it('prints the table and the curves, and names the default rules this build lacks (built CLI)', () => {
    const dir = tempDir();
    const r = gradlab(['compare', ...TINY, '--seeds', '1', '--store', 'st'], dir);
    expect(r.code, r.stderr).toBe(0);
    const missing = DEFAULT_COMPARE_RULES.filter((n) => !Object.hasOwn(gl.rules.RULES, n));
    const leftOut = withoutNativeNotice(r.stderr)
      .split('\n')
      .filter((l) => /left out/.test(l));
    expect(leftOut).toEqual(
      missing.length > 0 ? [expect.stringContaining(`left out: ${missing.join(', ')} (`)] : [],
    );
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^RULE\s+TEST ACC %\s+VS BP\s+TIME\/EPOCH\s+PEAK SAVED\s+BWD\/STEP/);
    const ran = DEFAULT_COMPARE_RULES.filter((n) => Object.hasOwn(gl.rules.RULES, n));
    expect(lines.slice(1, 1 + ran.length).map((l) => l.split(/\s+/)[0])).toEqual(ran);
    expect(lines.find((l) => l.startsWith('bp '))).toMatch(/^bp\s+\d+\.\d ± 0\.0\s+\S+ \(1×\)/);
    expect(r.stdout).toContain('test accuracy % (mean over 1 seed)');
    expect(r.stdout).toMatch(/comparison [a-z0-9]{8}: \d+ runs in st[/\\]runs\.db/);
  });

  it('--json: a row per rule with per-seed values; the arms are one comparison group in the store; --rerun repeats it', async () => {
    const dir = tempDir();
    const r = await cli([...TINY, '--rules', 'bp', '--seeds', '2', '--store', 'st', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(withoutNativeNotice(r.stderr)).toBe('');
    const doc = JSON.parse(r.stdout) as JsonDoc;
    expect(doc.rows.map((row) => row.rule)).toEqual(['bp']);
    const bp = doc.rows[0];
    expect(bp.testAccuracyPerSeed).toHaveLength(2);
    expect(bp.testAccuracy).toBeCloseTo((bp.testAccuracyPerSeed[0] + bp.testAccuracyPerSeed[1]) / 2, 12);
    expect(bp.backwardCallsPerStep).toBe(1);
    expect(bp.forwardPasses).toBe(2); // 128 examples in batches of 64
    expect(bp.peakSavedBytes).toBeGreaterThan(0);
    expect(bp.vsBp).toEqual({
      testAccuracy: 0,
      secondsPerEpoch: 1,
      peakSavedBytes: 1,
      backwardCallsPerStep: 1,
    });
    expect(bp.perSeed.map((s) => s.seed)).toEqual([0, 1]);
    expect(bp.perSeed.every((s) => s.curve.examples.at(-1) === 128)).toBe(true);

    const store = RunStore.open(path.join(dir, 'st'), { create: false });
    try {
      const g = store.getGroup(doc.comparison);
      expect(g.kind).toBe('comparison');
      expect(g.runIds).toEqual(bp.perSeed.map((s) => s.runId));
      for (const s of bp.perSeed) {
        const run = store.getRun(s.runId);
        expect([run.kind, run.status, run.results?.testAccuracy]).toEqual([
          'compare',
          'completed',
          s.testAccuracy,
        ]);
        expect(run.config).toMatchObject({ rule: 'bp', seed: s.seed, comparison: doc.comparison });
      }
    } finally {
      store.close();
    }
    const listCtx = bufferContext({ cwd: dir });
    expect(await runCli(['runs', '--group', doc.comparison, '--json', '--store', 'st'], listCtx)).toBe(0);
    const listed = JSON.parse(listCtx.out.text) as { id: string; groups: string[] }[];
    expect(listed.map((run) => run.id).sort()).toEqual(bp.perSeed.map((s) => s.runId).sort());
    expect(listed.every((run) => run.groups.includes(doc.comparison))).toBe(true);

    const again = await cli(['--rerun', doc.comparison, '--store', 'st', '--json'], dir);
    expect(again.code, again.stderr).toBe(0);
    const doc2 = JSON.parse(again.stdout) as JsonDoc;
    expect(doc2.comparison).not.toBe(doc.comparison);
    expect(doc2.rerunOf).toBe(doc.comparison);
    expect(doc2.config).toEqual(doc.config);
    // same seeds, same backend: the same accuracies
    expect(doc2.rows[0].testAccuracyPerSeed).toEqual(bp.testAccuracyPerSeed);
  });

  it('refuses, in one line and with exit 2 before training, a rule that cannot train the model, an unknown rule, a bad budget', async () => {
    const dir = tempDir();
    const cases: [string[], RegExp][] = [
      [
        ['--rules', 'bp', '--data', 'moons', '--model', '[{"type":"relu"}]'],
        /^gradlab compare: a rule cannot train model \[\{"type":"relu"\}\] on moons: bp: the model has no trainable parameters$/,
      ],
      [
        ['--rules', 'bp,nosuchrule'],
        /^gradlab compare: unknown rule 'nosuchrule' in --rules \(known rules: bp/,
      ],
      [
        ['--rules', 'bp', '--budget', 'steps'],
        /^gradlab compare: --budget must be samples, samples:<n>, epochs or seconds:<s>; got 'steps'$/,
      ],
      [['--rules', 'bp', '--budget', 'seconds'], /^gradlab compare: --budget seconds needs the seconds/],
      [
        ['--rules', 'bp', '--model', 'mlp:0'],
        /^gradlab compare: --model mlp:0: mlp widths are positive integers/,
      ],
      [
        ['--rerun', 'nosuchid', '--rules', 'bp'],
        /^gradlab compare: --rerun takes the comparison's settings from the store; drop --rules$/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--store', 'st'], dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, args.join(' ')).toHaveLength(2);
      expect(lines[0]).toMatch(message);
      expect(lines[1]).toBe("Run 'gradlab compare --help' for usage.");
    }
    // nothing trained, nothing recorded: the store was never created
    expect(existsSync(path.join(dir, 'st'))).toBe(false);
    const r = await cli(['--rerun', 'nosuchid', '--store', 'st'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no run store at/);
  });
});
