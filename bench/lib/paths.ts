// Locating the repository root (holding gradlab's package.json) from compiled or source bench files.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this file whose package.json is gradlab's. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'gradlab')
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find gradlab package.json above ' + import.meta.url);
    dir = up;
  }
}

/** The `version` field of an installed package, or null when it is not installed. */
export function installedVersion(pkg: string): string | null {
  const pj = join(repoRoot(), 'node_modules', pkg, 'package.json');
  return existsSync(pj) ? (JSON.parse(readFileSync(pj, 'utf8')) as { version: string }).version : null;
}

export const gradlabVersion = (): string =>
  (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
