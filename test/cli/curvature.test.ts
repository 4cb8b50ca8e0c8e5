// `gradlab curvature`: top eigenvalues of a trained run's model (Lanczos and power iteration agree), text and
// --json output, and the named errors of bad input. In process, on a 64-example run of the embedded digits (js).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-cli-curvature-');

/** A 64-8-10 tanh MLP (smooth, so power iteration and Lanczos converge to one λ). */
const SPEC = JSON.stringify({
  layers: [
    { type: 'flatten' },
    { type: 'linear', out: 8 },
    { type: 'tanh' },
    { type: 'linear', out: 'classes' },
  ],
});

async function cli(args: string[], cwd: string) {
  const ctx = bufferContext({ cwd });
  const code = await runCli(args, ctx);
  return { code, stdout: ctx.out.text, stderr: ctx.err.text };
}

describe('gradlab curvature', () => {
  let dir: string;
  let runId: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gradlab-cli-curvature-run-')); // shared by the tests below
    const r = await cli(
      [
        'train',
        '--model',
        SPEC,
        '--train-size',
        '64',
        '--batch-size',
        '32',
        '--epochs',
        '1',
        '--lr',
        '0.1',
        '--backend',
        'js',
        '--json',
      ],
      dir,
    );
    expect(r.stderr + r.code).toBe('0'); // no error message, exit 0
    runId = (JSON.parse(r.stdout) as { runId: string }).runId;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('Lanczos and power iteration give the same top eigenvalues; --json carries 2/lr', async () => {
    const common = [runId, '--k', '2', '--batches', '2', '--backend', 'js', '--json'];
    const lz = await cli(['curvature', ...common, '--iters', '60'], dir);
    expect(lz.code).toBe(0);
    const a = JSON.parse(lz.stdout) as {
      eigenvalues: number[];
      stabilityEdge: number;
      batches: number;
      batchSize: number;
      parameters: number;
    };
    expect(a).toMatchObject({
      batches: 2,
      batchSize: 32,
      parameters: 64 * 8 + 8 + 8 * 10 + 10,
      stabilityEdge: 20,
    });
    expect(a.eigenvalues).toHaveLength(2);
    expect(a.eigenvalues[0]).toBeGreaterThanOrEqual(a.eigenvalues[1]);
    const pw = await cli(['curvature', ...common, '--method', 'power', '--iters', '2000'], dir);
    expect(pw.code).toBe(0);
    const b = JSON.parse(pw.stdout) as { eigenvalues: number[] };
    // float32 model: the two methods agree to float32-level accuracy
    b.eigenvalues.forEach((v, i) =>
      expect(Math.abs(v - a.eigenvalues[i])).toBeLessThan(1e-3 * Math.abs(a.eigenvalues[0])),
    );
  });

  it('prints a table of the eigenvalues beside 2/lr', async () => {
    const r = await cli(['curvature', runId.slice(0, 5), '--backend', 'js'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^run ${runId} at step 2: top 1 Hessian eigenvalue \\(lanczos, 1 batch of 32, 610 parameters, \\d+ HVPs\\)`,
      ),
    );
    expect(r.stdout).toMatch(/λ1 = [\d.e+-]+\n {2}2\/lr = 20 \(lr 0.1\); λ1 \/ \(2\/lr\) = /);
  });

  it('names bad input', async () => {
    const missing = await cli(['curvature', 'zzzzzz', '--backend', 'js'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/gradlab curvature: no run 'zzzzzz'/);
    const big = await cli(['curvature', runId, '--batches', '3', '--backend', 'js'], dir);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/--batches 3 of 32 examples need 96, but the run's training set has 64/);
    const k0 = await cli(['curvature', runId, '--k', '0'], dir);
    expect(k0.code).toBe(2);
    const method = await cli(['curvature', runId, '--method', 'qr'], dir);
    expect(method.code).toBe(2);
    expect(method.stderr).toMatch(/lanczos, power/);
    const nostore = await cli(['curvature', 'abc'], tempDir());
    expect(nostore.code).toBe(2);
    expect(nostore.stderr).toMatch(/no run store at/);
  });
});
