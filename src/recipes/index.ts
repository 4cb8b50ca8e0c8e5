// gl.recipes: paper reproductions with quoted claims, sourced thresholds and verdicts; REPRODUCTIONS.md.
import './all.js';
export { registerRecipe, listRecipes, getRecipe, runRecipe, judge, arraySink } from './registry.js';
export type { RunRecipeOptions } from './registry.js';
export { reproductionsReport, writeReproductionsReport } from './report.js';
export type {
  RecipeDef,
  RecipeRunOptions,
  RecipeResult,
  RecipeResultSink,
  AssertionDef,
  AssertionResult,
  Measurements,
  Verdict,
} from './types.js';
