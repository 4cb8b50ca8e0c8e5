// The store's numbered schema migrations: migration N turns a version-N store into version N+1.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

/** One step of the schema's history; `up` runs inside the transaction that also bumps the version. */
export interface Migration {
  /** The version this migration produces. */
  readonly to: number;
  /** What it adds, for the version table and the docs. */
  readonly summary: string;
  /** Applies the schema change to an open database. */
  readonly up: (db: Database.Database) => void;
}

/** Version 1: runs, metrics, events, checkpoints (the first schema; a new store starts here and migrates). */
export const DDL_V1 = `
CREATE TABLE schema_version (
  version INTEGER NOT NULL,
  written_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
  config TEXT NOT NULL,
  env TEXT NOT NULL,
  results TEXT,
  error TEXT,
  pid INTEGER,
  hostname TEXT,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX runs_started ON runs (started_at);
CREATE TABLE metrics (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  step INTEGER NOT NULL,
  value REAL,
  time INTEGER NOT NULL,
  PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  step INTEGER,
  type TEXT NOT NULL,
  data TEXT
);
CREATE INDEX events_run ON events (run_id, id);
CREATE TABLE checkpoints (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  path TEXT NOT NULL,
  time INTEGER NOT NULL,
  PRIMARY KEY (run_id, step)
);
`;

const DDL_V2 = `
ALTER TABLE runs ADD COLUMN job_id TEXT;
CREATE TABLE leases (
  run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  hostname TEXT NOT NULL,
  process_started_at INTEGER NOT NULL,
  acquired_at INTEGER NOT NULL,
  renewed_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE tags (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (tag, run_id);
CREATE TABLE groups (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('comparison', 'sweep')),
  name TEXT,
  config TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE group_runs (
  group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  added_at INTEGER NOT NULL,
  UNIQUE (group_id, run_id)
);
CREATE INDEX group_runs_run ON group_runs (run_id);
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  mime TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (run_id, path)
);
CREATE INDEX artifacts_run ON artifacts (run_id, kind);
`;

/**
 * Every migration, in order: `MIGRATIONS[i].to === i + 2`. A new store is created at version 1 and
 * walks the same list, so every store, old or new, has one history. Add a migration at the end;
 * never edit one that has shipped.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    to: 2,
    summary: 'run leases, tags, groups (comparisons, sweeps), a unique job id per run, artifacts',
    up(db) {
      db.exec(DDL_V2);
      const setJob = db.prepare('UPDATE runs SET job_id = ? WHERE id = ?');
      for (const r of db.prepare('SELECT id FROM runs').all() as { id: string }[])
        setJob.run(randomUUID(), r.id);
      db.exec('CREATE UNIQUE INDEX runs_job ON runs (job_id)');
    },
  },
];
