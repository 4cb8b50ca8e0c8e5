// The recipe registry and runner: list recipes, run one, judge its assertions, hand the result to sinks.
import { getBackend } from '../core/backend-registry.js';
import { ArgumentError } from '../core/errors.js';
import type {
  AssertionResult,
  Measurements,
  RecipeDef,
  RecipeResult,
  RecipeResultSink,
  RecipeRunOptions,
  Verdict,
} from './types.js';

const recipes = new Map<string, RecipeDef>();

/** Adds a recipe (names are unique). */
export function registerRecipe<M extends Measurements>(def: RecipeDef<M>): void {
  if (recipes.has(def.name)) throw new ArgumentError(`registerRecipe: a recipe named ${def.name} exists`);
  for (const a of def.assertions)
    if (!a.thresholdSource.trim())
      throw new ArgumentError(`registerRecipe: ${def.name}/${a.id} has no thresholdSource`);
  recipes.set(def.name, def as unknown as RecipeDef);
}

/** Name, paper and claim of every registered recipe. */
export function listRecipes(): {
  name: string;
  paper: string;
  claim: string;
  budgetSeconds: { full: number; quick: number };
}[] {
  return [...recipes.values()].map((r) => ({
    name: r.name,
    paper: r.paper,
    claim: r.claim.text,
    budgetSeconds: r.protocol.budgetSeconds,
  }));
}

/** The definition of a recipe. */
export function getRecipe(name: string): RecipeDef {
  const r = recipes.get(name);
  if (!r)
    throw new ArgumentError(
      `recipe: unknown recipe ${JSON.stringify(name)}; expected one of ${[...recipes.keys()].join(', ')}`,
    );
  return r;
}

/** Judges the assertions on a run's measurements; outcome assertions are not judged in quick runs. */
export function judge<M extends Measurements>(
  def: RecipeDef<M>,
  m: M,
  quick: boolean,
): { assertions: AssertionResult[]; verdict: Verdict } {
  const assertions = def.assertions.map((a) => {
    const value = a.measure(m);
    const checked = !quick || a.kind === 'mechanism';
    const ok = a.compare === '<=' ? value <= a.threshold : value >= a.threshold;
    return {
      id: a.id,
      description: a.description,
      kind: a.kind,
      value,
      compare: a.compare,
      threshold: a.threshold,
      thresholdSource: a.thresholdSource,
      checked,
      passed: checked && Number.isFinite(value) && ok,
    };
  });
  const judged = assertions.filter((a) => a.checked);
  const passed = judged.filter((a) => a.passed).length;
  const verdict: Verdict =
    passed === judged.length ? 'reproduced' : passed === 0 ? 'not reproduced' : 'partially reproduced';
  return { assertions, verdict };
}

/** Options of runRecipe. */
export interface RunRecipeOptions extends Partial<RecipeRunOptions> {
  /** Each finished result is saved to these. */
  sinks?: RecipeResultSink[];
}

/**
 * Runs a recipe and judges it.
 * @example
 * const r = await gl.recipes.runRecipe('checkpoint', { quick: true });
 * r.verdict; // 'reproduced' | 'partially reproduced' | 'not reproduced'
 */
export async function runRecipe(name: string, opts: RunRecipeOptions = {}): Promise<RecipeResult> {
  const def = getRecipe(name);
  const quick = opts.quick ?? false;
  const seeds = opts.seeds ?? (quick ? 1 : 2);
  if (!Number.isInteger(seeds) || seeds < 1)
    throw new ArgumentError(`runRecipe: seeds must be a positive integer, got ${seeds}`);
  const started = new Date();
  const t0 = performance.now();
  const m = await def.run({ quick, seeds, ...(opts.log ? { log: opts.log } : {}) });
  const durationSeconds = (performance.now() - t0) / 1000;
  const { assertions, verdict } = judge(def, m, quick);
  const result: RecipeResult = {
    recipe: def.name,
    paper: def.paper,
    claim: def.claim,
    protocol: def.protocol,
    options: { quick, seeds },
    startedAt: started.toISOString(),
    durationSeconds,
    environment: {
      backend: getBackend(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    measurements: m,
    assertions,
    verdict,
    summary: def.summarize(m),
    command: `gradlab recipe run ${def.name}${quick ? ' --quick' : ''}${opts.seeds ? ` --seeds ${seeds}` : ''}`,
  };
  for (const s of opts.sinks ?? []) await s.save(result);
  return result;
}

/** A sink keeping results in an array (tests, or collecting results for the report). */
export function arraySink(into: RecipeResult[] = []): RecipeResultSink & { results: RecipeResult[] } {
  return { results: into, save: (r) => void into.push(r) };
}
