// `gradlab train --rule`: a run trained by another learning rule, and the one-line errors for unknown rules and misfits.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { distFile } from '../helpers/dist.js';
import { withoutNativeNotice } from '../helpers/optional.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-cli-train-rule-');

function gradlab(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.GRADLAB_STORE;
  const r = spawnSync(process.execPath, [distFile('src/cli/main.js'), ...args], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: withoutNativeNotice(r.stderr) };
}

const TINY = ['--train-size', '256', '--batch-size', '64', '--epochs', '1'];

describe('gradlab train --rule', () => {
  it('trains with dfa and reports the rule and what its last step did', () => {
    const r = gradlab(['train', '--rule', 'dfa', ...TINY, '--json'], tempDir());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ rule: 'dfa', steps: 4, lastStep: { backwardCalls: 1, forwardPasses: 1 } });
    expect(typeof out.testAccuracy).toBe('number');
  });

  it('an unknown rule exits 2 with one line listing the rules', () => {
    const r = gradlab(['train', '--rule', 'hebb', ...TINY], tempDir());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const first = r.stderr.split('\n')[0];
    expect(first).toMatch(`unknown rule 'hebb' (expected one of ${gl.rules.RULE_NAMES.join(', ')})`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a model the rule cannot train, or a backprop-only option, is one line before training', () => {
    const cnn = gradlab(['train', '--rule', 'ff', '--model', 'cnn', ...TINY], tempDir());
    expect(cnn.code).toBe(2);
    expect(cnn.stderr.split('\n')[0]).toMatch(/model 'cnn': ff needs a gl.nn.Sequential of Linear layers/);
    const sched = gradlab(['train', '--rule', 'drtp', '--schedule', 'cosine', ...TINY], tempDir());
    expect(sched.code).toBe(2);
    expect(sched.stderr.split('\n')[0]).toMatch(/--schedule is for backprop/);
  });
});
