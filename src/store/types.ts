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
  /** Node's version (process.version, e.g. 'v20.20.2'). */
  node: string;
  /** process.platform ('linux', 'darwin', ...). */
  platform: string;
  /** process.arch ('x64', 'arm64', ...). */
  arch: string;
  /** The first CPU's model name ('unknown' when not reported). */
  cpu: string;
  /** Number of logical CPUs. */
  cpus: number;
  /** The machine's host name. */
  hostname: string;
  /** gradlab's package version. */
  gradlab: string;
  /** The backend the run computes on (given by the caller). */
  backend?: string;
  /** The git commit of the working directory, when it is a git checkout. */
  gitCommit?: string;
  [key: string]: JsonValue | undefined;
}

/** Arguments of `RunStore.createRun`. */
export interface CreateRunSpec {
  /** What produces the run. */
  kind: RunKind;
  /** A human-readable name (default none). */
  name?: string;
  /** The run's configuration, as JSON. */
  config: JsonObject;
  /** Merged over `collectEnv()`; pass at least `backend`. */
  env?: Partial<RunEnv>;
}

/** A row of `listRuns`: the run without its metric series. */
export interface RunSummary {
  /** The run's id in this store. */
  id: string;
  /** What produced it. */
  kind: string;
  /** Its name, or null. */
  name: string | null;
  /** Where it stands. */
  status: RunStatus;
  /** Epoch milliseconds. */
  startedAt: number;
  /** When it finished (epoch ms), or null while running / when interrupted. */
  finishedAt: number | null;
  /** Last time the run's process wrote to the store (epoch ms). */
  heartbeatAt: number;
  /** The pid of the process that ran it, or null. */
  pid: number | null;
  /** The host it ran on, or null. */
  hostname: string | null;
  /** Its configuration. */
  config: JsonObject;
  /** Its environment. */
  env: RunEnv;
  /** What finishRun recorded, or null. */
  results: JsonObject | null;
  /** The error message of a failed run, or null. */
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
  /** The steps logged. */
  steps: number[];
  /** The value at each step. */
  values: number[];
}

/** An event logged with `logEvent`. */
export interface RunEvent {
  /** When it was logged (epoch ms). */
  time: number;
  /** The step it refers to, or null. */
  step: number | null;
  /** Its type (a short word chosen by the logger, e.g. 'epoch', 'checkpoint'). */
  type: string;
  /** Its payload. */
  data: JsonValue;
}

/** A checkpoint recorded with `addCheckpoint`. */
export interface CheckpointRecord {
  /** The step it holds. */
  step: number;
  /** The file. */
  path: string;
  /** When it was recorded (epoch ms). */
  time: number;
}

/** Everything `getRun` knows about one run. */
export interface RunDetail extends RunSummary {
  /** Every metric's series, by name. */
  metrics: Record<string, MetricSeries>;
  /** Every event, in logging order. */
  events: RunEvent[];
  /** Every checkpoint recorded, ascending by step. */
  checkpoints: CheckpointRecord[];
}

/** Filter of `listRuns`; all fields optional and combined with AND. */
export interface RunFilter {
  /** Only runs of this kind. */
  kind?: string;
  /** Only runs with this status. */
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
  /** The owner's process id. */
  pid: number;
  /** The owner's host. */
  hostname: string;
  /** When the owning process started (epoch ms). */
  processStartedAt: number;
}

/** A run's lease: while it is held and not expired, only its owner may drive the run. */
export interface RunLease {
  /** The run leased. */
  runId: string;
  /** The process holding it. */
  owner: LeaseOwner;
  /** When it was acquired (epoch ms). */
  acquiredAt: number;
  /** When it was last renewed (epoch ms). */
  renewedAt: number;
  /** After this time (epoch ms) the lease is stale and may be taken over. */
  expiresAt: number;
}

/** Why a lease could be taken over from its previous holder. */
export type StaleReason = 'expired' | 'process-gone' | 'pid-reused';

/** What `acquireLease` (and `reopenRun`) did: the lease now held, and whose stale lease it replaced. */
export interface LeaseAcquired {
  /** The lease now held. */
  lease: RunLease;
  /** The stale lease taken over, with the reason; null when the run had no lease (or this process held it). */
  tookOver: {
    /** The stale lease replaced. */
    previous: RunLease;
    /** Why it could be taken over. */
    reason: StaleReason;
  } | null;
}

/** What a group gathers: runs compared side by side, or the runs of a hyperparameter sweep. */
export type GroupKind = 'comparison' | 'sweep';

/** Arguments of `RunStore.createGroup`. */
export interface CreateGroupSpec {
  /** Comparison or sweep. */
  kind: GroupKind;
  /** A human-readable name (default none). */
  name?: string;
  /** The comparison's or sweep's definition (e.g. the sweep grid), as JSON. */
  config: JsonObject;
}

/** A group of runs. */
export interface RunGroup {
  /** The group's id. */
  id: string;
  /** Comparison or sweep. */
  kind: GroupKind;
  /** Its name, or null. */
  name: string | null;
  /** Its definition. */
  config: JsonObject;
  /** When it was created (epoch ms). */
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
  /** The artifact's id (increasing). */
  id: number;
  /** The run that produced it. */
  runId: string;
  /** What it is ('plot', 'report', ...). */
  kind: string;
  /** The file (absolute). */
  path: string;
  /** Its media type. */
  mime: string;
  /** Its size in bytes. */
  bytes: number;
  /** Extra facts about it. */
  metadata: JsonObject;
  /** When it was registered (epoch ms). */
  createdAt: number;
}
