// Runs the gradlab CLI for the tests of test/cli, spawned (built) or in process (no $GRADLAB_STORE / $GRADLAB_BACKEND unless given).
import { spawnSync } from 'node:child_process';
import { bufferContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
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

/**
 * Runs the gradlab command line in this process (runCli with string streams, `cwd` and `env` over a
 * clean copy of the environment): for tests of what a command prints and returns, where the process
 * itself (startup, signals, stream handling of main.js) is not what is tested. Much faster than a spawn.
 */
export async function gradlabInProcess(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  const base = { ...process.env };
  delete base.GRADLAB_STORE;
  delete base.GRADLAB_BACKEND;
  const ctx = bufferContext({ cwd, env: { ...base, ...env } });
  const code = await runCli(args, ctx);
  return { code, stdout: ctx.out.text, stderr: ctx.err.text };
}
