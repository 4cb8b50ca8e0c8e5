// End to end: the gradlab command line (in process; the built bin spawned once) on stores made in temp dirs; output and exit codes.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { distFile, ROOT } from '../helpers/dist.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlabInProcess, type CliResult } from './spawn.js';

const tempDir = useTempDirs();

type Result = CliResult;

/** Runs gradlab in this process (runCli) in `cwd` with no $GRADLAB_STORE unless `env` sets one. */
const gradlab = gradlabInProcess;

/** A project dir whose default store (.gradlab/runs.db) holds a finished and a failed run. */
function project(): { dir: string; done: string; failed: string } {
  const dir = tempDir();
  const store = RunStore.open(path.join(dir, '.gradlab', 'runs.db'));
  const done = store.createRun({
    kind: 'train',
    name: 'mlp-digits',
    config: { lr: 0.01, model: { hidden: [32] } },
  });
  for (let step = 0; step < 200; step++) {
    store.logMetrics(done, step, {
      loss: 2 * Math.exp(-step / 40) + 0.1,
      ...(step % 50 === 49 ? { valAcc: 0.5 + step / 500 } : {}),
    });
  }
  store.setResult(done, { testAcc: 0.9375 });
  store.finishRun(done, 'completed');
  const failed = store.createRun({ kind: 'recipe', name: 'broken', config: {} });
  store.finishRun(failed, 'failed', 'ShapeError: nope');
  store.close();
  return { dir, done, failed };
}

/** A user mistake: exit 2, the message and a hint line, no stack trace. */
function expectUsage(r: Result, message: string): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain(message);
  expect(lines[1]).toMatch(/^Run 'gradlab.* --help' for usage\.$/);
}

describe('gradlab (end to end)', () => {
  it('--version and --help', async () => {
    const dir = tempDir();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await gradlab(['--version'], dir)).toEqual({
      code: 0,
      stdout: `gradlab ${pkg.version}\n`,
      stderr: '',
    });
    const help = await gradlab(['--help'], dir);
    expect(help.code).toBe(0);
    for (const c of ['train', 'recipe', 'runs show', 'runs export', '--store'])
      expect(help.stdout).toContain(c);
    const showHelp = await gradlab(['runs', 'show', '--help'], dir);
    expect(showHelp.code).toBe(0);
    expect(showHelp.stdout).toContain('Usage: gradlab runs show [options] <id>');
    expect(showHelp.stdout).toContain('--log-y');
  });

  it('runs: lists runs of the default store, or says there are none', async () => {
    const empty = await gradlab(['runs'], tempDir());
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No runs yet');
    const { dir, done, failed } = project();
    const r = await gradlab(['runs'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['ID', 'KIND', 'NAME', 'STATUS', 'STARTED', 'DURATION', 'METRICS']);
    expect(lines[1]).toMatch(new RegExp(`^${failed}\\s+recipe\\s+broken\\s+failed\\s`));
    expect(lines[2]).toMatch(
      new RegExp(`^${done}\\s+train\\s+mlp-digits\\s+completed\\s.*testAcc 0\\.9375$`),
    );
    const json = JSON.parse((await gradlab(['runs', '--status', 'completed', '--json'], dir)).stdout) as {
      id: string;
    }[];
    expect(json.map((x) => x.id)).toEqual([done]);
  });

  it('runs show: config, environment, final metrics and a loss plot', async () => {
    const { dir, done } = project();
    const r = await gradlab(['runs', 'show', done.slice(0, 4)], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`run ${done}  train  "mlp-digits"`);
    expect(r.stdout).toMatch(/model\.hidden\s+\[32\]/);
    expect(r.stdout).toMatch(new RegExp(`node\\s+${process.version}`));
    expect(r.stdout).toMatch(/testAcc\s+0\.9375/);
    expect(r.stdout).toMatch(/valAcc\s+0\.898 at step 199/);
    const plot = r.stdout.slice(r.stdout.lastIndexOf('\nloss\n') + 1).split('\n');
    // The first of 60 columns holds steps 0 and 1: mean loss (2.1 + 2e^(-1/40) + 0.1) / 2 = 2.075.
    expect(plot[1]).toMatch(/^\s*2\.08 \|\*/);
    expect(plot.filter((l) => l.includes('|'))).toHaveLength(12);
    const missing = await gradlab(['runs', 'show', 'zzzzzz'], dir);
    // an id naming no run is a command-line mistake: exit 2, the message and a hint
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `gradlab runs show: RunNotFoundError: no run 'zzzzzz' in ${path.join(dir, '.gradlab', 'runs.db')} (gradlab runs lists them)\n` +
        "Run 'gradlab runs' to list the runs.\n",
    );
  });

  it('runs export: CSV to stdout, JSON to a file', async () => {
    const { dir, done } = project();
    const csv = await gradlab(['runs', 'export', done], dir);
    expect(csv.code).toBe(0);
    const rows = csv.stdout.trimEnd().split('\n');
    expect(rows[0]).toBe('step,loss,valAcc');
    expect(rows).toHaveLength(201);
    expect(rows[1]).toBe(`0,${2 * Math.exp(0) + 0.1},`);
    const out = await gradlab(['runs', 'export', done, '--out', 'run.json'], dir);
    expect(out).toEqual({ code: 0, stdout: `wrote run ${done} as json to run.json\n`, stderr: '' });
    const json = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    expect(json.metrics.loss.steps).toHaveLength(200);
    expect(json.results).toEqual({ testAcc: 0.9375 });
  });

  it('--store and $GRADLAB_STORE pick the store', async () => {
    const { dir, done } = project();
    const elsewhere = tempDir();
    const store = path.join(dir, '.gradlab');
    expect((await gradlab(['runs', '--store', store], elsewhere)).stdout).toContain(done);
    expect((await gradlab(['--store', store, 'runs'], elsewhere)).stdout).toContain(done);
    expect((await gradlab(['runs'], elsewhere, { GRADLAB_STORE: store })).stdout).toContain(done);
  });

  it('user mistakes: exit 2 with one line and a hint', async () => {
    const dir = tempDir();
    expectUsage(await gradlab(['runs', '--bogus'], dir), "gradlab runs: unknown option '--bogus'");
    expectUsage(await gradlab(['runs', 'show'], dir), 'gradlab runs show: missing argument <id>');
    expectUsage(
      await gradlab(['runs', '--limit', 'ten'], dir),
      "option '--limit' expects an integer, got 'ten'",
    );
    expectUsage(await gradlab(['runs', 'export', 'x', '--format', 'xml'], dir), 'must be one of csv, json');
    expectUsage(await gradlab(['runz'], dir), "unknown command 'runz' (did you mean 'runs'?)");
    expectUsage(
      await gradlab(['runs', 'shwo', 'x'], dir),
      "unknown subcommand 'shwo' (did you mean 'show'?)",
    );
  });

  it('a file that is not a run store: exit 1, one line naming the path and what was expected', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, '.gradlab'));
    const file = path.join(dir, '.gradlab', 'runs.db');
    writeFileSync(file, 'id,loss\n1,2\n');
    const r = await gradlab(['runs'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`gradlab runs: StoreError: run store ${file} is not an SQLite database`);
    expect(r.stderr).toContain('SQLite format 3');
  });

  it('package.json bin and the ./store entry point resolve to built files; the bin runs directly', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      exports: Record<string, { import: string }>;
    };
    const bin = path.join(ROOT, pkg.bin.gradlab);
    expect(bin).toBe(distFile('src/cli/main.js'));
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const direct = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect(direct.status).toBe(0);
    expect(direct.stdout).toMatch(/^gradlab \d+\.\d+\.\d+/);
    const entry = (await import(path.join(ROOT, pkg.exports['./store'].import))) as { RunStore: unknown };
    expect(typeof entry.RunStore).toBe('function');
  });

  it('recipe with no subcommand lists the recipes (train and recipe have their own test files)', async () => {
    const r = await gradlab(['recipe'], tempDir());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+PAPER/);
    expect(r.stdout).toContain('checkpoint');
  });
});
