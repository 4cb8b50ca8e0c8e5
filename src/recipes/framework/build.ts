// Regenerating (or checking) REPRODUCTIONS.md, its figures and the README block from committed result files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderFigureSvg } from './figures.js';
import { RESULTS_DIR, pickResults, readResults } from './results.js';
import { readmeRecipesBlock, replaceReadmeBlock, reproductionsReport, type LegacyResult } from './report.js';
import type { RecipeDef } from './types.js';

/** Where the generated files go, relative to the package root. */
export const REPORT_PATHS = {
  /** The report. */
  report: 'REPRODUCTIONS.md',
  /** The figures' folder. */
  figures: 'docs/recipes/figures',
  /** The README, whose recipe block is regenerated. */
  readme: 'README.md',
  /** The first framework's result files. */
  legacy: 'docs/recipes/legacy',
} as const;

/**
 * Every generated file (path relative to `root` → content), from the result files under `root` only.
 * @example
 * // doc-test: no-run: reads the recipe results of a gradlab checkout
 * const files = gl.recipes.generateReport('.', Object.values(gl.recipes.RECIPES)); // path → content
 */
export function generateReport(root: string, recipes: readonly RecipeDef[]): Map<string, string> {
  const results = readResults(path.join(root, RESULTS_DIR));
  const legacyDir = path.join(root, REPORT_PATHS.legacy);
  const legacy = fs.existsSync(legacyDir)
    ? fs
        .readdirSync(legacyDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(fs.readFileSync(path.join(legacyDir, f), 'utf8')) as LegacyResult)
    : [];
  const input = { recipes, results, legacy, figuresDir: REPORT_PATHS.figures };
  const files = new Map<string, string>();
  files.set(REPORT_PATHS.report, reproductionsReport(input));
  for (const def of recipes) {
    const { main } = pickResults(results, def.name);
    if (!main) continue;
    for (const f of def.figures ?? [])
      files.set(
        `${REPORT_PATHS.figures}/${def.name}-${f.id}.svg`,
        renderFigureSvg(f.make({ perSeed: main.perSeed, details: main.details }), f.title),
      );
  }
  const readmeFile = path.join(root, REPORT_PATHS.readme);
  if (fs.existsSync(readmeFile))
    files.set(
      REPORT_PATHS.readme,
      replaceReadmeBlock(fs.readFileSync(readmeFile, 'utf8'), readmeRecipesBlock(input)),
    );
  return files;
}

/**
 * Writes the generated files under `root`, or with `check` only lists those that differ from what is
 * there (the test and `gradlab recipe report --check` use it). Stale figures are listed/removed too.
 * @example const stale = writeReport('.', Object.values(gl.recipes.RECIPES), { check: true }); // [] when in step
 */
export function writeReport(
  root: string,
  recipes: readonly RecipeDef[],
  opts: { check?: boolean } = {},
): string[] {
  const files = generateReport(root, recipes);
  const differ: string[] = [];
  for (const [rel, text] of files) {
    const file = path.join(root, rel);
    const now = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (now === text) continue;
    differ.push(rel);
    if (!opts.check) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  const figDir = path.join(root, REPORT_PATHS.figures);
  if (fs.existsSync(figDir))
    for (const f of fs.readdirSync(figDir).sort()) {
      const rel = `${REPORT_PATHS.figures}/${f}`;
      if (f.endsWith('.svg') && !files.has(rel)) {
        differ.push(rel);
        if (!opts.check) fs.rmSync(path.join(figDir, f));
      }
    }
  return differ;
}
