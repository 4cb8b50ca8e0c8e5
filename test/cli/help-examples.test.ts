// Every example line of every command's --help runs and exits 0 (against a temp store, with tiny settings).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../../src/data/datasets.js';
import { distFile } from '../helpers/dist.js';

/**
 * How an example is run, stated here once (the test prints it too):
 * - ids: `k7m2xq` stands for a run id, `k7m` for a prefix of one; both become the id (or its first four
 *   characters) of a small training run the test makes first (`FIXTURE_ARGS`);
 * - paths: `/tmp/exp` becomes `<temp project>/exp`;
 * - time: `gradlab train` without `--resume` gets `--train-size 64 --epochs 1` appended (the last value of
 *   an option wins), `gradlab recipe run` gets `--quick` (the recipes' tiny budget), `gradlab compare`
 *   `--train-size 64 --epochs 1 --seeds 1`;
 * - data: `--data fashion-mnist` gets `--data-path <temp project>/fashion-mnist-head`, a copy of the first
 *   256 training and 256 test images and labels of the installed Fashion-MNIST (same IDX layout): the
 *   examples train on 64 images, and evaluating the whole 10,000-image test set cost most of this file's time;
 * - each line runs through /bin/sh (for `> file`) in a temp project directory, `gradlab` being the build.
 */
const EXAMPLE_ID = 'k7m2xq';
const EXAMPLE_PREFIX = 'k7m';
const FIXTURE_ARGS = ['train', '--train-size', '64', '--epochs', '1', '--val-split', '0.25'];
const TINY: { pattern: RegExp; append: string }[] = [
  { pattern: /^gradlab train(?!.*--resume)/, append: ' --train-size 64 --epochs 1' },
  { pattern: /^gradlab recipe run /, append: ' --quick' },
  { pattern: /^gradlab compare(?!.*--rerun)/, append: ' --train-size 64 --epochs 1 --seeds 1' },
];
const EXAMPLE_TIMEOUT_MS = 180_000;
/** Images (and labels) of each Fashion-MNIST split that the examples' data folder holds. */
const FASHION_HEAD = 256;
const FASHION_FILES = [
  { name: 'train-images-idx3-ubyte', header: 16, record: 28 * 28 },
  { name: 'train-labels-idx1-ubyte', header: 8, record: 1 },
  { name: 't10k-images-idx3-ubyte', header: 16, record: 28 * 28 },
  { name: 't10k-labels-idx1-ubyte', header: 8, record: 1 },
];

const main = distFile('src/cli/main.js');

function env(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  delete e.GRADLAB_STORE;
  return e;
}

/** `gradlab <args>` run synchronously (help texts only: they return at once). */
function helpOf(args: string[]): string {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env: env(), timeout: 30_000 });
  if (r.status !== 0) throw new Error(`gradlab ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The command paths listed under "Commands:" in `gradlab --help` ('train', 'runs show', ...). */
function commandPaths(): string[] {
  const text = helpOf(['--help']);
  const lines = text.split('\n');
  const from = lines.indexOf('Commands:');
  if (from < 0) throw new Error(`no 'Commands:' section in gradlab --help:\n${text}`);
  const paths: string[] = [];
  for (const l of lines.slice(from + 1)) {
    if (l.trim() === '') break;
    paths.push(l.trim().split(/\s{2,}/)[0]);
  }
  return paths;
}

/** The lines under "Examples:" of a help text. */
function examplesIn(text: string): string[] {
  const lines = text.split('\n');
  const from = lines.indexOf('Examples:');
  if (from < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(from + 1)) {
    if (l.trim() === '') break;
    out.push(l.trim());
  }
  return out;
}

const paths = commandPaths();
const examples = [...new Set(paths.flatMap((p) => examplesIn(helpOf([...p.split(' '), '--help']))))];

let project = '';
let bin = '';
let runId = '';
let fashionHead = '';

/** Writes the first FASHION_HEAD records of each installed Fashion-MNIST file (raw IDX, count patched). */
function writeFashionHead(dir: string): void {
  mkdirSync(dir);
  for (const f of FASHION_FILES) {
    const all = gunzipSync(readFileSync(path.join(FASHION_MNIST_DIR, f.name + '.gz')));
    const head = Buffer.from(all.subarray(0, f.header + FASHION_HEAD * f.record));
    if (all.readUInt32BE(4) < FASHION_HEAD) throw new Error(`${f.name}: fewer than ${FASHION_HEAD} records`);
    head.writeUInt32BE(FASHION_HEAD, 4); // the count of dimension 0
    writeFileSync(path.join(dir, f.name), head);
  }
}

beforeAll(() => {
  project = mkdtempSync(path.join(os.tmpdir(), 'gradlab-help-examples-'));
  bin = path.join(project, '.bin');
  mkdirSync(bin);
  const shim = path.join(bin, 'gradlab');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`);
  chmodSync(shim, 0o755);
  if (existsSync(path.join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'))) {
    fashionHead = path.join(project, 'fashion-mnist-head');
    writeFashionHead(fashionHead);
  }
  const r = spawnSync(process.execPath, [main, ...FIXTURE_ARGS, '--json'], {
    cwd: project,
    encoding: 'utf8',
    env: env(),
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`gradlab ${FIXTURE_ARGS.join(' ')} exited ${r.status}: ${r.stderr}`);
  runId = (JSON.parse(r.stdout) as { runId?: string }).runId ?? '';
  if (!/^[a-z0-9]{6}$/.test(runId)) throw new Error(`no run id in the fixture run's JSON: ${r.stdout}`);
  console.info(
    `help examples: '${EXAMPLE_ID}' -> ${runId}, '${EXAMPLE_PREFIX}' -> ${runId.slice(0, 4)} ` +
      `(gradlab ${FIXTURE_ARGS.join(' ')}); '/tmp/exp' -> ${project}/exp; ` +
      `--data fashion-mnist +' --data-path ${fashionHead}' (its first ${FASHION_HEAD} train and test images); ` +
      TINY.map((t) => `${t.pattern.source} +'${t.append}'`).join('; '),
  );
}, 150_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/** The example as run here: ids, paths and tiny settings substituted (see the header). */
function rewrite(example: string): string {
  let cmd = example
    .replace(new RegExp(`\\b${EXAMPLE_ID}\\b`, 'g'), runId)
    .replace(new RegExp(`\\b${EXAMPLE_PREFIX}\\b`, 'g'), runId.slice(0, 4))
    .replace(/(^|\s)\/tmp\/exp\b/g, `$1${project}/exp`);
  const appends = TINY.filter((t) => t.pattern.test(cmd)).map((t) => t.append);
  if (/--data fashion-mnist\b/.test(cmd)) appends.push(` --data-path ${fashionHead}`);
  for (const a of appends) cmd = cmd.replace(/(\s*[|>].*)?$/, (rest) => a + rest);
  return cmd;
}

/** Why an example cannot run here (an optional part is absent), or null. */
function missing(example: string): string | null {
  if (
    /--data fashion-mnist/.test(example) &&
    !existsSync(path.join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'))
  )
    return `Fashion-MNIST is not installed in ${FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`;
  return null;
}

function sh(cmd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', cmd], {
      cwd: project,
      env: { ...env(), PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), EXAMPLE_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the examples of every --help', () => {
  it('are found: every command is listed and most have examples', () => {
    expect(paths).toEqual(expect.arrayContaining(['train', 'runs show', 'recipe run']));
    expect(examples.length).toBeGreaterThanOrEqual(10);
    for (const e of examples) expect(e, 'an example starts with gradlab').toMatch(/^gradlab /);
  });

  for (const example of examples) {
    it(example, { timeout: EXAMPLE_TIMEOUT_MS + 10_000 }, async (ctx) => {
      const why = missing(example);
      if (why) {
        console.info(`help example '${example}' not run: ${why}`);
        ctx.skip();
        return;
      }
      const cmd = rewrite(example);
      const r = await sh(cmd);
      expect(r.code, `${cmd}\nexited ${r.code}\n${r.stderr}`).toBe(0);
    });
  }
});
