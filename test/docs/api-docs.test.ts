// The API reference: TypeDoc's validation (notExported, invalidLink, notDocumented) over the public entry points.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/dist.js';

/**
 * `npm run docs` writes the reference to dist/api from typedoc.json. Here TypeDoc runs with `--emit none`
 * and every warning it prints must be listed in BASELINE: the public exports and members that still lack
 * TSDoc (and internal types the public API refers to), the debt left when the check was introduced. A new
 * warning fails (document the new export), and so does a listed one that is gone (delete its line: the list
 * only shrinks). GRADLAB_API_BASELINE=shrink deletes the lines that are gone; =rewrite writes the list anew
 * (for a merge that renames files; review the diff: every added line is an undocumented export).
 */
const BASELINE = path.join(ROOT, 'test/docs/api-docs-baseline.txt');
const HEADER = [
  '# TypeDoc validation warnings accepted for now (see test/docs/api-docs.test.ts): each line is a public',
  '# export or member without TSDoc, or an internal type the public API refers to. Only delete lines.',
];

/** TypeDoc's warnings, one line each: colours, source positions and code excerpts removed. */
function warnings(output: string): string[] {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const out: string[] = [];
  for (const line of plain.split('\n')) {
    const m = line.match(/^(?:(\S+?):\d+:\d+ - )?\[(warning|error)\] (.*)$/);
    if (!m) continue;
    if (/^Found \d+ errors? and \d+ warnings?$/.test(m[3])) continue;
    out.push(`${m[2]}: ${m[1] ? m[1].replace(/^\.\//, '') + ': ' : ''}${m[3]}`);
  }
  return [...new Set(out)].sort();
}

function typedoc(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const bin = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const child = spawn(process.execPath, [bin, '--emit', 'none'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('API reference (TypeDoc)', () => {
  it(
    'has no warnings beyond the listed ones, and the list holds none that are gone',
    { timeout: 300_000 },
    async () => {
      const { code, output } = await typedoc();
      const now = warnings(output);
      expect(code, output.slice(-3000)).toBe(0);
      const listed = existsSync(BASELINE)
        ? readFileSync(BASELINE, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '' && !l.startsWith('#'))
        : [];
      const mode = process.env.GRADLAB_API_BASELINE;
      if (mode === 'rewrite' || mode === 'shrink') {
        const keep = mode === 'rewrite' ? now : listed.filter((l) => now.includes(l));
        writeFileSync(BASELINE, [...HEADER, ...keep].join('\n') + '\n');
        console.info(`api docs: ${mode}: ${BASELINE} now lists ${keep.length} warnings`);
        if (mode === 'rewrite') return;
      }
      const listedNow = mode === 'shrink' ? listed.filter((l) => now.includes(l)) : listed;
      const undocumented = now.filter((w) => w.includes('does not have any documentation')).length;
      console.info(
        `api docs: ${now.length} TypeDoc warnings, ${undocumented} of them undocumented exports or members`,
      );
      const fresh = now.filter((w) => !listedNow.includes(w));
      const gone = listedNow.filter((w) => !now.includes(w));
      expect(fresh, 'new TypeDoc warnings: document these exports (TSDoc) or fix the links').toEqual([]);
      expect(gone, `fixed: delete these lines from ${path.relative(ROOT, BASELINE)}`).toEqual([]);
    },
  );
});
