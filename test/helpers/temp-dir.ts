// Temporary directories for tests that write files, removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** Returns a function that makes a fresh temp dir; every dir it made is removed after each test. */
export function useTempDirs(prefix = 'gradlab-test-'): () => string {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(d);
    return d;
  };
}
