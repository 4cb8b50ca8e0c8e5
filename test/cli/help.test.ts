// `gradlab help [command [subcommand]]` prints what `--help` prints; rotated-away checkpoints are not listed as present.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlab, gradlabInProcess, TINY } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-help-');

describe('gradlab help', () => {
  // in process (runCli): what is compared is the text the commands print, not the process
  it('help, help <command> and help <command> <subcommand> equal the --help outputs', async () => {
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
      const a = await gradlabInProcess(viaHelp, dir);
      const b = await gradlabInProcess(viaFlag, dir);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stdout.length).toBeGreaterThan(100);
    }
    expect((await gradlabInProcess(['help'], dir)).stdout).toContain("Run 'gradlab help <command>'");
    const unknown = await gradlabInProcess(['help', 'trian'], dir);
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
