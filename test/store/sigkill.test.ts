// Crash safety: a child process logging metrics is SIGKILLed mid-run; the store must stay readable,
// the run must be reported interrupted, and every batch the child committed must be there, whole.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { distFile } from '../helpers/dist.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** Steps per committed batch in the child: 2 metrics per step, flushEveryRows = 2 * BATCH. */
const BATCH = 5;

/**
 * The child: creates a run, logs {loss, acc} every ~1 ms forever and prints `committed <step>`
 * right after each batch commit. `exitAfter` > 0 makes it stop after that many steps without
 * finishRun or close (normal exit: the exit hook commits the last partial batch).
 */
function childScript(exitAfter: number): string {
  const storeUrl = pathToFileURL(distFile('src/store/index.js')).href;
  return `
    import { RunStore } from ${JSON.stringify(storeUrl)};
    const store = RunStore.open(process.argv[1], { flushEveryRows: ${2 * BATCH}, flushIntervalMs: 1e9 });
    const id = store.createRun({ kind: 'test', name: 'victim', config: { batch: ${BATCH} } });
    process.stdout.write('run ' + id + '\\n');
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    for (let step = 0; ${exitAfter > 0 ? `step < ${exitAfter}` : 'true'}; step++) {
      store.logMetrics(id, step, { loss: 1 / (step + 1), acc: step });
      if (store.pendingRows === 0) process.stdout.write('committed ' + step + '\\n');
      Atomics.wait(sleeper, 0, 0, 1);
    }
  `;
}

/** Runs the child; `onLine` may kill it. Resolves with its run id, committed steps and exit signal. */
function runChild(
  file: string,
  exitAfter: number,
  onLine: (line: string, kill: () => void) => void,
): Promise<{ runId: string; committed: number[]; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', childScript(exitAfter), file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let runId = '';
    const committed: number[] = [];
    let buf = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('run ')) runId = line.slice(4);
        if (line.startsWith('committed ')) committed.push(Number(line.slice(10)));
        onLine(line, () => child.kill('SIGKILL'));
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ runId, committed, signal, stderr });
    });
  });
}

describe('SIGKILL mid-run', () => {
  it('leaves a readable store, the run interrupted and every committed batch whole', async () => {
    const file = path.join(tempDir(), 'runs.db');
    let commits = 0;
    const { runId, committed, signal, stderr } = await runChild(file, 0, (line, kill) => {
      if (line.startsWith('committed ') && ++commits === 4) kill();
    });
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    expect(committed.length).toBeGreaterThanOrEqual(4);
    const lastReported = committed[committed.length - 1];

    const store = RunStore.open(file);
    const listed = store.listRuns();
    expect(listed.map((r) => [r.id, r.status])).toEqual([[runId, 'interrupted']]);
    const run = store.getRun(runId);
    const { loss, acc } = run.metrics;
    // Everything the child reported as committed is there; more batches may have committed
    // between its last report and the kill, but only whole ones: steps 0..n-1 with n a multiple
    // of the batch size, both metrics at every step.
    const n = loss.steps.length;
    expect(n - 1).toBeGreaterThanOrEqual(lastReported);
    expect(n % BATCH).toBe(0);
    expect(loss.steps).toEqual([...Array(n).keys()]);
    expect(acc.steps).toEqual(loss.steps);
    expect(acc.values).toEqual(loss.steps);
    expect(loss.values[n - 1]).toBe(1 / n);
    expect(run.finishedAt).toBe(run.heartbeatAt);
    store.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('a process that exits without finishRun: partial batch committed at exit, run interrupted', async () => {
    const file = path.join(tempDir(), 'runs.db');
    const steps = 2 * BATCH + 3;
    const { runId, signal, stderr } = await runChild(file, steps, () => {});
    expect(stderr).toBe('');
    expect(signal).toBeNull();
    const store = RunStore.open(file, { readonly: true });
    const run = store.getRun(runId);
    expect(run.status).toBe('interrupted');
    expect(run.metrics.loss.steps).toEqual([...Array(steps).keys()]);
    store.close();
  });
});
