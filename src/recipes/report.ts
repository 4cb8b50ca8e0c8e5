// REPRODUCTIONS.md: one row per paper (claim, our result, verdict, rerun command) and each run's details.
import * as fs from 'node:fs';
import type { AssertionResult, RecipeResult } from './types.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : v.toFixed(a < 1 ? 4 : 2);
}

function assertionLine(a: AssertionResult): string {
  const mark = !a.checked ? 'not judged (quick run)' : a.passed ? 'holds' : 'fails';
  return `| ${cell(a.description)} | ${fmt(a.value)} | ${a.compare} ${fmt(a.threshold)} | ${mark} | ${cell(a.thresholdSource)} |`;
}

/**
 * The markdown of REPRODUCTIONS.md for these results (the latest result per recipe is used).
 * @example const md = gl.recipes.reproductionsReport(results);
 */
export function reproductionsReport(results: readonly RecipeResult[]): string {
  const latest = new Map<string, RecipeResult>();
  for (const r of results) {
    const prev = latest.get(r.recipe);
    if (!prev || prev.startedAt <= r.startedAt) latest.set(r.recipe, r);
  }
  const rows = [...latest.values()];
  const out: string[] = [
    '# Reproductions',
    '',
    'One row per paper: the claim as quoted, what our small-scale run measured, the verdict, and the command that reruns it.',
    'Verdicts judge each assertion against a threshold whose source is given below; quick runs judge only the mechanism.',
    '',
    '| paper | claim | our result | verdict | rerun |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${cell(r.paper)} | "${cell(r.claim.text)}" (${cell(r.claim.source)}) | ${cell(r.summary)} | ${r.verdict}${r.options.quick ? ' (quick run)' : ''} | \`${r.command}\` |`,
    ),
    '',
  ];
  for (const r of rows) {
    out.push(
      `## ${r.recipe}: ${r.paper}`,
      '',
      `- Data: ${r.protocol.data}`,
      `- Model: ${r.protocol.model}`,
      `- Procedure: ${r.protocol.procedure}`,
      `- Scaled: ${r.protocol.scaled}`,
      `- Run: ${r.startedAt}, ${r.durationSeconds.toFixed(1)} s, ${r.options.seeds} seed(s)${r.options.quick ? ', quick' : ''}, backend ${r.environment.backend}, node ${r.environment.node}`,
      '',
      '| assertion | measured | threshold | result | threshold source |',
      '|---|---|---|---|---|',
      ...r.assertions.map(assertionLine),
      '',
    );
  }
  return out.join('\n');
}

/**
 * Writes REPRODUCTIONS.md (or `path`) from these results.
 * @example gl.recipes.writeReproductionsReport(results, 'REPRODUCTIONS.md');
 */
export function writeReproductionsReport(results: readonly RecipeResult[], path = 'REPRODUCTIONS.md'): void {
  fs.writeFileSync(path, reproductionsReport(results));
}
