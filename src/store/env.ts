// The environment recorded with each run: Node, OS, CPU, gradlab version and git commit.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEnv } from './types.js';

let cachedRoot: string | null | undefined;

/** The directory holding gradlab's own package.json (found from this file upwards), or null. */
export function packageRoot(): string | null {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  cachedRoot = null;
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'gradlab') {
          cachedRoot = dir;
          break;
        }
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return cachedRoot;
}

/**
 * gradlab's version from its package.json ("0.0.0-unknown" if it cannot be found).
 *
 * @example
 * gradlabVersion(); // '0.1.0'
 */
export function gradlabVersion(): string {
  const root = packageRoot();
  if (root === null) return '0.0.0-unknown';
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0-unknown';
}

/** The git commit of gradlab's checkout when it runs from one, else undefined (no git, no repo). */
export function gitCommit(dir: string | null = packageRoot()): string | undefined {
  if (dir === null || !existsSync(path.join(dir, '.git'))) return undefined;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    });
    const sha = out.trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The standard environment fields of a run, with `extra` merged over them.
 *
 * @example
 * collectEnv({ backend: 'js' }); // { node: 'v20.20.2', platform: 'linux', ..., backend: 'js' }
 */
export function collectEnv(extra: Partial<RunEnv> = {}): RunEnv {
  const cpus = os.cpus();
  const env: RunEnv = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    hostname: os.hostname(),
    gradlab: gradlabVersion(),
  };
  const commit = gitCommit();
  if (commit !== undefined) env.gitCommit = commit;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
