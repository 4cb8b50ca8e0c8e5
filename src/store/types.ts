// Types of the run store's public API: runs, their environment, metric series, events, checkpoints.

/** Any value JSON can hold; configs, environments, results and event data are stored as JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (configs and results). */
export type JsonObject = { [key: string]: JsonValue };

/** What produced a run; `train` and `recipe` are the CLI's, any other short word is accepted. */
export type RunKind = 'train' | 'recipe' | 'bench' | 'test' | (string & {});

/**
 * Where a run stands. `running` while its process is alive; `interrupted` when the process died
 * (SIGKILL, crash, exit without `finishRun`), detected from its pid and heartbeat.
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** The environment a run was started in; `collectEnv()` fills the standard fields. */
export interface RunEnv {
  node: string;
  platform: string;
  arch: string;
  cpu: string;
  cpus: number;
  hostname: string;
  gradlab: string;
  backend?: string;
  gitCommit?: string;
  [key: string]: JsonValue | undefined;
}

/** Arguments of `RunStore.createRun`. */
export interface CreateRunSpec {
  kind: RunKind;
  name?: string;
  config: JsonObject;
  /** Merged over `collectEnv()`; pass at least `backend`. */
  env?: Partial<RunEnv>;
}

/** A row of `listRuns`: the run without its metric series. */
export interface RunSummary {
  id: string;
  kind: string;
  name: string | null;
  status: RunStatus;
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number | null;
  /** Last time the run's process wrote to the store (epoch ms). */
  heartbeatAt: number;
  pid: number | null;
  hostname: string | null;
  config: JsonObject;
  env: RunEnv;
  results: JsonObject | null;
  error: string | null;
  /** Last logged value of each metric, by name. */
  lastMetrics: Record<string, number>;
}

/** One metric's history, `steps[i]` paired with `values[i]`, ascending by step. */
export interface MetricSeries {
  steps: number[];
  values: number[];
}

/** An event logged with `logEvent`. */
export interface RunEvent {
  time: number;
  step: number | null;
  type: string;
  data: JsonValue;
}

/** A checkpoint recorded with `addCheckpoint`. */
export interface CheckpointRecord {
  step: number;
  path: string;
  time: number;
}

/** Everything `getRun` knows about one run. */
export interface RunDetail extends RunSummary {
  metrics: Record<string, MetricSeries>;
  events: RunEvent[];
  checkpoints: CheckpointRecord[];
}

/** Filter of `listRuns`; all fields optional and combined with AND. */
export interface RunFilter {
  kind?: string;
  status?: RunStatus;
  /** Substring of the run name. */
  name?: string;
  /** Most recent first; at most this many. */
  limit?: number;
}
