// The exit-code table of docs/cli.md, code by code, against the built CLI; the table and EXIT agree.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/run.js';
import { RunStore } from '../../src/store/index.js';
import { ROOT } from '../helpers/dist.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlab, gradlabInProcess } from './spawn.js';
import type { CliResult } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-exit-');

/** One line on stderr (plus the hint line for exit 2), nothing on stdout, no stack trace. */
function expectExit(r: CliResult, code: number, message: string | RegExp): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(code === EXIT.usage ? 2 : 1);
  expect(lines[0]).toMatch(message);
}

// The first case of each code runs the built CLI (main.js turns runCli's code into the process's exit
// status), and so does the lease case (the lease is held by this process, so it must be another one);
// the others run in process (runCli, same code and output, without a gradlab start-up each).
describe('exit codes (docs/cli.md, "Errors and exit codes")', () => {
  it('the documented table lists exactly the codes of EXIT', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Errors and exit codes'));
    const codes = [...section.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(Object.values(EXIT));
  });

  it('0: success, help and version', async () => {
    const dir = tempDir();
    expect(gradlab(['--version'], dir).code).toBe(0);
    for (const args of [['help'], ['runs'], ['help', 'train']])
      expect((await gradlabInProcess(args, dir)).code).toBe(0);
  });

  it('1: missing or corrupt data, an unwritable folder, an unusable store, a run driven elsewhere', async () => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    expectExit(
      gradlab(['train', '--data', 'mnist', '--data-path', empty], dir),
      1,
      /FileError: mnist: .* not found/,
    );
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    for (const f of [
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ])
      writeFileSync(path.join(bad, f), 'not idx');
    expectExit(
      await gradlabInProcess(['train', '--data', 'mnist', '--data-path', bad], dir),
      1,
      /FileFormatError/,
    );
    writeFileSync(path.join(dir, 'file'), '');
    expectExit(
      await gradlabInProcess(['train', '--checkpoint-dir', 'file/sub'], dir),
      1,
      /cannot write checkpoints to .*ENOTDIR/,
    );
    mkdirSync(path.join(dir, 'st'));
    writeFileSync(path.join(dir, 'st', 'runs.db'), 'id,loss\n');
    expectExit(
      await gradlabInProcess(['runs', '--store', 'st'], dir),
      1,
      /StoreError: run store .* is not an SQLite database/,
    );
    const store = RunStore.open(path.join(dir, 'st2'));
    const id = store.createRun({ kind: 'train', config: {} }); // this live process holds its lease
    const ck = path.join(dir, 'ck.safetensors');
    writeFileSync(ck, '');
    store.addCheckpoint(id, 1, ck);
    expectExit(
      gradlab(['train', '--resume', id, '--store', 'st2'], dir),
      1,
      /RunLeaseError: run .* is being driven/,
    );
    store.close();
  });

  it('2: the command line is wrong, including values naming files or runs that do not exist', async () => {
    const dir = tempDir();
    expectExit(gradlab(['runs', '--limt', '3'], dir), 2, "unknown option '--limt'");
    expectExit(await gradlabInProcess(['train', '--lr', '1e-3x'], dir), 2, /--lr/);
    expectExit(
      await gradlabInProcess(['train', '--model', 'nets/mine.json'], dir),
      2,
      /--model file .* does not exist/,
    );
    expectExit(
      await gradlabInProcess(['train', '--resume', 'ck/step-1.safetensors'], dir),
      2,
      /no such checkpoint file or folder/,
    );
    expectExit(await gradlabInProcess(['recipe', 'run', 'nope'], dir), 2, /unknown recipe 'nope'/);
    RunStore.open(path.join(dir, 'st')).close();
    expectExit(
      await gradlabInProcess(['runs', 'show', 'zzzzzz', '--store', 'st'], dir),
      2,
      /RunNotFoundError: no run 'zzzzzz'/,
    );
  });

  // 70 (a bug: the stack is printed) is tested in run.test.ts with a command that throws a TypeError;
  // 130 (Ctrl-C / SIGTERM after saving a checkpoint) in train.test.ts, which interrupts a spawned run.
});
