// A recipe run SIGKILLed part-way is reported interrupted with the time it ran, not 0 ms (its heartbeat thread).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { distFile } from '../helpers/dist.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlab } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-recipe-kill-');

describe('recipe run killed with SIGKILL', () => {
  it('shows as interrupted with a duration up to its last heartbeat', async () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, GRADLAB_STORE: dir };
    delete env.GRADLAB_BACKEND;
    const child = spawn(process.execPath, [distFile('src/cli/main.js'), 'recipe', 'run', 'checkpoint'], {
      env,
      stdio: 'ignore',
    });
    // wait (polling the store, at most 60 s) until the run has a heartbeat later than its start
    let runId: string | null = null;
    for (let i = 0; i < 600 && runId === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const store = RunStore.open(dir, { readonly: true });
        const run = store.listRuns({ limit: 1 })[0];
        store.close();
        if (run !== undefined && run.heartbeatAt > run.startedAt) runId = run.id;
      } catch {
        // the store is not created yet
      }
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(runId).not.toBeNull();
    const store = RunStore.open(dir, { readonly: true });
    const run = store.getRun(runId!);
    store.close();
    expect(run.status).toBe('interrupted');
    expect(run.finishedAt! - run.startedAt).toBeGreaterThan(0);
    const list = gradlab(['runs'], dir, { GRADLAB_STORE: dir });
    expect(list.stdout).toMatch(
      new RegExp(`${runId}\\s+recipe\\s+checkpoint\\s+interrupted\\s+\\S+ \\S+\\s+(\\d+ms|[\\d.]+s)`),
    );
    expect(list.stdout).not.toMatch(new RegExp(`${runId}.*interrupted\\s+\\S+ \\S+\\s+0ms`));
  });
});
