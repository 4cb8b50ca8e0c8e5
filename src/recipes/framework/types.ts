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
  /** The data set's name (e.g. 'fashion-mnist', 'embedded'). */
  name: string;
  /** The data set the protocol asks for, when this one is a fallback. */
  fallbackFor?: string;
  /** Each file read. */
  files: {
    /** Its path. */
    path: string;
    /** Its size. */
    bytes: number;
    /** SHA-256 (hex) of its contents. */
    sha256: string;
  }[];
}

/** What a recipe's `run` returns. */
export interface Measured {
  /** The measurements, one value per seed each. */
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

/** 'mechanism': what the method does (judged in quick runs too); 'outcome': what the paper claims it achieves. */
export type AssertionKind = 'mechanism' | 'outcome';
/** How the statistic's mean must relate to the threshold for the assertion to hold. */
export type Compare = '<=' | '>=';

/** One checkable statement; judged on a per-seed statistic with its uncertainty. */
export interface AssertionDef {
  /** A short id, unique in the recipe (results and figures refer to it). */
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
  /** The mean must be <= or >= the threshold (a threshold inside the 95% interval: 'uncertain'). */
  compare: Compare;
  /** The value compared against. */
  threshold: number;
  /** Where the threshold comes from: the paper, an issue, or a calibration run (with its seeds). */
  thresholdSource: string;
}

/** A number the paper reports, shown beside ours. */
export interface PaperFigure {
  /** What is measured (e.g. 'test accuracy'). */
  quantity: string;
  /** The paper's value. */
  value: number | string;
  /** Its unit ('%', 'x', 'MB', ...). */
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
  | {
      /** Which kind of checklist item. */
      kind: 'arm' | 'baseline' | 'control' | 'data' | 'assertion';
      /** The item, in the checklist's words. */
      item: string;
      /** Built. */
      built: true;
    }
  | {
      /** Which kind of checklist item. */
      kind: 'arm' | 'baseline' | 'control' | 'data' | 'assertion';
      /** The item, in the checklist's words. */
      item: string;
      /** Not built. */
      built: false;
      /** Why it is not built. */
      reason: string;
    };

/** A plot: categories or x values, one or more series (mean per point, per-seed values as dots). */
export interface FigureSpec {
  /** Bar chart of categories or line plot over x values. */
  type: 'bar' | 'line';
  /** The x axis label. */
  xLabel: string;
  /** The y axis label. */
  yLabel: string;
  /** The categories or x values. */
  x: (string | number)[];
  /** The plotted series. */
  series: {
    /** The series' legend name. */
    name: string;
    /** The mean at each x. */
    y: number[];
    /** The per-seed values at each x (drawn as dots). */
    perSeed?: number[][];
  }[];
  /** Logarithmic x axis. */
  logX?: boolean;
  /** Logarithmic y axis. */
  logY?: boolean;
}

/** A figure a recipe declares, made from a result's measurements at report time. */
export interface FigureDef {
  /** A short id, unique in the recipe (the file name of the plot). */
  id: string;
  /** The figure's title. */
  title: string;
  /** Builds the figure from a result's measurements. */
  make(m: { perSeed: PerSeed; details: { [k: string]: Json } }): FigureSpec;
}

/** A paper reproduction. */
export interface RecipeDef {
  /** Short name used on the command line (`gradlab recipe run <name>`). */
  name: string;
  /** Its row in REPRODUCTIONS.md. */
  paper: PaperId;
  /** The claim reproduced, in words, and where the paper makes it. */
  claim: {
    /** The claim. */
    text: string;
    /** Where the paper makes it. */
    source: string;
  };
  /** The paper's own figures, shown beside ours. */
  paperReported: PaperFigure[];
  /** The protocol, in words. */
  protocol: {
    /** The data used. */
    data: string;
    /** The models. */
    model: string;
    /** What is run and measured. */
    procedure: string;
    /** How it is scaled down from the paper (and why). */
    scaled: string;
    /** Rough wall time of the full and quick runs on a 2-core CPU, in seconds. */
    budgetSeconds: {
      /** Seconds of a full run. */
      full: number;
      /** Seconds of a quick run. */
      quick: number;
    };
  };
  /** Every item the checklist lists for the paper, built or not. */
  checklist: ChecklistItem[];
  /** Default number of seeds for full and quick runs. */
  seeds: {
    /** Seeds of a full run. */
    full: number;
    /** Seeds of a quick run. */
    quick: number;
  };
  /** Runs the protocol and returns the measurements. */
  run(opts: RecipeRunOptions): Measured | Promise<Measured>;
  /** The checkable statements judged on the measurements. */
  assertions: AssertionDef[];
  /** The figures drawn at report time. */
  figures?: FigureDef[];
  /** One line with the headline numbers, made at report time from the stored measurements. */
  summarize(m: { perSeed: PerSeed; details: { [k: string]: Json } }): string;
}

/** How an assertion came out: see `judgeAssertion` for the rule. */
export type AssertionStatus = 'holds' | 'fails' | 'uncertain' | 'not judged';

/** A judged assertion as stored (numbers only; its words live in the definition). */
export interface AssertionOutcome {
  /** The assertion's id. */
  id: string;
  /** Its kind. */
  kind: AssertionKind;
  /** Its comparison. */
  compare: Compare;
  /** Its threshold. */
  threshold: number;
  /** The statistic per seed. */
  values: number[];
  /** Mean, spread and 95% interval of the values. */
  stats: SampleStats;
  /** How it came out. */
  status: AssertionStatus;
}

/** Full runs: reproduced / partially reproduced / not reproduced; quick runs: mechanism checked / fails. */
export type RunVerdict =
  'reproduced' | 'partially reproduced' | 'not reproduced' | 'mechanism checked' | 'mechanism fails';

/** Where and how a result was produced. */
export interface Provenance {
  /** `git rev-parse HEAD` of the working tree, null outside a git checkout. */
  commit: string | null;
  /** Tracked files differ from the commit (result and report files left out); null when unknown. */
  dirty: boolean | null;
  /** gradlab's package version. */
  gradlabVersion: string;
  /** The backend it ran on. */
  backend: string;
  /** Node's version. */
  node: string;
  /** `platform-arch`, e.g. 'linux-x64'. */
  platform: string;
  /** The CPU model and its number of logical cores. */
  cpu: {
    /** The CPU's model name. */
    model: string;
    /** Logical cores. */
    cores: number;
  };
  /** The 1, 5 and 15 minute load averages before and after the run. */
  loadAverage: {
    /** Before the run. */
    before: number[];
    /** After the run. */
    after: number[];
  };
  /** The data sets read. */
  data: DataProvenance[];
  /** The seeds run. */
  seeds: number[];
  /** When it started (ISO 8601). */
  startedAt: string;
  /** Its wall time in seconds. */
  wallSeconds: number;
  /** The command line that reproduces it. */
  command: string;
}

/** What a run writes: JSON, numbers and provenance only. */
export interface RecipeResult {
  /** The file format's name and version. */
  format: 'gradlab-recipe-result/2';
  /** The recipe's name. */
  recipe: string;
  /** A full run or a quick one. */
  mode: 'full' | 'quick';
  /** Where and how it was produced. */
  provenance: Provenance;
  /** The measurements per seed. */
  perSeed: PerSeed;
  /** Further measurements (JSON). */
  details: { [k: string]: Json };
  /** Every assertion, judged. */
  assertions: AssertionOutcome[];
  /** The run's verdict. */
  verdict: RunVerdict;
}
