// `gradlab recipe list | run | report` end to end: a quick run is judged, stored, saved as a result file, and
// the report is generated from result files only (and --check says when it is out of step).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as gl from '../../src/index.js';
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
    // the CLI lists exactly the typed RECIPES table
    expect(list.map((x) => x.name).sort()).toEqual(Object.keys(gl.recipes.RECIPES).sort());
    expect(list.map((x) => x.name)).toEqual(expect.arrayContaining(['checkpoint', 'ff', 'drtp', 'deep-ga']));
    expect(list.find((x) => x.name === 'checkpoint')!.paper).toBe('checkpointing');
  });

  it('runs a quick recipe, records it in the store, saves a result file, and reports from result files', () => {
    const dir = tempDir();
    const run = gradlab(
      ['recipe', 'run', 'checkpoint', '--quick', '--json', '--save', '--results', 'res'],
      dir,
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      recipe: string;
      verdict: string;
      assertions: { id: string; status: string }[];
      provenance: { backend: string };
    };
    expect(result.recipe).toBe('checkpoint');
    expect(result.verdict).toBe('mechanism checked');
    expect(result.assertions.find((a) => a.id === 'memory')?.status).toBe('holds');

    const store = RunStore.open(path.join(dir, '.gradlab', 'runs.db'), { create: false });
    const [stored] = store.listRuns({ kind: 'recipe' });
    expect(stored.status).toBe('completed');
    expect((store.getRun(stored.id).results as { verdict: string }).verdict).toBe(result.verdict);
    store.close();
    const file = `checkpoint.quick.${result.provenance.backend}.json`;
    expect(readdirSync(path.join(dir, 'res'))).toEqual([file]);

    // the report reads docs/recipes/results under --root, never the store
    const root = path.join(dir, 'checkout');
    mkdirSync(path.join(root, 'docs/recipes/results'), { recursive: true });
    writeFileSync(path.join(root, 'docs/recipes/results', file), readFileSync(path.join(dir, 'res', file)));
    writeFileSync(path.join(root, 'README.md'), 'intro\n<!-- recipes:begin -->\n<!-- recipes:end -->\n');
    expect(gradlab(['recipe', 'report', '--root', root, '--check'], dir).code).toBe(1);
    const report = gradlab(['recipe', 'report', '--root', root], dir);
    expect(report.code).toBe(0);
    const text = readFileSync(path.join(root, 'REPRODUCTIONS.md'), 'utf8');
    expect(text).toContain('full run pending (quick run: mechanism checked)');
    expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('| `checkpoint` | full run pending');
    expect(existsSync(path.join(root, 'docs/recipes/figures/checkpoint-peak-bytes.svg'))).toBe(true);
    const check = gradlab(['recipe', 'report', '--root', root, '--check'], dir);
    expect(check.code).toBe(0);
  });

  it('names the recipes when asked for an unknown one (exit 2, no stack trace)', () => {
    const dir = tempDir();
    const r = gradlab(['recipe', 'run', 'nope'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown recipe 'nope'; expected one of: .*checkpoint/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, '.gradlab'))).toBe(false);
  });
});
