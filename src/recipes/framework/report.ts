// REPRODUCTIONS.md from committed result files and the recipe definitions: one row per paper, one section
// per recipe (paper vs ours, protocol, checklist, provenance, per-seed assertions, figures).
import { ArgumentError } from '../../core/errors.js';
import { PAPERS, paperLabel, type Paper } from '../papers.js';
import { pickResults } from './results.js';
import type { AssertionDef, AssertionOutcome, RecipeDef, RecipeResult } from './types.js';

/** A result file of the first recipe framework (no commit, claim text inside): shown, never judged again. */
export interface LegacyResult {
  /** The recipe's name. */
  recipe: string;
  /** When it started (ISO 8601). */
  startedAt: string;
  /** Its wall time. */
  durationSeconds: number;
  /** Where it ran. */
  environment: {
    /** The backend. */
    backend: string;
  };
  /** How it ran. */
  options: {
    /** Number of seeds. */
    seeds: number;
  };
  /** Its verdict, as it was written. */
  verdict: string;
  /** Its one-line summary. */
  summary: string;
}

/** What the report is made from. */
export interface ReportInput {
  /** The recipe definitions, one section each. */
  recipes: readonly RecipeDef[];
  /** The result files read. */
  results: readonly RecipeResult[];
  /** Result files of the first framework, shown as they are. */
  legacy?: readonly LegacyResult[];
  /** Folder of the figures, relative to the report (default docs/recipes/figures). */
  figuresDir?: string;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * Numbers as the report prints them: 4 significant digits, exponent for the very small and large.
 * @example gl.recipes.fmt(0.123456); // '0.1235'
 */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(+v.toPrecision(4));
}

/**
 * `0.71 ± 0.01 [0.69, 0.73]` (sd with n ≥ 2, interval with n ≥ 3).
 * @example
 * declare const outcome: gl.recipes.AssertionOutcome;
 * gl.recipes.fmtStats(outcome); // e.g. '0.71 ± 0.01 [0.69, 0.73]'
 */
export function fmtStats(o: Pick<AssertionOutcome, 'stats'>): string {
  const s = o.stats;
  return (
    fmt(s.mean) +
    (s.sd !== null ? ` ± ${fmt(s.sd)}` : '') +
    (s.ci95 ? ` [${fmt(s.ci95[0])}, ${fmt(s.ci95[1])}]` : '')
  );
}

/** The text of a row's verdict cell. */
function rowVerdict(
  def: RecipeDef,
  main: RecipeResult | null,
  others: readonly RecipeResult[],
  legacy?: LegacyResult,
): string {
  const before = legacy
    ? `; previous full run ${legacy.startedAt.slice(0, 10)} (first framework, no commit recorded): ${legacy.verdict}, needs a rerun`
    : '';
  if (!main) return `full run pending (no result yet)${before}`;
  const fallback = main.provenance.data
    .filter((d) => d.fallbackFor)
    .map((d) => `; run on ${d.name} instead of ${d.fallbackFor} (thresholds not recalibrated)`)
    .join('');
  if (main.mode === 'quick') return `full run pending (quick run: ${main.verdict}${fallback})${before}`;
  const differs = others.filter((o) => o.verdict !== main.verdict);
  const statusDiffs = main.assertions
    .filter((a) => others.some((o) => o.assertions.find((b) => b.id === a.id)?.status !== a.status))
    .map(
      (a) =>
        `${a.id}: ${[main, ...others].map((r) => `${r.provenance.backend} ${r.assertions.find((b) => b.id === a.id)?.status ?? 'absent'}`).join(', ')}`,
    );
  const notBuilt = def.checklist.filter((c) => !c.built).length;
  return (
    main.verdict +
    fallback +
    (notBuilt ? ` (${notBuilt} checklist item${notBuilt > 1 ? 's' : ''} not built)` : '') +
    (differs.length
      ? `; verdict differs by backend: ${[main, ...differs].map((r) => `${r.provenance.backend} ${r.verdict}`).join(', ')}`
      : '') +
    (statusDiffs.length ? `; assertions differ by backend: ${statusDiffs.join('; ')}` : '')
  );
}

function figurePath(input: ReportInput, recipe: string, id: string): string {
  return `${input.figuresDir ?? 'docs/recipes/figures'}/${recipe}-${id}.svg`;
}

function assertionRows(defs: readonly AssertionDef[], r: RecipeResult): string[] {
  return r.assertions.map((o) => {
    const d = defs.find((a) => a.id === o.id);
    const changed =
      d && d.threshold !== o.threshold
        ? ` (the recipe now says ${d.compare} ${fmt(d.threshold)}: rerun)`
        : '';
    return `| ${cell(d?.description ?? `${o.id} (no longer in the recipe)`)} | ${o.kind} | ${o.values.map(fmt).join(', ')} | ${fmtStats(o)} | ${o.compare} ${fmt(o.threshold)}${changed} | ${o.status} | ${cell(d?.thresholdSource ?? '')} |`;
  });
}

function provenanceLines(r: RecipeResult): string[] {
  const p = r.provenance;
  const commit = p.commit
    ? `${p.commit.slice(0, 12)}${p.dirty ? ' (with uncommitted changes)' : ''}`
    : 'unknown';
  const data = p.data.length
    ? p.data
        .map(
          (d) =>
            `${d.name}${d.fallbackFor ? ` (fallback: the protocol's ${d.fallbackFor} is not installed; thresholds not recalibrated for it)` : ''}: ` +
            (d.files.length
              ? d.files.map((f) => `${f.path} sha256 ${f.sha256.slice(0, 12)}…`).join(', ')
              : 'generated'),
        )
        .join('; ')
    : 'generated inputs (no files read)';
  return [
    `- Run: ${r.mode}, ${p.startedAt}, ${p.wallSeconds} s, seeds ${p.seeds.join(', ')}; backend ${p.backend}; gradlab ${p.gradlabVersion}, commit ${commit}; node ${p.node}, ${p.platform}`,
    `- Machine: ${p.cpu.model}, ${p.cpu.cores} cores; load average (1/5/15 min) ${p.loadAverage.before.join('/')} before, ${p.loadAverage.after.join('/')} after`,
    `- Data: ${data}`,
    `- Rerun: \`${p.command}\``,
  ];
}

function section(def: RecipeDef, input: ReportInput): string[] {
  const { main, others } = pickResults(input.results, def.name);
  const paper = PAPERS.find((p) => p.id === def.paper)!;
  const out = [
    `<a id="recipe-${def.name}"></a>`,
    '',
    `## ${def.name}: ${paperLabel(paper)}`,
    '',
    `Claim: "${def.claim.text}" (${def.claim.source})`,
    '',
    `Verdict: ${rowVerdict(def, main, others, main?.mode === 'full' ? undefined : legacyOf(input, def))}`,
    '',
    '### Paper reported vs ours',
    '',
    '| quantity | paper | setting | ours (mean ± sd [95% interval]) | source |',
    '|---|---|---|---|---|',
    ...def.paperReported.map((f) => {
      const o = f.ours && main ? main.assertions.find((a) => a.id === f.ours) : undefined;
      const d = f.ours ? def.assertions.find((a) => a.id === f.ours) : undefined;
      const ours =
        o && d ? `${fmtStats(o)} — ${d.description} (${main!.mode} run)` : 'no counterpart measured';
      return `| ${cell(f.quantity)} | ${cell(f.unit ? `${f.value} ${f.unit}` : String(f.value))} | ${cell(f.setting)} | ${cell(ours)} | ${cell(f.source)} |`;
    }),
    '',
    '### Protocol',
    '',
    `- Data: ${def.protocol.data}`,
    `- Model: ${def.protocol.model}`,
    `- Procedure: ${def.protocol.procedure}`,
    `- Scaled: ${def.protocol.scaled}`,
    `- Budget on a 2-core CPU: full ≈ ${def.protocol.budgetSeconds.full} s, quick ≈ ${def.protocol.budgetSeconds.quick} s; seeds: full ${def.seeds.full}, quick ${def.seeds.quick}`,
    '',
    '### Checklist (../shared/papers/checklist.md)',
    '',
    ...def.checklist.map(
      (c) => `- ${c.built ? 'built' : 'not built'} — ${c.kind}: ${c.item}${c.built ? '' : ` — ${c.reason}`}`,
    ),
    '',
  ];
  if (!main) return [...out, 'No result committed yet.', ''];
  out.push(
    `### Result (${main.mode === 'quick' ? 'quick run: mechanism assertions only' : 'full run'})`,
    '',
    `Ours: ${def.summarize({ perSeed: main.perSeed, details: main.details })}`,
    '',
    ...provenanceLines(main),
    '',
    '| assertion | kind | per-seed values | mean ± sd [95% interval] | threshold | status | threshold source |',
    '|---|---|---|---|---|---|---|',
    ...assertionRows(def.assertions, main),
    '',
  );
  if (def.figures?.length) {
    out.push('### Figures', '');
    for (const f of def.figures) out.push(`![${f.title}](${figurePath(input, def.name, f.id)})`, '');
  }
  for (const o of others)
    out.push(
      `### Full run on ${o.provenance.backend}: ${o.verdict}`,
      '',
      ...provenanceLines(o),
      '',
      '| assertion | kind | per-seed values | mean ± sd [95% interval] | threshold | status | threshold source |',
      '|---|---|---|---|---|---|---|',
      ...assertionRows(def.assertions, o),
      '',
    );
  const legacy = legacyOf(input, def);
  if (legacy && main.mode !== 'full')
    out.push(
      '### Previous full run (first framework; needs a rerun)',
      '',
      `${legacy.startedAt}, ${legacy.environment.backend}, ${legacy.options.seeds} seeds, ${legacy.durationSeconds.toFixed(0)} s: ${legacy.verdict} — ${legacy.summary}. ` +
        `Recorded without a commit and without per-seed values for most measurements, so it is not judged by the rules above; ` +
        `kept as docs/recipes/legacy/${def.name}.json.`,
      '',
    );
  return out;
}

function legacyOf(input: ReportInput, def: RecipeDef): LegacyResult | undefined {
  return input.legacy?.find((l) => l.recipe === def.name);
}

function recipesOf(input: ReportInput, p: Paper): RecipeDef[] {
  return input.recipes.filter((r) => r.paper === p.id);
}

/**
 * The markdown of REPRODUCTIONS.md: a row for every paper of the list, a section per recipe.
 * @example const md = gl.recipes.reproductionsReport({ recipes: Object.values(gl.recipes.RECIPES), results: [] });
 */
export function reproductionsReport(input: ReportInput): string {
  const out: string[] = [
    '# Reproductions',
    '',
    '<!-- Generated by `gradlab recipe report` from docs/recipes/results/*.json and the recipe definitions in src/recipes; do not edit. -->',
    '',
    'One row per paper (the 46 papers and the base methods FF, DRTP and gradient checkpointing). Each recipe',
    "states the paper's claim and figures, runs its arms over seeds, and judges each assertion on a per-seed statistic:",
    'an assertion **holds** when its mean meets the threshold, is **uncertain** when its 95% t interval (3 or more',
    'seeds) contains the threshold, and **fails** otherwise. **Reproduced** needs every assertion to hold and every',
    "item of the paper's checklist to be built; **not reproduced** means none holds; otherwise **partially",
    "reproduced**. Quick runs (the tests' budget) judge only the mechanism assertions and yield **mechanism checked**",
    'or **mechanism fails**, never a reproduction verdict.',
    '',
    '| paper | recipe | verdict | our result | rerun |',
    '|---|---|---|---|---|',
  ];
  for (const p of PAPERS) {
    const defs = recipesOf(input, p);
    if (defs.length === 0) {
      out.push(`| ${cell(paperLabel(p))} | — | not yet implemented | | |`);
      continue;
    }
    for (const def of defs) {
      const { main, others } = pickResults(input.results, def.name);
      const summary = main
        ? `${main.mode === 'quick' ? 'quick run: ' : ''}${def.summarize({ perSeed: main.perSeed, details: main.details })}`
        : '';
      const legacy = main?.mode === 'full' ? undefined : legacyOf(input, def);
      out.push(
        `| ${cell(paperLabel(p))} | [${def.name}](#recipe-${def.name}) | ${cell(rowVerdict(def, main, others, legacy))} | ${cell(summary)} | \`gradlab recipe run ${def.name}\` |`,
      );
    }
  }
  out.push('');
  for (const p of PAPERS) for (const def of recipesOf(input, p)) out.push(...section(def, input));
  return out.join('\n');
}

/**
 * The README block (between `<!-- recipes:begin -->` and `<!-- recipes:end -->`): implemented rows only.
 * @example
 * declare const input: gl.recipes.ReportInput;
 * const block = gl.recipes.readmeRecipesBlock(input); // '<!-- recipes:begin -->\n| ... |\n<!-- recipes:end -->'
 */
export function readmeRecipesBlock(input: ReportInput): string {
  const rows = PAPERS.flatMap((p) =>
    recipesOf(input, p).map((def) => {
      const { main, others } = pickResults(input.results, def.name);
      const legacy = main?.mode === 'full' ? undefined : legacyOf(input, def);
      return `| ${cell(paperLabel(p))} | \`${def.name}\` | ${cell(rowVerdict(def, main, others, legacy))} |`;
    }),
  );
  return [
    '<!-- recipes:begin (generated by `gradlab recipe report`; do not edit) -->',
    '| paper | recipe | verdict |',
    '|---|---|---|',
    ...rows,
    '',
    `${PAPERS.length - new Set(input.recipes.map((r) => r.paper)).size} of the ${PAPERS.length} rows are not yet implemented; numbers, per-seed values and provenance are in [REPRODUCTIONS.md](REPRODUCTIONS.md).`,
    '<!-- recipes:end -->',
  ].join('\n');
}

/**
 * Replaces the recipes block of a README text (an error if the markers are missing).
 * @example
 * const readme = '# x\n<!-- recipes:begin -->\nold\n<!-- recipes:end -->\n';
 * gl.recipes.replaceReadmeBlock(readme, '<!-- recipes:begin -->\nnew\n<!-- recipes:end -->');
 */
export function replaceReadmeBlock(readme: string, block: string): string {
  const re = /<!-- recipes:begin[^>]*-->[\s\S]*?<!-- recipes:end -->/;
  if (!re.test(readme))
    throw new ArgumentError(
      'replaceReadmeBlock: the README has no <!-- recipes:begin --> … <!-- recipes:end --> block',
    );
  return readme.replace(re, block);
}
