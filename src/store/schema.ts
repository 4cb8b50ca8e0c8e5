// The store's SQLite schema, its version table, and the checks run when a file is opened.
import type Database from 'better-sqlite3';
import { StoreError } from '../core/errors.js';

/** Schema version this gradlab writes; stores with a higher version are refused. */
export const SCHEMA_VERSION = 1;

/** `PRAGMA application_id` of a gradlab store ("GLRS"), so other SQLite files are recognised. */
export const APPLICATION_ID = 0x474c5253;

const DDL_V1 = `
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

/** True if the file header is SQLite's ("SQLite format 3\0"); an empty file counts as new. */
export function hasSqliteHeader(head: Buffer): boolean {
  return head.length === 0 || head.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000';
}

/**
 * Creates the schema in an empty database, or checks an existing one: it must be a gradlab store
 * and its version no newer than `SCHEMA_VERSION`. Throws StoreError naming `file` otherwise.
 */
export function ensureSchema(db: Database.Database, file: string, writable: boolean, version: string): void {
  const tables = (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]
  ).map((r) => r.name);
  if (tables.length === 0) {
    if (!writable) throw new StoreError(`run store ${file}: empty database opened read-only`);
    db.transaction(() => {
      db.exec(DDL_V1);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.prepare('INSERT INTO schema_version (version, written_by, created_at) VALUES (?, ?, ?)').run(
        SCHEMA_VERSION,
        `gradlab ${version}`,
        Date.now(),
      );
    })();
    return;
  }
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (!tables.includes('schema_version') || appId !== APPLICATION_ID) {
    throw new StoreError(
      `run store ${file}: this is an SQLite database but not a gradlab run store ` +
        `(tables: ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}); ` +
        `expected a store created by gradlab — pass another path with --store or $GRADLAB_STORE`,
    );
  }
  const row = db.prepare('SELECT max(version) AS v, max(written_by) AS w FROM schema_version').get() as {
    v: number | null;
    w: string | null;
  };
  if (row.v === null) throw new StoreError(`run store ${file}: schema_version table is empty`);
  if (row.v > SCHEMA_VERSION) {
    throw new StoreError(
      `run store ${file} has schema version ${row.v} (written by ${row.w ?? 'a newer gradlab'}); ` +
        `this gradlab ${version} reads schema versions up to ${SCHEMA_VERSION} — upgrade gradlab or use another --store`,
    );
  }
  // Versions below SCHEMA_VERSION would be migrated here; version 1 is the first.
}
