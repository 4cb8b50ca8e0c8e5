// Spawns the built gradlab CLI for the end-to-end tests of test/cli (no $GRADLAB_STORE / $GRADLAB_BACKEND unless given).
import { spawnSync } from 'node:child_process';
import { distFile } from '../helpers/dist.js';

/** Exit code and output of one gradlab run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli/main.js ...args` in `cwd` with `env` over a clean copy of the environment. */
export function gradlab(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  timeout = 120_000,
): CliResult {
  const base = { ...process.env };
  delete base.GRADLAB_STORE;
  delete base.GRADLAB_BACKEND;
  const r = spawnSync(process.execPath, [distFile('src/cli/main.js'), ...args], {
    cwd,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 256 training digits, 4 batches of 64 per epoch. */
export const TINY = ['--train-size', '256', '--batch-size', '64'];
