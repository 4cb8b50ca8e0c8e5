// Recipe types: the definition (claim, paper figures, protocol, checklist, assertions, figures) and the
// result a run writes (provenance, per-seed measurements, judged assertions; no presentation text).
import type { PaperId } from '../papers.js';
import type { SampleStats } from './stats.js';

/** Per-seed measurements: metric name → one value per seed, in the order of `provenance.seeds`. */
export type PerSeed = Record<string, number[]>;

/** Plain JSON. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A data set a run read: its name and a SHA-256 of each file actually read. */
export interface DataProvenance {
  name: string;
  /** The data set the protocol asks for, when this one is a fallback. */
  fallbackFor?: string;
  files: { path: string; bytes: number; sha256: string }[];
}

/** What a recipe's `run` returns. */
export interface Measured {
  perSeed: PerSeed;
  /** Further measurements (per-seed breakdowns, timelines); JSON only. */
  details?: { [k: string]: Json };
  /** The data sets read (none for generated inputs). */
  data: DataProvenance[];
}

/** Options every recipe run takes. */
export interface RecipeRunOptions {
  /** The tiny budget the tests use: judges mechanism assertions only. */
  quick: boolean;
  /** Seeds 0..n−1; arms inside one seed share it (paired). */
  seeds: number[];
  /** Force one data set of the recipe's image-data policy (e.g. 'embedded'); default: the first available. */
  data?: string;
  /** Progress lines (the CLI prints them). */
  log?: (line: string) => void;
}

export type AssertionKind = 'mechanism' | 'outcome';
export type Compare = '<=' | '>=';

/** One checkable statement; judged on a per-seed statistic with its uncertainty. */
export interface AssertionDef {
  id: string;
  /** What is asserted, in words (`acc(LST) − acc(probe), points, paired over seeds`). */
  description: string;
  /**
   * 'mechanism': what the method does (bytes fall, gradients agree); judged in quick runs too.
   * 'outcome': what the paper claims it achieves (accuracy, time); judged in full runs only.
   */
  kind: AssertionKind;
  /** The statistic's value for each seed (a metric, a ratio, a paired difference). */
  values(perSeed: PerSeed): number[];
  compare: Compare;
  threshold: number;
  /** Where the threshold comes from: the paper, an issue, or a calibration run (with its seeds). */
  thresholdSource: string;
}

/** A number the paper reports, shown beside ours. */
export interface PaperFigure {
  quantity: string;
  value: number | string;
  unit: string;
  /** The paper's setting (model, data set, hardware). */
  setting: string;
  /** Where it is reported (table, figure, abstract; and whether it was checked against the paper). */
  source: string;
  /** The assertion whose statistic is our counterpart, if there is one. */
  ours?: string;
}

/** An item ../shared/papers/checklist.md lists for the paper: an arm, baseline, control, data or assertion. */
export type ChecklistItem =
  | { kind: 'arm' | 'baseline' | 'control' | 'data' | 'assertion'; item: string; built: true }
  | { kind: 'arm' | 'baseline' | 'control' | 'data' | 'assertion'; item: string; built: false; reason: string };

/** A plot: categories or x values, one or more series (mean per point, per-seed values as dots). */
export interface FigureSpec {
  type: 'bar' | 'line';
  xLabel: string;
  yLabel: string;
  x: (string | number)[];
  series: { name: string; y: number[]; perSeed?: number[][] }[];
  logX?: boolean;
  logY?: boolean;
}

/** A figure a recipe declares, made from a result's measurements at report time. */
export interface FigureDef {
  id: string;
  title: string;
  make(m: { perSeed: PerSeed; details: { [k: string]: Json } }): FigureSpec;
}

/** A paper reproduction. */
export interface RecipeDef {
  /** Short name used on the command line (`gradlab recipe run <name>`). */
  name: string;
  /** Its row in REPRODUCTIONS.md. */
  paper: PaperId;
  claim: { text: string; source: string };
  /** The paper's own figures, shown beside ours. */
  paperReported: PaperFigure[];
  protocol: {
    data: string;
    model: string;
    procedure: string;
    scaled: string;
    /** Rough wall time of the full and quick runs on a 2-core CPU, in seconds. */
    budgetSeconds: { full: number; quick: number };
  };
  /** Every item the checklist lists for the paper, built or not. */
  checklist: ChecklistItem[];
  /** Default number of seeds for full and quick runs. */
  seeds: { full: number; quick: number };
  run(opts: RecipeRunOptions): Measured | Promise<Measured>;
  assertions: AssertionDef[];
  figures?: FigureDef[];
  /** One line with the headline numbers, made at report time from the stored measurements. */
  summarize(m: { perSeed: PerSeed; details: { [k: string]: Json } }): string;
}

/** How an assertion came out: see `judgeAssertion` for the rule. */
export type AssertionStatus = 'holds' | 'fails' | 'uncertain' | 'not judged';

/** A judged assertion as stored (numbers only; its words live in the definition). */
export interface AssertionOutcome {
  id: string;
  kind: AssertionKind;
  compare: Compare;
  threshold: number;
  values: number[];
  stats: SampleStats;
  status: AssertionStatus;
}

/** Full runs: reproduced / partially reproduced / not reproduced; quick runs: mechanism checked / fails. */
export type RunVerdict =
  | 'reproduced'
  | 'partially reproduced'
  | 'not reproduced'
  | 'mechanism checked'
  | 'mechanism fails';

/** Where and how a result was produced. */
export interface Provenance {
  /** `git rev-parse HEAD` of the working tree, null outside a git checkout. */
  commit: string | null;
  /** Tracked files differ from the commit (result and report files left out); null when unknown. */
  dirty: boolean | null;
  gradlabVersion: string;
  backend: string;
  node: string;
  platform: string;
  cpu: { model: string; cores: number };
  loadAverage: { before: number[]; after: number[] };
  data: DataProvenance[];
  seeds: number[];
  startedAt: string;
  wallSeconds: number;
  command: string;
}

/** What a run writes: JSON, numbers and provenance only. */
export interface RecipeResult {
  format: 'gradlab-recipe-result/2';
  recipe: string;
  mode: 'full' | 'quick';
  provenance: Provenance;
  perSeed: PerSeed;
  details: { [k: string]: Json };
  assertions: AssertionOutcome[];
  verdict: RunVerdict;
}
