// makeDirs: creates missing parents one level at a time, and fails (instead of hanging) where mkdir cannot work.
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/io/files.js';

const root = mkdtempSync(join(tmpdir(), 'gradlab-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirs', () => {
  it('creates every missing level', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDirs(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('accepts a folder that exists', () => {
    makeDirs(root);
    makeDirs(join(root, 'a', 'b'));
    expect(existsSync(join(root, 'a', 'b', 'c'))).toBe(true);
  });

  it('fails with the system error when a file is in the way', () => {
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeDirs(join(root, 'file'))).toThrow(/ENOTDIR/);
    expect(() => makeDirs(join(root, 'file', 'sub'))).toThrow(/ENOTDIR/);
  });

  it.skipIf(!existsSync('/proc/self'))('fails under /proc instead of looping', () => {
    expect(() => makeDirs('/proc/gradlab-test/sub')).toThrow(/ENOENT/);
  });
});
