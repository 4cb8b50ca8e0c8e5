// The one rule for verdicts: an assertion holds when its mean meets the threshold, is uncertain when its
// 95% interval crosses the threshold; "reproduced" needs every assertion held and every checklist item built.
import { describe } from './stats.js';
import type {
  AssertionDef,
  AssertionOutcome,
  AssertionStatus,
  ChecklistItem,
  PerSeed,
  RunVerdict,
} from './types.js';

/**
 * Judges one assertion on per-seed values: 'uncertain' when the 95% t interval (n ≥ 3) contains the
 * threshold, else 'holds' when the mean meets it, else 'fails'. Non-finite values fail.
 * @example judgeValues([0.9, 0.8, 0.85], '>=', 0.5); // 'holds'
 */
export function judgeValues(
  values: readonly number[],
  compare: '<=' | '>=',
  threshold: number,
): AssertionStatus {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return 'fails';
  const s = describe(values);
  if (s.ci95 && s.ci95[0] <= threshold && threshold <= s.ci95[1]) return 'uncertain';
  return (compare === '<=' ? s.mean <= threshold : s.mean >= threshold) ? 'holds' : 'fails';
}

/**
 * Judges every assertion; in quick runs outcome assertions are 'not judged'.
 * @example
 * declare const def: gl.recipes.RecipeDef;
 * declare const perSeed: gl.recipes.PerSeed; // what the recipe's seeds measured
 * const outcomes = gl.recipes.judgeAssertions(def.assertions, perSeed, false);
 */
export function judgeAssertions(
  assertions: readonly AssertionDef[],
  perSeed: PerSeed,
  quick: boolean,
): AssertionOutcome[] {
  return assertions.map((a) => {
    const values = a.values(perSeed);
    const finite = values.length > 0 && values.every(Number.isFinite);
    return {
      id: a.id,
      kind: a.kind,
      compare: a.compare,
      threshold: a.threshold,
      values,
      stats: finite ? describe(values) : { n: values.length, mean: Number.NaN, sd: null, ci95: null },
      status: quick && a.kind === 'outcome' ? 'not judged' : judgeValues(values, a.compare, a.threshold),
    };
  });
}

/**
 * The verdict of a run. Quick: 'mechanism checked' when every mechanism assertion holds, else
 * 'mechanism fails' (a quick run never yields 'reproduced'). Full: 'reproduced' when every assertion
 * holds and every checklist item is built; 'not reproduced' when none holds; else 'partially reproduced'.
 * @example
 * declare const def: gl.recipes.RecipeDef;
 * declare const outcomes: gl.recipes.AssertionOutcome[];
 * gl.recipes.verdictOf(outcomes, def.checklist, false); // 'reproduced', 'partially reproduced', ...
 */
export function verdictOf(
  outcomes: readonly AssertionOutcome[],
  checklist: readonly ChecklistItem[],
  quick: boolean,
): RunVerdict {
  if (quick)
    return outcomes.filter((o) => o.kind === 'mechanism').every((o) => o.status === 'holds')
      ? 'mechanism checked'
      : 'mechanism fails';
  const held = outcomes.filter((o) => o.status === 'holds').length;
  if (held === outcomes.length && outcomes.length > 0 && checklist.every((c) => c.built)) return 'reproduced';
  return held === 0 ? 'not reproduced' : 'partially reproduced';
}
