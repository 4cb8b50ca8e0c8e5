// `gradlab recipe list | run | report` end to end: a quick run is judged, stored, and reported.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { distFile } from '../helpers/dist.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

function gradlab(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.GRADLAB_STORE;
  const r = spawnSync(process.execPath, [distFile('src/cli/main.js'), ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gradlab recipe', () => {
  it('lists the recipes with their papers and budgets', () => {
    const r = gradlab(['recipe', 'list', '--json'], tempDir());
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; paper: string }[];
    expect(list.map((x) => x.name).sort()).toEqual(['checkpoint', 'lst', 'mesa', 'sltt']);
    expect(list.every((x) => x.paper.length > 0)).toBe(true);
  });

  it('runs a quick recipe, records it in the store, and writes REPRODUCTIONS.md from it', () => {
    const dir = tempDir();
    const run = gradlab(['recipe', 'run', 'checkpoint', '--quick', '--json'], dir);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      recipe: string;
      verdict: string;
      assertions: { id: string; checked: boolean }[];
    };
    expect(result.recipe).toBe('checkpoint');
    expect(result.assertions.find((a) => a.id === 'memory')?.checked).toBe(true);

    const store = RunStore.open(path.join(dir, '.gradlab', 'runs.db'), { create: false });
    const [stored] = store.listRuns({ kind: 'recipe' });
    expect(stored.status).toBe('completed');
    expect((store.getRun(stored.id).results as { verdict: string }).verdict).toBe(result.verdict);
    store.close();

    const report = gradlab(['recipe', 'report', '--out', 'R.md'], dir);
    expect(report.code).toBe(0);
    const text = readFileSync(path.join(dir, 'R.md'), 'utf8');
    expect(text).toContain('`gradlab recipe run checkpoint --quick`');
    expect(text).toContain(result.verdict);
  });

  it('names the recipes when asked for an unknown one (exit 2, no stack trace)', () => {
    const dir = tempDir();
    const r = gradlab(['recipe', 'run', 'nope'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown recipe 'nope'; expected one of: .*checkpoint/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, '.gradlab'))).toBe(false);
  });

  it('report without a store explains what to run first', () => {
    const r = gradlab(['recipe', 'report'], tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no run store at .*gradlab recipe run/);
  });
});
