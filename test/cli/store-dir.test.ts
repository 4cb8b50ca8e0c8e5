// A store is a directory: --store / $GRADLAB_STORE on a new path create it with runs.db and checkpoints/ inside.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlab, gradlabInProcess, TINY } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-store-');

function checkStoreDir(parent: string, name: string, runId: string): void {
  const dir = path.join(parent, name);
  expect(statSync(dir).isDirectory()).toBe(true);
  expect(statSync(path.join(dir, 'runs.db')).isFile()).toBe(true);
  expect(readdirSync(path.join(dir, 'checkpoints', runId)).some((f) => f.endsWith('.safetensors'))).toBe(
    true,
  );
  expect(existsSync(path.join(parent, 'checkpoints'))).toBe(false); // not beside the store
  const store = RunStore.open(dir, { readonly: true });
  expect(store.getRun(runId).status).toBe('completed');
  store.close();
}

describe('the store is a directory', () => {
  it('--store <new path> creates the directory with runs.db and checkpoints/ inside', () => {
    const parent = tempDir();
    const r = gradlab(
      ['train', '--epochs', '1', ...TINY, '--json', '--store', path.join(parent, 'exp')],
      parent,
    );
    expect(r.code).toBe(0);
    checkStoreDir(parent, 'exp', (JSON.parse(r.stdout) as { runId: string }).runId);
  });

  it('$GRADLAB_STORE the same (relative to the working directory)', () => {
    const parent = tempDir();
    const r = gradlab(['train', '--epochs', '1', ...TINY, '--json'], parent, { GRADLAB_STORE: 'exp2' });
    expect(r.code).toBe(0);
    checkStoreDir(parent, 'exp2', (JSON.parse(r.stdout) as { runId: string }).runId);
  });

  // in process (runCli): the refusal comes before any work; what is checked is its code and message
  it('a store path that is an existing file: exit 1, one line naming it', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'exp'), 'not a folder');
    for (const [args, env, from] of [
      [['runs', '--store', 'exp'], {}, '--store'],
      [['train', '--epochs', '1'], { GRADLAB_STORE: 'exp' }, '$GRADLAB_STORE'],
    ] as const) {
      const r = await gradlabInProcess([...args], dir, env);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(
        `StoreError: run store ${path.join(dir, 'exp')} (from ${from}) is a file; a run store is a directory`,
      );
    }
  });
});
