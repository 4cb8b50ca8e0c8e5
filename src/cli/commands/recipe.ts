// `gradlab recipe list | run <name> | report`: paper reproductions, their verdicts, and REPRODUCTIONS.md.
import path from 'node:path';
import { getBackend } from '../../index.js'; // also registers the backends
import {
  RECIPES,
  RESULTS_DIR,
  fmt,
  fmtStats,
  getRecipe,
  listRecipes,
  paperLabel,
  paperOf,
  runRecipe,
  writeReport,
  writeResult,
} from '../../recipes/index.js';
import type { RecipeResult } from '../../recipes/index.js';
import { RunStore, resolveStorePath } from '../../store/index.js';
import type { JsonObject } from '../../store/index.js';
import { requestedBackend, useBackend } from '../backend.js';
import { defineCommand, defineGroup } from '../command.js';
import { UsageError } from '../errors.js';
import { formatDuration, table, truncate } from '../format.js';

/**
 * Side-by-side lines of a result: the claim and summary from the definition, each assertion judged. Numbers
 * are written as REPRODUCTIONS.md writes them (the report's `fmt`), the duration by `formatDuration`.
 */
export function formatRecipeResult(r: RecipeResult): string {
  const def = getRecipe(r.recipe);
  const rows = r.assertions.map((a) => [
    a.id,
    a.kind,
    a.values.map(fmt).join(', '),
    fmtStats(a),
    `${a.compare} ${fmt(a.threshold)}`,
    a.status,
  ]);
  const p = r.provenance;
  return [
    `${r.recipe}: ${r.verdict}${r.mode === 'quick' ? ' (quick run: mechanism assertions only)' : ''}`,
    `claim: ${def.claim.text} [${def.claim.source}]`,
    `ours: ${def.summarize({ perSeed: r.perSeed, details: r.details })}`,
    table(['ASSERTION', 'KIND', 'PER SEED', 'MEAN ± SD [95%]', 'THRESHOLD', 'STATUS'], rows).trimEnd(),
    `took ${formatDuration(p.wallSeconds * 1000)} on ${p.backend}, commit ${p.commit?.slice(0, 12) ?? 'unknown'}${p.dirty ? ' (dirty)' : ''}, data ${p.data.map((d) => d.name).join(', ') || 'generated'}; rerun: ${p.command}`,
  ].join('\n');
}

const listCommand = defineCommand({
  summary: 'list the paper reproductions',
  options: { json: { type: 'boolean', description: 'print the list as JSON' } },
  positionals: [],
  run({ options }, ctx) {
    const all = listRecipes();
    if (options.json) ctx.stdout.write(JSON.stringify(all, null, 2) + '\n');
    else
      ctx.stdout.write(
        table(
          ['NAME', 'PAPER', 'BUDGET (full / quick)', 'CLAIM'],
          all.map((r) => [
            r.name,
            truncate(paperLabel(paperOf(RECIPES[r.name as keyof typeof RECIPES].paper)), 28),
            `${r.budgetSeconds.full} s / ${r.budgetSeconds.quick} s`,
            truncate(r.claim, 60),
          ]),
        ),
      );
    return 0;
  },
});

const runCommand = defineCommand({
  summary:
    'run one reproduction, judge its assertions, record it in the run store (and with --save as a result file)',
  description:
    'Full runs use the protocol budget (minutes) and yield reproduced / partially reproduced / not reproduced; --quick is the tiny budget the tests use, which judges only the mechanism assertions (mechanism checked / fails). --save writes the result to <results>/<name>.<full|quick>.<backend>.json, the files `gradlab recipe report` reads.',
  options: {
    quick: { type: 'boolean', description: 'tiny budget: mechanism assertions only' },
    seeds: {
      type: 'number',
      integer: true,
      min: 1,
      valueName: 'n',
      description: "seeds 0..n-1 (default: the recipe's, 3 for full runs)",
    },
    data: {
      type: 'string',
      valueName: 'set',
      description: "force one data set of the recipe's policy (e.g. embedded)",
    },
    save: { type: 'boolean', description: `write the result file into --results (default ${RESULTS_DIR})` },
    results: {
      type: 'string',
      valueName: 'dir',
      default: RESULTS_DIR,
      description: 'folder of result files',
    },
    json: { type: 'boolean', description: 'print the result as JSON on stdout' },
  },
  positionals: [{ name: 'name', description: 'the recipe (see `gradlab recipe list`)' }],
  examples: [
    'gradlab recipe run checkpoint --quick',
    'gradlab recipe run checkpoint --backend native --seeds 3 --save',
  ],
  async run({ options, positionals, global }, ctx) {
    const known = listRecipes().map((r) => r.name);
    if (!known.includes(positionals.name))
      throw new UsageError(
        `unknown recipe '${positionals.name}'; expected one of: ${known.join(', ')}`,
        'gradlab recipe list',
      );
    const backend = requestedBackend(global, ctx, 'gradlab recipe run');
    if (backend !== undefined) await useBackend(backend);
    const store = RunStore.open(resolveStorePath(global.store, ctx.env, ctx.cwd));
    const runId = store.createRun({
      kind: 'recipe',
      name: positionals.name,
      config: {
        quick: options.quick ?? false,
        ...(options.seeds ? { seeds: options.seeds } : {}),
        ...(options.data ? { data: options.data } : {}),
      },
      env: { backend: getBackend() },
    });
    // A recipe computes synchronously and logs no metrics: a worker thread keeps its heartbeat
    // fresh, so a run killed part-way shows how long it ran (not 0 ms) and stays leased meanwhile.
    const stopKeepAlive = store.keepAlive(runId, 1000);
    try {
      const result = await runRecipe(positionals.name, {
        quick: options.quick ?? false,
        ...(options.seeds ? { seeds: options.seeds } : {}),
        ...(options.data ? { data: options.data } : {}),
        log: options.json
          ? (line: string) => ctx.stderr.write(line + '\n')
          : (line: string) => ctx.stdout.write(line + '\n'),
      });
      store.setResult(runId, result as unknown as JsonObject);
      store.finishRun(runId, 'completed');
      const saved = options.save ? writeResult(result, path.resolve(ctx.cwd, options.results)) : null;
      ctx.stdout.write(
        options.json
          ? JSON.stringify(result, null, 2) + '\n'
          : formatRecipeResult(result) + `\nrun ${runId}${saved ? `; saved ${saved}` : ''}\n`,
      );
      return 0;
    } catch (err) {
      store.finishRun(runId, 'failed', (err as Error).message);
      throw err;
    } finally {
      stopKeepAlive();
      store.close();
    }
  },
});

const reportCommand = defineCommand({
  summary: 'regenerate REPRODUCTIONS.md, its figures and the README block from the committed result files',
  description: `Reads only ${RESULTS_DIR}/*.json under --root (never the run store), so the report is the same on every clone. --check changes nothing and exits 1 when a generated file differs.`,
  options: {
    root: { type: 'string', valueName: 'dir', default: '.', description: 'the checkout to read and write' },
    check: { type: 'boolean', description: 'only check that the generated files are in step' },
  },
  positionals: [],
  run({ options }, ctx) {
    const root = path.resolve(ctx.cwd, options.root);
    const differ = writeReport(root, Object.values(RECIPES), { check: options.check ?? false });
    if (options.check) {
      if (differ.length === 0) {
        ctx.stdout.write('REPRODUCTIONS.md, figures and README block are in step with the result files\n');
        return 0;
      }
      ctx.stderr.write(
        `gradlab: out of step with the result files: ${differ.join(', ')} (run \`gradlab recipe report\`)\n`,
      );
      return 1;
    }
    ctx.stdout.write(differ.length ? `wrote ${differ.join(', ')}\n` : 'nothing changed\n');
    return 0;
  },
});

/** `gradlab recipe ...` */
export const recipeGroup = defineGroup({
  summary: 'paper reproductions: list, run (recorded in the run store, saved with --save), report',
  subcommands: { list: listCommand, run: runCommand, report: reportCommand },
  defaultSubcommand: 'list',
});
