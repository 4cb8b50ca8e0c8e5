// The store's schema version, the checks run when a file is opened, and the migration runner.
import type Database from 'better-sqlite3';
import { StoreError } from '../core/errors.js';
import { StoreVersionError } from './errors.js';
import { DDL_V1, MIGRATIONS } from './migrations.js';
import type { Migration } from './migrations.js';

/** Schema version this gradlab writes (the last migration's); stores with a higher version are refused. */
export const SCHEMA_VERSION: number = MIGRATIONS.length > 0 ? MIGRATIONS[MIGRATIONS.length - 1].to : 1;

/** `PRAGMA application_id` of a gradlab store ("GLRS"), so other SQLite files are recognised. */
export const APPLICATION_ID = 0x474c5253;

/** True if the file header is SQLite's ("SQLite format 3\0"); an empty file counts as new. */
export function hasSqliteHeader(head: Buffer): boolean {
  return head.length === 0 || head.subarray(0, 16).toString('latin1') === 'SQLite format 3\u0000';
}

function tableNames(db: Database.Database): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
    (r) => r.name,
  );
}

function currentVersion(db: Database.Database, file: string): { v: number; w: string | null } {
  const row = db
    .prepare('SELECT version AS v, written_by AS w FROM schema_version ORDER BY version DESC LIMIT 1')
    .get() as { v: number; w: string } | undefined;
  if (row === undefined) throw new StoreError(`run store ${file}: schema_version table is empty`);
  return row;
}

/**
 * Creates the schema in an empty database, or checks an existing one and migrates it: it must be a
 * gradlab store, and its version no newer than the code's (else StoreVersionError). Older stores
 * run the missing migrations in one IMMEDIATE transaction (so two processes never both migrate,
 * and a crash part-way leaves the old store as it was). `migrations` is for tests.
 */
export function ensureSchema(
  db: Database.Database,
  file: string,
  writable: boolean,
  version: string,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  const target = migrations.length > 0 ? migrations[migrations.length - 1].to : 1;
  const tables = tableNames(db);
  if (tables.length === 0) {
    if (!writable) throw new StoreError(`run store ${file}: empty database opened read-only`);
    db.transaction(() => {
      if (tableNames(db).length > 0) return; // another process created it meanwhile
      db.exec(DDL_V1);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.prepare('INSERT INTO schema_version (version, written_by, created_at) VALUES (1, ?, ?)').run(
        `gradlab ${version}`,
        Date.now(),
      );
      migrate(db, file, version, migrations);
    }).immediate();
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
  const { v, w } = currentVersion(db, file);
  if (v > target) {
    throw new StoreVersionError(
      `run store ${file} has schema version ${v} (written by ${w ?? 'a newer gradlab'}); ` +
        `this gradlab ${version} reads schema versions up to ${target} — upgrade gradlab or use another --store`,
      v,
      target,
    );
  }
  if (v === target) return;
  if (!writable)
    throw new StoreVersionError(
      `run store ${file} has schema version ${v} and must be migrated to version ${target} before it can be read; ` +
        `open it once without read-only (any gradlab command that writes, e.g. 'gradlab runs')`,
      v,
      target,
    );
  db.transaction(() => migrate(db, file, version, migrations)).immediate();
}

/** Runs the migrations after the store's current version; the caller holds the transaction. */
function migrate(
  db: Database.Database,
  file: string,
  version: string,
  migrations: readonly Migration[],
): void {
  const { v } = currentVersion(db, file); // re-read inside the transaction: another process may have migrated
  const record = db.prepare('INSERT INTO schema_version (version, written_by, created_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.to <= v) continue;
    m.up(db);
    record.run(m.to, `gradlab ${version}`, Date.now());
  }
}
