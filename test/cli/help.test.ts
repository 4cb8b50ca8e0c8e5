// `gradlab help [command [subcommand]]` prints what `--help` prints; rotated-away checkpoints are not listed as present.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlab, TINY } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-help-');

describe('gradlab help', () => {
  it('help, help <command> and help <command> <subcommand> equal the --help outputs', () => {
    const dir = tempDir();
    for (const [viaHelp, viaFlag] of [
      [['help'], ['--help']],
      [
        ['help', 'train'],
        ['train', '--help'],
      ],
      [
        ['help', 'runs'],
        ['runs', '--help'],
      ],
      [
        ['help', 'runs', 'show'],
        ['runs', 'show', '--help'],
      ],
    ]) {
      const a = gradlab(viaHelp, dir);
      const b = gradlab(viaFlag, dir);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stdout.length).toBeGreaterThan(100);
    }
    expect(gradlab(['help'], dir).stdout).toContain("Run 'gradlab help <command>'");
    const unknown = gradlab(['help', 'trian'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'trian' (did you mean 'train'?)");
  });
});

describe('rotated checkpoints', () => {
  it('the store keeps records only of checkpoint files that still exist; runs show lists those', () => {
    const dir = tempDir();
    // 4 steps with a checkpoint at every step and at the epoch end; the trainer keeps the last 3 files
    const r = gradlab(['train', '--epochs', '1', ...TINY, '--checkpoint-every', '1', '--json'], dir);
    expect(r.code).toBe(0);
    const id = (JSON.parse(r.stdout) as { runId: string }).runId;
    const store = RunStore.open(`${dir}/.gradlab`, { readonly: true });
    const run = store.getRun(id);
    store.close();
    expect(run.checkpoints.map((c) => c.step)).toEqual([2, 3, 4]);
    for (const c of run.checkpoints) expect(existsSync(c.path)).toBe(true);
    const show = gradlab(['runs', 'show', id], dir);
    expect(show.stdout).toMatch(/checkpoints \(3\)\n\s+step 2 .*\n\s+step 3 .*\n\s+step 4 /);
    expect(show.stdout).not.toContain('step 1 ');
    expect(show.stdout).not.toContain('file deleted');
  });
});
