// `gradlab recipe list | run <name> | report`: paper reproductions, their verdicts, and REPRODUCTIONS.md.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { getBackend } from '../../index.js'; // also registers the backends
import { listRecipes, runRecipe, writeReproductionsReport } from '../../recipes/index.js';
import type { RecipeResult } from '../../recipes/index.js';
import { RunStore, resolveStorePath } from '../../store/index.js';
import type { JsonObject } from '../../store/index.js';
import { requestedBackend, useBackend } from '../backend.js';
import { defineCommand, defineGroup } from '../command.js';
import { UsageError } from '../errors.js';
import { formatDuration, formatNumber, table, truncate } from '../format.js';

/** Side-by-side lines of a result: each assertion's value, threshold and whether it held. */
export function formatRecipeResult(r: RecipeResult): string {
  const rows = r.assertions.map((a) => [
    a.id,
    a.kind,
    formatNumber(a.value),
    `${a.compare} ${a.threshold}`,
    !a.checked ? 'not judged (quick)' : a.passed ? 'holds' : 'fails',
  ]);
  return [
    `${r.recipe}: ${r.verdict}${r.options.quick ? ' (quick run: mechanism assertions only)' : ''}`,
    `claim: ${r.claim.text} [${r.claim.source}]`,
    `ours: ${r.summary}`,
    table(['ASSERTION', 'KIND', 'MEASURED', 'THRESHOLD', 'VERDICT'], rows).trimEnd(),
    `took ${formatDuration(r.durationSeconds * 1000)} on ${r.environment.backend}; rerun: ${r.command}`,
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
            truncate(r.paper, 28),
            `${r.budgetSeconds.full} s / ${r.budgetSeconds.quick} s`,
            truncate(r.claim, 60),
          ]),
        ),
      );
    return 0;
  },
});

const runCommand = defineCommand({
  summary: 'run one reproduction, judge its assertions, and record it in the run store',
  description:
    'Full runs use the protocol budget (minutes); --quick is the tiny budget the tests use, which judges only the mechanism assertions (e.g. bytes fall).',
  options: {
    quick: { type: 'boolean', description: 'tiny budget: mechanism assertions only' },
    seeds: {
      type: 'number',
      integer: true,
      min: 1,
      valueName: 'n',
      description: 'paired seeds (default 2, quick 1)',
    },
    json: { type: 'boolean', description: 'print the result as JSON on stdout' },
  },
  positionals: [{ name: 'name', description: 'the recipe (see `gradlab recipe list`)' }],
  examples: ['gradlab recipe run checkpoint --quick', 'gradlab recipe run mesa --seeds 3 --json'],
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
      config: { quick: options.quick ?? false, ...(options.seeds ? { seeds: options.seeds } : {}) },
      env: { backend: getBackend() },
    });
    // A recipe computes synchronously and logs no metrics: a worker thread keeps its heartbeat
    // fresh, so a run killed part-way shows how long it ran (not 0 ms) and stays leased meanwhile.
    const stopKeepAlive = store.keepAlive(runId, 1000);
    try {
      const result = await runRecipe(positionals.name, {
        quick: options.quick ?? false,
        ...(options.seeds ? { seeds: options.seeds } : {}),
        log: (line: string) => {
          (options.json ? ctx.stderr : ctx.stdout).write(line + '\n');
        },
        sinks: [{ save: (r) => store.setResult(runId, r as unknown as JsonObject) }],
      });
      store.finishRun(runId, 'completed');
      ctx.stdout.write(
        options.json
          ? JSON.stringify(result, null, 2) + '\n'
          : formatRecipeResult(result) + `\nrun ${runId}\n`,
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

/** The newest completed result of each recipe in the store (full runs preferred over quick ones). */
function latestResults(store: RunStore): RecipeResult[] {
  const best = new Map<string, RecipeResult>();
  for (const summary of store.listRuns({ kind: 'recipe', status: 'completed', limit: 10_000 })) {
    const r = store.getRun(summary.id).results as unknown as RecipeResult | null;
    if (!r || typeof r !== 'object' || !r.recipe) continue;
    const have = best.get(r.recipe);
    if (!have || (have.options.quick && !r.options.quick)) best.set(r.recipe, r);
  }
  return [...best.values()].sort((a, b) => a.recipe.localeCompare(b.recipe));
}

const reportCommand = defineCommand({
  summary: 'write REPRODUCTIONS.md from the newest result of each recipe in the run store',
  options: {
    out: {
      type: 'string',
      valueName: 'file',
      default: 'REPRODUCTIONS.md',
      description: 'where to write the report',
    },
  },
  positionals: [],
  run({ options, global }, ctx) {
    const file = resolveStorePath(global.store, ctx.env, ctx.cwd);
    if (!existsSync(file)) {
      ctx.stderr.write(`gradlab: no run store at ${file}; run \`gradlab recipe run <name>\` first\n`);
      return 1;
    }
    const store = RunStore.open(file, { create: false });
    try {
      const results = latestResults(store);
      if (results.length === 0) {
        ctx.stderr.write(`gradlab: no completed recipe runs in ${file}\n`);
        return 1;
      }
      const out = path.resolve(ctx.cwd, options.out);
      writeReproductionsReport(results, out);
      ctx.stdout.write(`wrote ${out} (${results.map((r) => `${r.recipe}: ${r.verdict}`).join('; ')})\n`);
      return 0;
    } finally {
      store.close();
    }
  },
});

/** `gradlab recipe ...` */
export const recipeGroup = defineGroup({
  summary: 'paper reproductions: list, run (recorded in the run store), report',
  subcommands: { list: listCommand, run: runCommand, report: reportCommand },
  defaultSubcommand: 'list',
});
