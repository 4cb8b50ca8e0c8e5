// Paths into the compiled dist/ tree for tests that spawn node on built files (npm test builds first).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of a built file, e.g. distFile('src/cli/main.js'); throws if the build is missing. */
export function distFile(rel: string): string {
  const file = path.join(ROOT, 'dist', rel);
  if (!existsSync(file)) throw new Error(`${file} is missing: run 'npm run build' first (npm test does)`);
  return file;
}
