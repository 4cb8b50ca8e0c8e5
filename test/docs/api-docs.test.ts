// The API reference: TypeDoc's validation (notExported, invalidLink, notDocumented) over the public entry points.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/dist.js';

// `npm run docs` writes the reference to dist/api from typedoc.json. Here TypeDoc runs with `--emit none`
// and must print no warning: every public export and member has TSDoc, every type the public API refers
// to is exported (or listed in typedoc.json's `intentionallyNotExported`), and every link resolves.
// `--skipErrorChecking` leaves out TypeDoc's own type check of the whole program (about 40% of its CPU):
// `npm test` has just compiled the same tsconfig.json with tsc, which fails on any type error first.

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
    const child = spawn(process.execPath, [bin, '--emit', 'none', '--skipErrorChecking'], {
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
  it('documents every public export and member, with no TypeDoc warning', { timeout: 300_000 }, async () => {
    const { code, output } = await typedoc();
    expect(code, output.slice(-3000)).toBe(0);
    const now = warnings(output);
    const undocumented = now.filter((w) => w.includes('does not have any documentation')).length;
    console.info(
      `api docs: ${now.length} TypeDoc warnings, ${undocumented} of them undocumented exports or members`,
    );
    expect(now, 'TypeDoc warnings: document these exports and members (TSDoc) or fix the links').toEqual([]);
  });
});
