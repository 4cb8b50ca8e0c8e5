// Result files: one JSON per recipe, mode and backend in a results folder; reading them back, checked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileFormatError } from '../../core/errors.js';
import type { RecipeResult } from './types.js';

/** Where committed results live, relative to the package root. */
export const RESULTS_DIR = 'docs/recipes/results';

/**
 * `checkpoint.full.native.json`
 * @example
 * declare const result: gl.recipes.RecipeResult;
 * gl.recipes.resultFileName(result); // e.g. 'checkpoint.full.native.json'
 */
export function resultFileName(r: Pick<RecipeResult, 'recipe' | 'mode' | 'provenance'>): string {
  return `${r.recipe}.${r.mode}.${r.provenance.backend}.json`;
}

/**
 * Writes a result to `dir` (one file per recipe, mode and backend: a quick run never replaces a full one).
 * @example writeResult(result, 'docs/recipes/results'); // docs/recipes/results/mesa.quick.js.json
 */
export function writeResult(r: RecipeResult, dir = RESULTS_DIR): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, resultFileName(r));
  fs.writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  return file;
}

function isResult(x: unknown): x is RecipeResult {
  const r = x as RecipeResult;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.format === 'gradlab-recipe-result/2' &&
    typeof r.recipe === 'string' &&
    (r.mode === 'full' || r.mode === 'quick') &&
    typeof r.provenance === 'object' &&
    Array.isArray(r.assertions) &&
    typeof r.perSeed === 'object'
  );
}

/**
 * Every result file in `dir` (sorted by name); a file of another format is a FileFormatError.
 * @example gl.recipes.readResults('no-such-dir'); // []: a missing folder holds no results
 */
export function readResults(dir = RESULTS_DIR): RecipeResult[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const x: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!isResult(x))
        throw new FileFormatError(`${file}: not a recipe result (expected format 'gradlab-recipe-result/2')`);
      if (f !== resultFileName(x))
        throw new FileFormatError(`${file}: holds ${resultFileName(x)}, expected the file to be named so`);
      return x;
    });
}

/** The backend a recipe's protocol is measured on; its full result is the one a row shows. */
export const PROTOCOL_BACKEND = 'native';

/**
 * The result a row shows: the full run on the protocol backend, else another full run, else a quick run
 * (a quick result never stands in for an existing full one); and the other full runs (other backends).
 * @example const { main, others } = gl.recipes.pickResults(gl.recipes.readResults(), 'checkpoint'); // main: null without results
 */
export function pickResults(
  all: readonly RecipeResult[],
  recipe: string,
): {
  /** The result the row shows, or null when there is none. */
  main: RecipeResult | null;
  /** The other full runs (other backends). */
  others: RecipeResult[];
} {
  const mine = all.filter((r) => r.recipe === recipe);
  const full = mine.filter((r) => r.mode === 'full');
  const rank = (r: RecipeResult) => (r.provenance.backend === PROTOCOL_BACKEND ? 0 : 1);
  full.sort((a, b) => rank(a) - rank(b) || a.provenance.backend.localeCompare(b.provenance.backend));
  if (full.length > 0) return { main: full[0], others: full.slice(1) };
  const quick = mine.filter((r) => r.mode === 'quick').sort((a, b) => rank(a) - rank(b));
  return { main: quick[0] ?? null, others: [] };
}
