// Recipe types: a paper's claim, its protocol, a measuring run, and assertions with sourced thresholds.

/** Options every recipe run takes. */
export interface RecipeRunOptions {
  /** The tiny budget used by tests: proves the recipe runs and its mechanism holds. */
  quick: boolean;
  /** Number of paired seeds (0, 1, ...). */
  seeds: number;
  /** Progress lines (the CLI prints them; tests leave them out). */
  log?: (line: string) => void;
}

/** Measurements: plain JSON numbers, strings, arrays and objects. */
export type Measurements = Record<string, unknown>;

/** One checkable statement of the claim. */
export interface AssertionDef<M extends Measurements> {
  id: string;
  /** What is asserted, in words (`peak saved bytes (√n) ≤ 0.25 × plain`). */
  description: string;
  /** The number compared with the threshold. */
  measure(m: M): number;
  compare: '<=' | '>=';
  threshold: number;
  /** Where the threshold comes from: the paper, the issue, or a calibration run (with its seeds). */
  thresholdSource: string;
  /**
   * 'mechanism' assertions (bytes fall, gradients agree) are checked in quick runs too; 'outcome'
   * assertions (accuracy) only in full runs, where the budget is large enough to mean something.
   */
  kind: 'mechanism' | 'outcome';
}

/** A paper reproduction. */
export interface RecipeDef<M extends Measurements = Measurements> {
  /** Short name used on the command line (`gradlab recipe run <name>`). */
  name: string;
  /** The paper, as `NN. Short — Title`. */
  paper: string;
  claim: {
    /** Quoted claim. */
    text: string;
    /** Where the quote comes from. */
    source: string;
  };
  protocol: {
    data: string;
    model: string;
    /** Training, arms and what is measured. */
    procedure: string;
    /** What was scaled down from the paper, and why. */
    scaled: string;
    /** Rough wall time of the full and quick runs on a 2-core CPU, in seconds. */
    budgetSeconds: { full: number; quick: number };
  };
  run(opts: RecipeRunOptions): M | Promise<M>;
  assertions: AssertionDef<M>[];
  /** One line with the headline numbers, side by side (`peak 5.1 MiB → 1.2 MiB (0.23×) ...`). */
  summarize(m: M): string;
}

/** The outcome of one assertion. */
export interface AssertionResult {
  id: string;
  description: string;
  kind: 'mechanism' | 'outcome';
  value: number;
  compare: '<=' | '>=';
  threshold: number;
  thresholdSource: string;
  /** False for outcome assertions in quick runs: reported, not judged. */
  checked: boolean;
  passed: boolean;
}

/** A recipe's verdict: every judged assertion held, some did, or none did. */
export type Verdict = 'reproduced' | 'partially reproduced' | 'not reproduced';

/** A finished run, JSON-able (the run store keeps it as is). */
export interface RecipeResult<M extends Measurements = Measurements> {
  recipe: string;
  paper: string;
  claim: { text: string; source: string };
  protocol: RecipeDef['protocol'];
  options: { quick: boolean; seeds: number };
  startedAt: string;
  durationSeconds: number;
  environment: { backend: string; node: string; platform: string };
  measurements: M;
  assertions: AssertionResult[];
  verdict: Verdict;
  summary: string;
  /** The command that reruns it. */
  command: string;
}

/** Where results go (the lead connects this to the run store). */
export interface RecipeResultSink {
  save(result: RecipeResult): void | Promise<void>;
}
