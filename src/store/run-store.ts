// RunStore: runs, per-step metrics, events, results and checkpoint paths in an embedded SQLite file.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ArgumentError, GradlabError, StoreError } from '../core/errors.js';
import { makeDirs } from '../io/files.js';
import { collectEnv, gradlabVersion } from './env.js';
import { ArtifactTable } from './artifacts.js';
import { RunNotFoundError } from './errors.js';
import { runToCsv, runToJson } from './export.js';
import { checkTag, GROUP_KINDS, GroupTables } from './groups.js';
import { checkJson, checkJsonObject } from './json.js';
import { currentProcess, heldError, LeaseTable } from './leases.js';
import { startKeepAlive } from './keep-alive.js';
import { isInterrupted } from './liveness.js';
import { resolveStorePath } from './path.js';
import { isRunIdLike, newRunId } from './run-id.js';
import { ensureSchema, hasSqliteHeader } from './schema.js';
import type {
  AddArtifactSpec,
  ArtifactRecord,
  CheckpointRecord,
  CreateGroupSpec,
  GroupKind,
  LeaseAcquired,
  LeaseOwner,
  RunGroup,
  RunLease,
  CreateRunSpec,
  JsonObject,
  JsonValue,
  MetricSeries,
  RunDetail,
  RunEnv,
  RunEvent,
  RunFilter,
  RunStatus,
  RunSummary,
} from './types.js';

/** Options of `RunStore.open`. */
export interface StoreOptions {
  /** Open without writing (no interrupted-run bookkeeping is persisted). Default false. */
  readonly?: boolean;
  /** Create the file (and its folder) when missing. Default true unless `readonly`. */
  create?: boolean;
  /** Commit buffered metrics once this many values are pending. Default 512. */
  flushEveryRows?: number;
  /** Commit buffered metrics when the last commit is older than this. Default 1000 ms. */
  flushIntervalMs?: number;
  /** A running run whose heartbeat is older than this is interrupted, whatever its pid. Default 30 min. */
  staleAfterMs?: number;
  /** Clock in epoch milliseconds (tests inject one). Default `Date.now`. */
  now?: () => number;
  /** How long a run's lease lasts without renewal (every commit renews it). Default 5 min. */
  leaseTtlMs?: number;
  /** Whom this instance's leases name. Default this process (pid, host, start time); tests inject others. */
  leaseOwner?: LeaseOwner;
}

/** How a run ends: `finishRun` status. */
export type FinishStatus = Exclude<RunStatus, 'running'>;

/** Formats of `exportRun`. */
export type ExportFormat = 'csv' | 'json';

interface RunRow {
  id: string;
  kind: string;
  name: string | null;
  status: RunStatus;
  config: string;
  env: string;
  results: string | null;
  error: string | null;
  pid: number | null;
  hostname: string | null;
  started_at: number;
  heartbeat_at: number;
  finished_at: number | null;
  job_id: string | null;
}

interface PendingMetric {
  runId: string;
  name: string;
  step: number;
  value: number;
  time: number;
}

const SQLITE_FAILURES: Record<string, string> = {
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_NOTADB: 'the file is not an SQLite database',
  SQLITE_READONLY: 'the store is read-only here',
  SQLITE_CANTOPEN: 'the file cannot be opened',
  SQLITE_FULL: 'the disk is full',
  SQLITE_PERM: 'permission denied',
  SQLITE_BUSY: 'the store is locked by another process',
};

/**
 * The embedded run store. One SQLite file (WAL mode) holds every run: its config, environment,
 * per-step metrics, events, final results and checkpoint paths. Metric writes are buffered and
 * committed in one transaction per batch, so per-step logging is cheap and a process killed at
 * any moment leaves the file readable with every committed batch intact. A run whose process died
 * is reported as `interrupted` the next time a store is opened or listed.
 *
 * @example
 * const store = RunStore.open(); // ./.gradlab/runs.db, or $GRADLAB_STORE
 * const id = store.createRun({ kind: 'train', name: 'mlp', config: { lr: 1e-3 }, env: { backend: 'js' } });
 * for (let step = 0; step < 100; step++) store.logMetrics(id, step, { loss: 1 / (step + 1) });
 * store.setResult(id, { testAcc: 0.91 });
 * store.finishRun(id, 'completed');
 * store.getRun(id).metrics.loss.values.length; // 100
 * store.close();
 */
export class RunStore {
  /** Absolute path of the SQLite file. */
  readonly path: string;
  /** Whether this store was opened read-only. */
  readonly readonly: boolean;

  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly flushEveryRows: number;
  private readonly flushIntervalMs: number;
  private readonly staleAfterMs: number;
  /** Runs created or reopened by this instance and not finished yet. */
  private readonly active = new Set<string>();
  /** Runs whose lease this instance holds (renewed at every commit, released by finishRun/close). */
  private readonly leased = new Set<string>();
  private readonly leases: LeaseTable;
  private readonly groupTables: GroupTables;
  private readonly artifacts: ArtifactTable;
  private readonly leaseOwner: LeaseOwner;
  private readonly leaseTtlMs: number;
  private readonly keepAlives = new Set<() => void>();
  private pending: PendingMetric[] = [];
  private lastCommit: number;
  private closed = false;
  private readonly onExit = (): void => {
    try {
      this.flush();
    } catch {
      // the process is exiting: nothing left to report to
    }
  };

  private readonly stmt: {
    insertRun: Database.Statement;
    insertMetric: Database.Statement;
    heartbeat: Database.Statement;
    insertEvent: Database.Statement;
    setResults: Database.Statement;
    insertCheckpoint: Database.Statement;
    finish: Database.Statement;
    reopen: Database.Statement;
    runningRuns: Database.Statement;
    markInterrupted: Database.Statement;
    runById: Database.Statement;
    runsByPrefix: Database.Statement;
    lastMetrics: Database.Statement;
    metrics: Database.Statement;
    events: Database.Statement;
    checkpoints: Database.Statement;
    deleteCheckpoint: Database.Statement;
    runByJob: Database.Statement;
  };
  private readonly commitTx: Database.Transaction<(extra?: () => void) => void>;

  /**
   * Opens (and by default creates) the store in directory `dir` (its `runs.db`; a path ending in
   * `runs.db` names the file itself), else `$GRADLAB_STORE`, else `./.gradlab`. An older schema
   * is migrated. Throws StoreError if the path is a file of another name, the file is not a gradlab
   * store, is corrupt, has a newer schema (StoreVersionError), or cannot be created.
   *
   * @example
   * const store = RunStore.open('/tmp/exp'); // /tmp/exp/runs.db, created with its folder
   * const viewer = RunStore.open(undefined, { create: false }); // StoreError if there is none yet
   */
  static open(dir?: string, options: StoreOptions = {}): RunStore {
    return new RunStore(resolveStorePath(dir), options);
  }

  private constructor(file: string, options: StoreOptions) {
    this.path = file;
    this.readonly = options.readonly ?? false;
    this.now = options.now ?? Date.now;
    this.flushEveryRows = positiveOption(options.flushEveryRows, 512, 'flushEveryRows');
    this.flushIntervalMs = nonNegativeOption(options.flushIntervalMs, 1000, 'flushIntervalMs');
    this.staleAfterMs = positiveOption(options.staleAfterMs, 30 * 60_000, 'staleAfterMs');
    const create = options.create ?? !this.readonly;
    const leaseTtlMs = positiveOption(options.leaseTtlMs, 5 * 60_000, 'leaseTtlMs');
    this.lastCommit = this.now();

    checkFile(file, create && !this.readonly);
    try {
      this.db = new Database(file, { readonly: this.readonly, fileMustExist: !create || this.readonly });
    } catch (e) {
      throw this.wrap(e, 'cannot open');
    }
    try {
      if (!this.readonly) this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      ensureSchema(this.db, file, !this.readonly, gradlabVersion());
    } catch (e) {
      this.db.close();
      throw this.wrap(e, 'cannot open');
    }

    const db = this.db;
    const prep = (sql: string): Database.Statement => db.prepare(sql);
    this.stmt = {
      insertRun: prep(
        `INSERT INTO runs (id, kind, name, status, config, env, pid, hostname, started_at, heartbeat_at, job_id)
         VALUES (@id, @kind, @name, 'running', @config, @env, @pid, @hostname, @now, @now, @jobId)`,
      ),
      insertMetric: prep(
        'INSERT OR REPLACE INTO metrics (run_id, name, step, value, time) VALUES (?, ?, ?, ?, ?)',
      ),
      heartbeat: prep(
        `UPDATE runs SET heartbeat_at = ?,
           status = CASE WHEN status = 'interrupted' THEN 'running' ELSE status END,
           finished_at = CASE WHEN status = 'interrupted' THEN NULL ELSE finished_at END
         WHERE id = ? AND pid = ?`,
      ),
      insertEvent: prep('INSERT INTO events (run_id, time, step, type, data) VALUES (?, ?, ?, ?, ?)'),
      setResults: prep('UPDATE runs SET results = ?, heartbeat_at = ? WHERE id = ?'),
      insertCheckpoint: prep(
        'INSERT OR REPLACE INTO checkpoints (run_id, step, path, time) VALUES (?, ?, ?, ?)',
      ),
      finish: prep(
        'UPDATE runs SET status = ?, error = ?, finished_at = ?, heartbeat_at = ?, pid = NULL WHERE id = ?',
      ),
      reopen: prep(
        `UPDATE runs SET status = 'running', error = NULL, finished_at = NULL, pid = ?, hostname = ?,
           heartbeat_at = ? WHERE id = ?`,
      ),
      runningRuns: db.prepare(`SELECT id, pid, hostname, heartbeat_at FROM runs WHERE status = 'running'`),
      markInterrupted: prep(
        `UPDATE runs SET status = 'interrupted', finished_at = heartbeat_at
         WHERE id = ? AND status = 'running' AND heartbeat_at = ?`,
      ),
      runById: db.prepare('SELECT * FROM runs WHERE id = ?'),
      runsByPrefix: db.prepare(
        `SELECT id FROM runs WHERE substr(id, 1, length(@p)) = @p ORDER BY id LIMIT 6`,
      ),
      lastMetrics: db.prepare(
        'SELECT name, value, max(step) AS step FROM metrics WHERE run_id = ? GROUP BY name',
      ),
      metrics: db.prepare('SELECT name, step, value FROM metrics WHERE run_id = ? ORDER BY name, step'),
      events: db.prepare('SELECT time, step, type, data FROM events WHERE run_id = ? ORDER BY id'),
      checkpoints: db.prepare('SELECT step, path, time FROM checkpoints WHERE run_id = ? ORDER BY step'),
      deleteCheckpoint: prep('DELETE FROM checkpoints WHERE run_id = ? AND step = ?'),
      runByJob: db.prepare('SELECT id FROM runs WHERE job_id = ?'),
    };
    this.leaseOwner = options.leaseOwner ?? currentProcess();
    this.leaseTtlMs = leaseTtlMs;
    this.leases = new LeaseTable(db, this.leaseOwner, leaseTtlMs);
    this.groupTables = new GroupTables(db);
    this.artifacts = new ArtifactTable(db);
    this.commitTx = db.transaction((extra?: () => void) => {
      const now = this.now();
      for (const m of this.pending) {
        this.stmt.insertMetric.run(m.runId, m.name, m.step, Number.isNaN(m.value) ? null : m.value, m.time);
      }
      for (const id of this.active) this.stmt.heartbeat.run(now, id, process.pid);
      for (const id of this.leased) this.leases.renew(id, now);
      extra?.();
    });
    if (!this.readonly) {
      this.guard('cannot check for interrupted runs', () => this.reconcile());
      process.on('exit', this.onExit);
    }
  }

  /** Number of metric values logged but not committed yet. */
  get pendingRows(): number {
    return this.pending.length;
  }

  /**
   * Starts a run owned by this process and returns its short id. `env` is merged over
   * `collectEnv()` (Node, platform, CPU, gradlab version, git commit).
   *
   * @example
   * const id = store.createRun({ kind: 'train', config: { epochs: 3 }, env: { backend: 'js' } }); // 'k7m2xq'
   */
  createRun(spec: CreateRunSpec): string {
    this.writable('createRun');
    if (typeof spec !== 'object' || spec === null)
      throw new ArgumentError('createRun: expected a spec object');
    if (typeof spec.kind !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(spec.kind)) {
      throw new ArgumentError(
        `createRun: kind must be a short lowercase word such as 'train' or 'recipe', got ${JSON.stringify(spec.kind)}`,
      );
    }
    if (spec.name !== undefined && typeof spec.name !== 'string') {
      throw new ArgumentError(`createRun: name must be a string, got ${typeof spec.name}`);
    }
    const config = checkJsonObject(spec.config, 'createRun: config');
    const env: RunEnv = collectEnv(
      spec.env === undefined ? {} : (checkJsonObject(spec.env, 'createRun: env') as Partial<RunEnv>),
    );
    return this.guard('cannot create a run', () => {
      for (let attempt = 0; ; attempt++) {
        const id = newRunId();
        try {
          this.commitTx(() => {
            this.stmt.insertRun.run({
              id,
              kind: spec.kind,
              name: spec.name ?? null,
              config: JSON.stringify(config),
              env: JSON.stringify(env),
              pid: process.pid,
              hostname: env.hostname,
              now: this.now(),
              jobId: randomUUID(),
            });
            this.leases.acquire(id, this.now());
          });
          this.active.add(id);
          this.leased.add(id);
          this.pending = [];
          this.lastCommit = this.now();
          return id;
        } catch (e) {
          if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY' || attempt >= 8) throw e;
        }
      }
    });
  }

  /**
   * Takes over an existing run (e.g. to resume it from a checkpoint): it is `running` again and
   * owned by this process, which takes the run's lease. Refused with RunLeaseError while another
   * live process holds the lease; a stale lease (its process gone on this host, or expired) is
   * taken over and reported in the result. Metrics logged again at an existing step replace the
   * old values.
   *
   * @example
   * const { tookOver } = store.reopenRun('k7m2xq');
   * if (tookOver) console.log(`took over from pid ${tookOver.previous.owner.pid} (${tookOver.reason})`);
   */
  reopenRun(runId: string): LeaseAcquired {
    this.writable('reopenRun');
    const id = this.resolveId(runId);
    let acquired: LeaseAcquired | undefined;
    this.write('cannot reopen the run', () => {
      acquired = this.leases.acquire(id, this.now());
      this.stmt.reopen.run(process.pid, os.hostname(), this.now(), id);
    });
    this.active.add(id);
    this.leased.add(id);
    return acquired!;
  }

  /**
   * Takes the lease of a run without reopening it (a sweep controller or dashboard action that
   * must be the only one driving the run). Refused with RunLeaseError while another live process
   * holds it; a stale one is taken over (see `tookOver`). Renewed at every commit until released.
   *
   * @example
   * const { lease } = store.acquireLease(id); // lease.expiresAt: epoch ms
   */
  acquireLease(runId: string): LeaseAcquired {
    this.writable('acquireLease');
    const id = this.resolveId(runId);
    let acquired: LeaseAcquired | undefined;
    this.write('cannot take the lease', () => (acquired = this.leases.acquire(id, this.now())));
    this.leased.add(id);
    return acquired!;
  }

  /**
   * Extends this process's lease of a run now (commits renew it too); RunLeaseError if another
   * process took it over meanwhile.
   *
   * @example
   * store.renewLease(id);
   */
  renewLease(runId: string): void {
    this.writable('renewLease');
    const id = this.resolveId(runId);
    this.write('cannot renew the lease', () => this.leases.renew(id, this.now()));
    this.leased.add(id);
  }

  /**
   * Gives up this process's lease of a run (no-op if it does not hold it); `finishRun` and
   * `close` release theirs.
   *
   * @example
   * store.releaseLease(id);
   */
  releaseLease(runId: string): void {
    this.writable('releaseLease');
    const id = this.resolveId(runId);
    this.leased.delete(id);
    this.write('cannot release the lease', () => this.leases.release(id, this.now()));
  }

  /**
   * The run's lease with whether it is live: `live` false means it may be taken over (`stale`
   * says why); null when no process holds one.
   *
   * @example
   * const l = store.getLease(id); // { lease: { owner: { pid, hostname, processStartedAt }, expiresAt, ... }, live: true, ... }
   */
  getLease(runId: string): {
    /** The lease recorded. */
    lease: RunLease;
    /** Whether its holder still holds it (not expired, process alive). */
    live: boolean;
    /** Why it is stale (null while live). */
    stale: ReturnType<LeaseTable['stale']>;
  } | null {
    this.open('getLease');
    const id = this.resolveId(runId);
    return this.guard('cannot read the lease', () => {
      const lease = this.leases.lease(id);
      if (lease === null) return null;
      const stale = this.leases.stale(lease, this.now());
      return { lease, live: stale === null, stale };
    });
  }

  /**
   * Throws RunLeaseError if another live process holds the run's lease (a check before expensive
   * preparation; `reopenRun` checks again atomically).
   *
   * @example
   * store.assertNotLeased('k7m2xq');
   */
  assertNotLeased(runId: string): void {
    const l = this.getLease(runId);
    if (l !== null && l.live && !this.leases.mine(l.lease)) throw heldError(l.lease, this.now());
  }

  /**
   * Logs metric values of one step. Values are buffered and committed together once
   * `flushEveryRows` are pending or `flushIntervalMs` has passed (and by every other write, by
   * `flush()`, `finishRun()`, `close()` and at process exit). NaN is kept as NaN.
   *
   * @example
   * store.logMetrics(id, step, { loss: 0.31, acc: 0.9 });
   */
  logMetrics(runId: string, step: number, values: Record<string, number>): void {
    this.activeRun(runId, 'logMetrics');
    checkStep(step, 'logMetrics');
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new ArgumentError(`logMetrics: expected an object of name: number, got ${typeof values}`);
    }
    const time = this.now();
    const rows: PendingMetric[] = [];
    for (const [name, value] of Object.entries(values)) {
      if (name === '') throw new ArgumentError('logMetrics: metric names must not be empty');
      if (typeof value !== 'number') {
        throw new ArgumentError(`logMetrics: metric '${name}' must be a number, got ${typeof value}`);
      }
      rows.push({ runId, name, step, value, time });
    }
    this.pending.push(...rows);
    if (this.pending.length >= this.flushEveryRows || time - this.lastCommit >= this.flushIntervalMs)
      this.flush();
  }

  /**
   * Commits buffered metrics now (and refreshes the heartbeat of this process's runs).
   * @example
   * const store = RunStore.open('exp');
   * const id = store.createRun({ kind: 'train', config: { lr: 0.1 } });
   * store.logMetrics(id, 0, { loss: 2.3 });
   * store.flush(); // visible to other processes now
   * store.close();
   */
  flush(): void {
    if (this.closed || this.readonly) return;
    this.guard('cannot write metrics', () => this.commitTx());
    this.pending = [];
    this.lastCommit = this.now();
  }

  /**
   * Refreshes the heartbeat of this process's runs; call it during long phases that log nothing.
   * @example
   * const store = RunStore.open('exp');
   * store.heartbeat(); // e.g. every few seconds during a long evaluation that logs nothing
   * store.close();
   */
  heartbeat(): void {
    this.flush();
  }

  /**
   * Records an event (epoch end, early stop, a message...) with optional JSON data; commits at once.
   *
   * @example
   * store.logEvent(id, 'epoch', { epoch: 1, valAcc: 0.93 }, 468);
   */
  logEvent(runId: string, type: string, data: JsonValue = null, step?: number): void {
    this.activeRun(runId, 'logEvent');
    if (typeof type !== 'string' || type === '')
      throw new ArgumentError('logEvent: type must be a non-empty string');
    if (step !== undefined) checkStep(step, 'logEvent');
    const json = JSON.stringify(checkJson(data, 'logEvent: data'));
    this.write('cannot write an event', () =>
      this.stmt.insertEvent.run(runId, this.now(), step ?? null, type, json),
    );
  }

  /**
   * Stores the run's final results (replacing earlier ones).
   *
   * @example
   * store.setResult(id, { testAcc: 0.912, testLoss: 0.27 });
   */
  setResult(runId: string, results: JsonObject): void {
    this.activeRun(runId, 'setResult');
    const json = JSON.stringify(checkJsonObject(results, 'setResult: results'));
    this.write('cannot write results', () => this.stmt.setResults.run(json, this.now(), runId));
  }

  /**
   * Records the path of a checkpoint written at `step` (the file itself is written by the caller).
   *
   * @example
   * store.addCheckpoint(id, 1000, 'checkpoints/step-1000.safetensors');
   */
  addCheckpoint(runId: string, step: number, file: string): void {
    this.activeRun(runId, 'addCheckpoint');
    checkStep(step, 'addCheckpoint');
    if (typeof file !== 'string' || file === '')
      throw new ArgumentError('addCheckpoint: path must be a non-empty string');
    this.write('cannot record a checkpoint', () =>
      this.stmt.insertCheckpoint.run(runId, step, path.resolve(file), this.now()),
    );
  }

  /**
   * Ends a run: commits its pending metrics and sets its final status (`error` says why it failed).
   *
   * @example
   * store.finishRun(id, 'completed');
   * store.finishRun(id2, 'failed', 'ShapeError: ...');
   */
  finishRun(runId: string, status: FinishStatus, error?: string): void {
    this.activeRun(runId, 'finishRun');
    if (status !== 'completed' && status !== 'failed' && status !== 'interrupted') {
      throw new ArgumentError(
        `finishRun: status must be 'completed', 'failed' or 'interrupted', got '${String(status)}'`,
      );
    }
    const now = this.now();
    this.write('cannot finish the run', () => {
      this.stmt.finish.run(status, error ?? null, now, now, runId);
      this.leases.release(runId, now);
    });
    this.active.delete(runId);
    this.leased.delete(runId);
  }

  /**
   * Runs, most recent first, with their last metric values. Runs whose process died are
   * reported (and, unless read-only, recorded) as `interrupted`.
   *
   * @example
   * store.listRuns({ kind: 'train', status: 'completed', limit: 10 });
   */
  listRuns(filter: RunFilter = {}): RunSummary[] {
    this.open('listRuns');
    if (this.pending.length > 0) this.flush();
    return this.guard('cannot list runs', () => {
      const interrupted = this.reconcile();
      const where: string[] = [];
      const args: string[] = [];
      if (filter.kind !== undefined) {
        where.push('kind = ?');
        args.push(filter.kind);
      }
      if (filter.name !== undefined) {
        where.push("instr(coalesce(name, ''), ?) > 0");
        args.push(filter.name);
      }
      if (filter.tag !== undefined) {
        where.push('id IN (SELECT run_id FROM tags WHERE tag = ?)');
        args.push(filter.tag);
      }
      if (filter.group !== undefined) {
        where.push('id IN (SELECT run_id FROM group_runs WHERE group_id = ?)');
        args.push(filter.group);
      }
      const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id`;
      const out: RunSummary[] = [];
      for (const row of this.db.prepare(sql).all(...args) as RunRow[]) {
        const summary = this.summary(row, interrupted);
        if (filter.status !== undefined && summary.status !== filter.status) continue;
        out.push(summary);
        if (filter.limit !== undefined && out.length >= filter.limit) break;
      }
      return out;
    });
  }

  /**
   * One run with its metric series, events and checkpoints (pending metrics of this instance are
   * committed first). `id` may be a unique prefix.
   * Throws StoreError for an unknown or ambiguous id.
   *
   * @example
   * const run = store.getRun('k7m');
   * run.metrics.loss; // { steps: [0, 1, ...], values: [2.3, 2.1, ...] }
   */
  getRun(id: string): RunDetail {
    this.open('getRun');
    if (this.pending.length > 0) this.flush();
    const runId = this.resolveId(id);
    return this.guard('cannot read the run', () => {
      const interrupted = this.reconcile();
      const row = this.stmt.runById.get(runId) as RunRow;
      const metrics: Record<string, MetricSeries> = {};
      for (const m of this.stmt.metrics.all(runId) as {
        name: string;
        step: number;
        value: number | null;
      }[]) {
        const series = (metrics[m.name] ??= { steps: [], values: [] });
        series.steps.push(m.step);
        series.values.push(m.value ?? NaN);
      }
      const events: RunEvent[] = (
        this.stmt.events.all(runId) as {
          time: number;
          step: number | null;
          type: string;
          data: string | null;
        }[]
      ).map((e) => ({
        time: e.time,
        step: e.step,
        type: e.type,
        data: e.data === null ? null : (JSON.parse(e.data) as JsonValue),
      }));
      const checkpoints = this.stmt.checkpoints.all(runId) as CheckpointRecord[];
      return { ...this.summary(row, interrupted), metrics, events, checkpoints };
    });
  }

  /**
   * A run as text: `csv` has one row per step and one column per metric (empty cells where a
   * metric was not logged); `json` is the whole `getRun` record (NaN becomes null).
   *
   * @example
   * writeFileSync('run.csv', store.exportRun(id, 'csv')); // step,acc,loss\n0,0.1,2.3\n...
   */
  exportRun(id: string, format: ExportFormat): string {
    if (format !== 'csv' && format !== 'json') {
      throw new ArgumentError(`exportRun: format must be 'csv' or 'json', got '${String(format)}'`);
    }
    const run = this.getRun(id);
    return format === 'csv' ? runToCsv(run) : runToJson(run);
  }

  /**
   * Forgets a checkpoint record (its file was deleted, e.g. rotated away by `keepLast`).
   *
   * @example
   * store.removeCheckpoint(id, 1000);
   */
  removeCheckpoint(runId: string, step: number): void {
    this.activeRun(runId, 'removeCheckpoint');
    checkStep(step, 'removeCheckpoint');
    this.write('cannot remove a checkpoint', () => this.stmt.deleteCheckpoint.run(runId, step));
  }

  /**
   * Keeps the run's heartbeat and lease fresh from a worker thread every `intervalMs` (default
   * 2 s) until the returned function is called (or the run finishes or the store closes): for runs
   * whose work is synchronous and logs nothing for long stretches, such as recipes.
   *
   * @example
   * const stop = store.keepAlive(id);
   * heavySynchronousWork();
   * stop();
   */
  keepAlive(runId: string, intervalMs = 2000): () => void {
    this.activeRun(runId, 'keepAlive');
    const stop = startKeepAlive({
      file: this.path,
      runId,
      owner: this.leaseOwner,
      ttlMs: this.leaseTtlMs,
      intervalMs,
    });
    this.keepAlives.add(stop);
    return () => {
      if (this.keepAlives.delete(stop)) stop();
    };
  }

  /**
   * Forgets the checkpoint records of a run whose files no longer exist (deleted by rotation,
   * `keepLast`, or by hand); returns the steps forgotten.
   *
   * @example
   * store.pruneCheckpoints(id); // [1000, 2000]
   */
  pruneCheckpoints(runId: string): number[] {
    this.activeRun(runId, 'pruneCheckpoints');
    const gone = (
      this.guard('cannot read checkpoints', () => this.stmt.checkpoints.all(runId)) as CheckpointRecord[]
    )
      .filter((c) => !existsSync(c.path))
      .map((c) => c.step);
    if (gone.length > 0)
      this.write('cannot remove checkpoints', () => {
        for (const step of gone) this.stmt.deleteCheckpoint.run(runId, step);
      });
    return gone;
  }

  /**
   * Adds tags to a run (any run, finished or not; existing tags are kept once).
   *
   * @example
   * store.addTags(id, 'baseline', 'lr=1e-3');
   */
  addTags(runId: string, ...tags: string[]): void {
    this.writable('addTags');
    const id = this.resolveId(runId);
    const checked = tags.map((t) => checkTag(t, 'addTags'));
    this.write('cannot tag the run', () => this.groupTables.addTags(id, checked));
  }

  /**
   * Removes tags from a run (absent ones are ignored).
   *
   * @example
   * store.removeTags(id, 'baseline');
   */
  removeTags(runId: string, ...tags: string[]): void {
    this.writable('removeTags');
    const id = this.resolveId(runId);
    const checked = tags.map((t) => checkTag(t, 'removeTags'));
    this.write('cannot untag the run', () => this.groupTables.removeTags(id, checked));
  }

  /**
   * Creates a group: a comparison of runs or a sweep, with its definition as JSON. Returns its id.
   *
   * @example
   * const g = store.createGroup({ kind: 'sweep', name: 'lr', config: { grid: { lr: [1e-3, 1e-2] } } });
   * store.addToGroup(g, runId);
   * store.listRuns({ group: g });
   */
  createGroup(spec: CreateGroupSpec): string {
    this.writable('createGroup');
    if (typeof spec !== 'object' || spec === null || !(GROUP_KINDS as readonly unknown[]).includes(spec.kind))
      throw new ArgumentError(
        `createGroup: kind must be one of ${GROUP_KINDS.join(', ')}, got ${JSON.stringify((spec as { kind?: unknown } | null)?.kind)}`,
      );
    if (spec.name !== undefined && typeof spec.name !== 'string')
      throw new ArgumentError(`createGroup: name must be a string, got ${typeof spec.name}`);
    const config = checkJsonObject(spec.config, 'createGroup: config');
    return this.guard('cannot create a group', () => {
      for (let attempt = 0; ; attempt++) {
        const id = newRunId(8);
        try {
          this.write('cannot create a group', () =>
            this.groupTables.insertGroup(id, spec.kind, spec.name ?? null, config, this.now()),
          );
          return id;
        } catch (e) {
          const code = (e as { message?: string }).message ?? '';
          if (!code.includes('SQLITE_CONSTRAINT_PRIMARYKEY') || attempt >= 8) throw e;
        }
      }
    });
  }

  /**
   * Puts a run in a group (a run may belong to several; adding twice keeps it once).
   *
   * @example
   * store.addToGroup(groupId, runId);
   */
  addToGroup(groupId: string, runId: string): void {
    this.writable('addToGroup');
    this.getGroup(groupId);
    const id = this.resolveId(runId);
    this.write('cannot add to the group', () => this.groupTables.addRun(groupId, id, this.now()));
  }

  /**
   * Takes a run out of a group.
   *
   * @example
   * store.removeFromGroup(groupId, runId);
   */
  removeFromGroup(groupId: string, runId: string): void {
    this.writable('removeFromGroup');
    this.getGroup(groupId);
    const id = this.resolveId(runId);
    this.write('cannot remove from the group', () => this.groupTables.removeRun(groupId, id));
  }

  /**
   * Deletes a group (its runs stay).
   *
   * @example
   * store.deleteGroup(groupId);
   */
  deleteGroup(groupId: string): void {
    this.writable('deleteGroup');
    this.getGroup(groupId);
    this.write('cannot delete the group', () => this.groupTables.deleteGroup(groupId));
  }

  /**
   * One group with its runs' ids (in the order they were added); RunNotFoundError if unknown.
   *
   * @example
   * store.getGroup(g).runIds; // ['k7m2xq', 'p3v9aa']
   */
  getGroup(groupId: string): RunGroup {
    this.open('getGroup');
    if (typeof groupId !== 'string')
      throw new RunNotFoundError(`no group ${JSON.stringify(groupId)} in ${this.path}`);
    return this.guard('cannot read the group', () => this.groupTables.group(groupId, this.path));
  }

  /**
   * Groups, newest first, optionally of one kind.
   *
   * @example
   * store.listGroups({ kind: 'sweep' });
   */
  listGroups(filter: { kind?: GroupKind } = {}): RunGroup[] {
    this.open('listGroups');
    return this.guard('cannot list groups', () => this.groupTables.groups(filter.kind));
  }

  /**
   * Registers a file a run produced (plot, report, model...). `bytes` defaults to the file's size
   * (the file must exist then); the path is stored absolute; registering the same path again
   * replaces its record.
   *
   * @example
   * store.addArtifact(id, { kind: 'plot', path: 'fig2.svg', mime: 'image/svg+xml', metadata: { figure: 2 } });
   */
  addArtifact(runId: string, spec: AddArtifactSpec): ArtifactRecord {
    this.writable('addArtifact');
    const id = this.resolveId(runId);
    if (typeof spec !== 'object' || spec === null)
      throw new ArgumentError('addArtifact: expected a spec object');
    if (typeof spec.kind !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(spec.kind))
      throw new ArgumentError(
        `addArtifact: kind must be a short lowercase word such as 'plot' or 'report', got ${JSON.stringify(spec.kind)}`,
      );
    if (typeof spec.path !== 'string' || spec.path === '')
      throw new ArgumentError('addArtifact: path must be a non-empty string');
    if (typeof spec.mime !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(spec.mime))
      throw new ArgumentError(
        `addArtifact: mime must be a media type such as 'image/svg+xml', got ${JSON.stringify(spec.mime)}`,
      );
    const file = path.resolve(spec.path);
    let bytes = spec.bytes;
    if (bytes === undefined) {
      try {
        bytes = statSync(file).size;
      } catch (e) {
        throw new ArgumentError(
          `addArtifact: cannot read the size of ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass bytes or write the file first`,
        );
      }
    } else if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new ArgumentError(`addArtifact: bytes must be a non-negative integer, got ${String(bytes)}`);
    }
    const metadata = checkJsonObject(spec.metadata ?? {}, 'addArtifact: metadata');
    let record: ArtifactRecord | undefined;
    this.write('cannot register the artifact', () => {
      record = this.artifacts.add(
        { runId: id, kind: spec.kind, path: file, mime: spec.mime, bytes: bytes!, metadata },
        this.now(),
      );
    });
    return record!;
  }

  /**
   * A run's artifacts in the order registered, optionally of one kind.
   *
   * @example
   * store.listArtifacts(id, { kind: 'plot' }); // [{ id: 1, path: '/abs/fig2.svg', mime: 'image/svg+xml', bytes: 5120, ... }]
   */
  listArtifacts(runId: string, filter: { kind?: string } = {}): ArtifactRecord[] {
    this.open('listArtifacts');
    const id = this.resolveId(runId);
    return this.guard('cannot list artifacts', () => this.artifacts.list(id, filter.kind));
  }

  /**
   * Forgets an artifact record by its id (the file itself is left alone); false if there was none.
   *
   * @example
   * store.removeArtifact(record.id);
   */
  removeArtifact(artifactId: number): boolean {
    this.writable('removeArtifact');
    let removed = false;
    this.write('cannot remove the artifact', () => (removed = this.artifacts.delete(artifactId)));
    return removed;
  }

  /**
   * The short id of the run with this job id (a UUID), or RunNotFoundError.
   *
   * @example
   * store.runIdOfJob(run.jobId); // 'k7m2xq'
   */
  runIdOfJob(jobId: string): string {
    this.open('runIdOfJob');
    const row = this.guard(
      'cannot read the run',
      () => this.stmt.runByJob.get(jobId) as { id: string } | undefined,
    );
    if (row === undefined)
      throw new RunNotFoundError(`no run with job id ${JSON.stringify(jobId)} in ${this.path}`);
    return row.id;
  }

  /**
   * Commits pending metrics, releases this instance's leases and closes the file; further calls throw StoreError. Idempotent.
   * @example
   * const store = RunStore.open('exp');
   * console.log(store.listRuns().length);
   * store.close();
   */
  close(): void {
    if (this.closed) return;
    for (const stop of this.keepAlives) stop();
    this.keepAlives.clear();
    try {
      if (!this.readonly && this.leased.size > 0) {
        const ids = [...this.leased];
        this.leased.clear();
        this.write('cannot release leases', () => {
          for (const id of ids) this.leases.release(id, this.now());
        });
      }
      this.flush();
    } finally {
      this.closed = true;
      process.off('exit', this.onExit);
      this.db.close();
    }
  }

  /**
   * `using store = RunStore.open()` closes it at the end of the block.
   * @example
   * function countRuns(): number {
   *   using store = RunStore.open('exp');
   *   return store.listRuns().length;
   * } // the store is closed when the function returns
   * countRuns();
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Marks dead runs interrupted (persisted unless read-only); returns their ids either way. */
  private reconcile(): Set<string> {
    const now = this.now();
    const dead = new Set<string>();
    const rows = this.stmt.runningRuns.all() as {
      id: string;
      pid: number | null;
      hostname: string | null;
      heartbeat_at: number;
    }[];
    for (const r of rows) {
      if (this.active.has(r.id)) continue;
      if (
        isInterrupted(
          { pid: r.pid, hostname: r.hostname, heartbeatAt: r.heartbeat_at },
          now,
          this.staleAfterMs,
        )
      ) {
        dead.add(r.id);
        if (!this.readonly) this.stmt.markInterrupted.run(r.id, r.heartbeat_at);
      }
    }
    return dead;
  }

  private summary(row: RunRow, interrupted: Set<string>): RunSummary {
    const lastMetrics: Record<string, number> = {};
    for (const m of this.stmt.lastMetrics.all(row.id) as { name: string; value: number | null }[]) {
      lastMetrics[m.name] = m.value ?? NaN;
    }
    const isDead = row.status === 'running' && interrupted.has(row.id);
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      status: isDead ? 'interrupted' : row.status,
      startedAt: row.started_at,
      finishedAt: isDead ? row.heartbeat_at : row.finished_at,
      heartbeatAt: row.heartbeat_at,
      pid: row.pid,
      hostname: row.hostname,
      config: JSON.parse(row.config) as JsonObject,
      env: JSON.parse(row.env) as RunEnv,
      results: row.results === null ? null : (JSON.parse(row.results) as JsonObject),
      error: row.error,
      lastMetrics,
      jobId: row.job_id ?? '',
      tags: this.groupTables.tagsOf(row.id),
      groups: this.groupTables.groupsOf(row.id),
    };
  }

  /** Exact id, else a unique prefix of one; StoreError otherwise. */
  private resolveId(id: string): string {
    this.open('getRun');
    if (typeof id !== 'string' || !isRunIdLike(id)) {
      throw new RunNotFoundError(
        `no run ${JSON.stringify(id)} in ${this.path}: run ids are short lowercase words such as 'k7m2xq'`,
      );
    }
    return this.guard('cannot read the run', () => {
      if (this.stmt.runById.get(id) !== undefined) return id;
      const matches = (this.stmt.runsByPrefix.all({ p: id }) as { id: string }[]).map((r) => r.id);
      if (matches.length === 1) return matches[0];
      if (matches.length === 0)
        throw new RunNotFoundError(`no run '${id}' in ${this.path} (gradlab runs lists them)`);
      throw new RunNotFoundError(
        `run id '${id}' is ambiguous in ${this.path}: it starts ${matches.join(', ')}${matches.length > 5 ? ', ...' : ''}`,
      );
    });
  }

  /** Commits pending metrics plus one more write in the same transaction. */
  private write(what: string, extra: () => void): void {
    this.guard(what, () => this.commitTx(extra));
    this.pending = [];
    this.lastCommit = this.now();
  }

  private activeRun(runId: string, op: string): void {
    this.writable(op);
    if (!this.active.has(runId)) {
      throw new ArgumentError(
        `${op}: run '${String(runId)}' is not open in this process (createRun or reopenRun it first, and do not use it after finishRun)`,
      );
    }
  }

  private writable(op: string): void {
    this.open(op);
    if (this.readonly) throw new StoreError(`${op}: the run store ${this.path} was opened read-only`);
  }

  private open(op: string): void {
    if (this.closed) throw new StoreError(`${op}: the run store ${this.path} is closed`);
  }

  /** Runs fn and turns SQLite failures into StoreError naming the store path. */
  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.wrap(e, what);
    }
  }

  private wrap(e: unknown, what: string): Error {
    if (e instanceof GradlabError) return e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) {
      const base = Object.keys(SQLITE_FAILURES).find((k) => code === k || code.startsWith(`${k}_`));
      const why = base !== undefined ? SQLITE_FAILURES[base] : 'SQLite failed';
      return new StoreError(
        `run store ${this.path}: ${what}: ${why} (${code}: ${(e as Error).message}); expected a gradlab run store (SQLite)`,
      );
    }
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Checks the path before SQLite sees it: a file with SQLite's header, or a creatable location. */
function checkFile(file: string, create: boolean): void {
  if (!existsSync(file)) {
    if (!create) {
      throw new StoreError(`no run store at ${file} (nothing has been run with this store yet)`);
    }
    try {
      makeDirs(path.dirname(file));
    } catch (e) {
      throw new StoreError(
        `cannot create the run store ${file}: ${(e as NodeJS.ErrnoException).code ?? ''} ${(e as Error).message}`.trim(),
      );
    }
    return;
  }
  const st = statSync(file);
  if (!st.isFile())
    throw new StoreError(`run store ${file} is not a regular file; expected an SQLite database file`);
  const head = Buffer.alloc(16);
  let n = 0;
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    n = readSync(fd, head, 0, 16, 0);
  } catch (e) {
    throw new StoreError(`cannot read the run store ${file}: ${(e as Error).message}`);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
  if (!hasSqliteHeader(head.subarray(0, n))) {
    throw new StoreError(
      `run store ${file} is not an SQLite database: expected a file starting with "SQLite format 3", ` +
        `found ${describeHead(head.subarray(0, n), st.size)} — pass another path with --store or $GRADLAB_STORE`,
    );
  }
}

function describeHead(head: Buffer, size: number): string {
  const text = head.toString('latin1');
  if (/^[\x20-\x7e\t\r\n]+$/.test(text))
    return `text ${JSON.stringify(text.slice(0, 12) + (size > 12 ? '...' : ''))}`;
  return `${size} bytes of other data`;
}

function checkStep(step: number, op: string): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new ArgumentError(`${op}: step must be a non-negative integer, got ${String(step)}`);
  }
}

function positiveOption(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!(typeof v === 'number' && v > 0))
    throw new ArgumentError(`RunStore.open: ${name} must be > 0, got ${String(v)}`);
  return v;
}

function nonNegativeOption(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!(typeof v === 'number' && v >= 0))
    throw new ArgumentError(`RunStore.open: ${name} must be >= 0, got ${String(v)}`);
  return v;
}
