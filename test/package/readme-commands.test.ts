// The README's first two command lines install every optional part the code asks for, and .ci/run runs exactly them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/dist.js';

/** The lines of README.md's first ```sh block. */
function readmeCommands(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(readme);
  return block ? block[1].trimEnd().split('\n') : [];
}

/** Every file under `dir` (relative to the root) whose name ends with one of `exts`. */
function files(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (exts.some((e) => name.endsWith(e))) out.push(p);
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

describe("the README's first commands", () => {
  it('are two lines: system packages, install and `npm start`; then `npm test`', () => {
    const lines = readmeCommands();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^apt-get update && apt-get install -y [a-z0-9 .+-]+ && npm ci && npm start$/);
    expect(lines[1]).toMatch(/^npm test(\s+#.*)?$/);
  });

  it('install every Debian package that gradlab and its tests tell users to install', () => {
    const installed = new Set(
      /apt-get install -y ([a-z0-9 .+-]+?) &&/.exec(readmeCommands()[0])![1].split(' '),
    );
    const sources = [
      ...files('src', ['.ts']),
      ...files('scripts', ['.mjs', '.ts', '.sh']),
      ...files('native', ['.cjs']),
      ...files('test/helpers', ['.ts']),
    ];
    const asked = new Map<string, string>();
    for (const f of sources)
      for (const m of readFileSync(f, 'utf8').matchAll(/apt-get install -y ([a-z0-9][a-z0-9 .+-]*)/g))
        for (const pkg of m[1].trim().split(/\s+/)) asked.set(pkg, path.relative(ROOT, f));
    expect(asked.size).toBeGreaterThan(0);
    for (const [pkg, where] of asked) expect(installed, `${pkg} (asked for in ${where})`).toContain(pkg);
  });

  it('are what .ci/run runs, and all it installs', () => {
    const script = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    expect(script).toContain('README.md');
    const code = script.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    expect(code.filter((l) => /\b(apt-get|npm)\b/.test(l))).toEqual([]);
  });
});
