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
  /** A globally unique id of this run (a UUID), stable across stores, exports and resumes. */
  jobId: string;
  /** The run's tags, sorted. */
  tags: string[];
  /** Ids of the groups (comparisons, sweeps) the run belongs to, sorted. */
  groups: string[];
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
  /** Only runs carrying this tag. */
  tag?: string;
  /** Only runs in this group (its id). */
  group?: string;
  /** Most recent first; at most this many. */
  limit?: number;
}

/** The process that holds a run's lease: its pid, host and start time (which tells a reused pid apart). */
export interface LeaseOwner {
  pid: number;
  hostname: string;
  /** When the owning process started (epoch ms). */
  processStartedAt: number;
}

/** A run's lease: while it is held and not expired, only its owner may drive the run. */
export interface RunLease {
  runId: string;
  owner: LeaseOwner;
  acquiredAt: number;
  renewedAt: number;
  /** After this time (epoch ms) the lease is stale and may be taken over. */
  expiresAt: number;
}

/** Why a lease could be taken over from its previous holder. */
export type StaleReason = 'expired' | 'process-gone' | 'pid-reused';

/** What `acquireLease` (and `reopenRun`) did: the lease now held, and whose stale lease it replaced. */
export interface LeaseAcquired {
  lease: RunLease;
  /** The stale lease taken over, with the reason; null when the run had no lease (or this process held it). */
  tookOver: { previous: RunLease; reason: StaleReason } | null;
}

/** What a group gathers: runs compared side by side, or the runs of a hyperparameter sweep. */
export type GroupKind = 'comparison' | 'sweep';

/** Arguments of `RunStore.createGroup`. */
export interface CreateGroupSpec {
  kind: GroupKind;
  name?: string;
  /** The comparison's or sweep's definition (e.g. the sweep grid), as JSON. */
  config: JsonObject;
}

/** A group of runs. */
export interface RunGroup {
  id: string;
  kind: GroupKind;
  name: string | null;
  config: JsonObject;
  createdAt: number;
  /** Its runs, in the order they were added. */
  runIds: string[];
}

/** Arguments of `RunStore.addArtifact`. */
export interface AddArtifactSpec {
  /** What it is: 'plot', 'report', 'model', 'table', ... (a short lowercase word). */
  kind: string;
  /** The file (stored absolute). */
  path: string;
  /** Its media type, e.g. 'image/svg+xml', 'text/markdown', 'application/octet-stream'. */
  mime: string;
  /** Its size; default: read from the file (which must then exist). */
  bytes?: number;
  /** Anything else worth knowing (title, figure number, seed...). */
  metadata?: JsonObject;
}

/** A file a run produced, registered with `addArtifact`. */
export interface ArtifactRecord {
  id: number;
  runId: string;
  kind: string;
  path: string;
  mime: string;
  bytes: number;
  metadata: JsonObject;
  createdAt: number;
}
