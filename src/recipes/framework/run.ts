// Running a recipe: seeds, the run itself, judging, and the provenance recorded around it.
import { getBackend } from '../../core/backend-registry.js';
import { ArgumentError } from '../../core/errors.js';
import { judgeAssertions, verdictOf } from './judge.js';
import { cpuInfo, gitState, gradlabVersion, loadAverage } from './provenance.js';
import type { RecipeDef, RecipeResult } from './types.js';

/** Options of runRecipe. */
export interface RunRecipeOptions {
  /** The tiny budget (mechanism assertions only; default false: the full run). */
  quick?: boolean;
  /** Number of seeds (0..n−1); default the recipe's `seeds.full` / `seeds.quick`. */
  seeds?: number;
  /** Force one data set of the recipe's image-data policy. */
  data?: string;
  /** Receives progress lines. */
  log?: (line: string) => void;
}

/**
 * Checks a definition: unique assertion ids, sourced thresholds, reasons for what is not built.
 * @example gl.recipes.checkRecipeDef(gl.recipes.getRecipe('checkpoint')); // throws ArgumentError on a malformed definition
 */
export function checkRecipeDef(def: RecipeDef): void {
  const ids = new Set<string>();
  for (const a of def.assertions) {
    if (ids.has(a.id)) throw new ArgumentError(`recipe ${def.name}: two assertions named ${a.id}`);
    ids.add(a.id);
    if (!a.thresholdSource.trim())
      throw new ArgumentError(`recipe ${def.name}: assertion ${a.id} has no thresholdSource`);
  }
  for (const c of def.checklist)
    if (!c.built && !c.reason.trim())
      throw new ArgumentError(
        `recipe ${def.name}: checklist item "${c.item}" is not built and gives no reason`,
      );
  for (const f of def.paperReported)
    if (f.ours !== undefined && !ids.has(f.ours))
      throw new ArgumentError(
        `recipe ${def.name}: paper figure "${f.quantity}" points to unknown assertion ${f.ours}`,
      );
}

/**
 * Runs a recipe definition, judges it and records provenance. Writes nothing: see `writeResult`.
 * @example
 * const r = await gl.recipes.runRecipeDef(gl.recipes.RECIPES.checkpoint, { quick: true });
 * r.verdict; // 'mechanism checked' | 'mechanism fails'
 */
export async function runRecipeDef(def: RecipeDef, opts: RunRecipeOptions = {}): Promise<RecipeResult> {
  checkRecipeDef(def);
  const quick = opts.quick ?? false;
  const n = opts.seeds ?? (quick ? def.seeds.quick : def.seeds.full);
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError(`runRecipe: seeds must be a positive integer, got ${n}`);
  const seeds = Array.from({ length: n }, (_, i) => i);
  const git = gitState();
  const before = loadAverage();
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const m = await def.run({
    quick,
    seeds,
    ...(opts.data ? { data: opts.data } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  for (const [k, v] of Object.entries(m.perSeed))
    if (v.length !== n)
      throw new ArgumentError(
        `recipe ${def.name}: metric ${k} has ${v.length} values, expected one per seed (${n})`,
      );
  const assertions = judgeAssertions(def.assertions, m.perSeed, quick);
  return {
    format: 'gradlab-recipe-result/2',
    recipe: def.name,
    mode: quick ? 'quick' : 'full',
    provenance: {
      ...git,
      gradlabVersion: gradlabVersion(),
      backend: getBackend(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpu: cpuInfo(),
      loadAverage: { before, after: loadAverage() },
      data: m.data,
      seeds,
      startedAt,
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      command:
        `GRADLAB_BACKEND=${getBackend()} gradlab recipe run ${def.name}${quick ? ' --quick' : ''}` +
        `${opts.seeds ? ` --seeds ${n}` : ''}${opts.data ? ` --data ${opts.data}` : ''}`,
    },
    perSeed: m.perSeed,
    details: m.details ?? {},
    assertions,
    verdict: verdictOf(assertions, def.checklist, quick),
  };
}
