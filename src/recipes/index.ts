// gl.recipes: paper reproductions — definitions with claims, paper figures and checklists; runs with
// provenance and per-seed measurements; verdicts under one uncertainty rule; REPRODUCTIONS.md and figures.
export { RECIPES, getRecipe, listRecipes, runRecipe } from './all.js';
export type { RecipeName } from './all.js';
export { PAPERS, PAPER_NUMBERS, BASE_METHODS, paperOf, paperLabel } from './papers.js';
export type { Paper, PaperId } from './papers.js';
export { runRecipeDef, checkRecipeDef } from './framework/run.js';
export type { RunRecipeOptions } from './framework/run.js';
export { judgeValues, judgeAssertions, verdictOf } from './framework/judge.js';
export { describe as sampleStats, paired, quantiles, t975 } from './framework/stats.js';
export type { SampleStats } from './framework/stats.js';
export { forEachSeed } from './framework/seeds.js';
export { interleavedTimes, ratioSpread } from './framework/timer.js';
export type { InterleavedTimes } from './framework/timer.js';
export { gitState, fileProvenance, sha256 } from './framework/provenance.js';
export {
  RESULTS_DIR,
  PROTOCOL_BACKEND,
  writeResult,
  readResults,
  pickResults,
  resultFileName,
} from './framework/results.js';
export {
  reproductionsReport,
  readmeRecipesBlock,
  replaceReadmeBlock,
  fmt,
  fmtStats,
} from './framework/report.js';
export type { ReportInput, LegacyResult } from './framework/report.js';
export { generateReport, writeReport, REPORT_PATHS } from './framework/build.js';
export { renderFigureSvg } from './framework/figures.js';
export { imageData, imageSourceAvailable, IMAGE_SOURCES, DATA_MISSING_ENV } from './common/images.js';
export {
  flatImageTask,
  FLAT_IMAGE_POLICY,
  type FlatImageOptions,
  type FlatImageTask,
} from './common/flat-images.js';
export type { ImageData, ImageSource } from './common/images.js';
export type { Split } from './common/train.js';
export type { Compare } from './framework/types.js';
export type {
  RecipeDef,
  RecipeRunOptions,
  RecipeResult,
  AssertionDef,
  AssertionOutcome,
  AssertionStatus,
  AssertionKind,
  ChecklistItem,
  PaperFigure,
  FigureDef,
  FigureSpec,
  Measured,
  PerSeed,
  Provenance,
  DataProvenance,
  RunVerdict,
  Json,
} from './framework/types.js';
