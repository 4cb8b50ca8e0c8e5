// Schema migrations: the committed v1 store opens and migrates; failures and crashes mid-migration leave v1 intact.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, RunStore, SCHEMA_VERSION, StoreVersionError } from '../../src/store/index.js';
import { ensureSchema } from '../../src/store/schema.js';
import { distFile } from '../helpers/dist.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const V1 = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/store/v1/runs.db');

/** A copy of the committed v1 store (written by test/fixtures/store/make-v1-store.ts with the v1 code). */
function v1Copy(): string {
  const file = path.join(tempDir(), 'runs.db');
  copyFileSync(V1, file);
  return file;
}

/** What a raw reader sees: versions recorded, tables, and the runs' ids and statuses. */
function inspect(file: string): { versions: number[]; tables: string[]; runs: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const versions = (
      db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[]
    ).map((r) => r.version);
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
        name: string;
      }[]
    ).map((r) => r.name);
    const runs = (
      db.prepare('SELECT id, status FROM runs ORDER BY id').all() as { id: string; status: string }[]
    ).map((r) => `${r.id}:${r.status}`);
    return { versions, tables, runs };
  } finally {
    db.close();
  }
}

const V1_TABLES = ['checkpoints', 'events', 'metrics', 'runs', 'schema_version'];
const V1_RUNS = ['37ep4w:failed', 'xhbpwd:completed'];

describe('schema migrations', () => {
  it('the list is numbered 2, 3, ... without gaps and ends at SCHEMA_VERSION', () => {
    expect(MIGRATIONS.map((m) => m.to)).toEqual(MIGRATIONS.map((_, i) => i + 2));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS[MIGRATIONS.length - 1].to);
  });

  it('the committed v1 store is what the test expects', () => {
    expect(inspect(V1)).toEqual({ versions: [1], tables: V1_TABLES, runs: V1_RUNS });
  });

  it('opens the committed v1 store, migrates it, and keeps every run, metric, event and checkpoint', () => {
    const file = v1Copy();
    const store = RunStore.open(file);
    const runs = store.listRuns();
    expect(runs.map((r) => `${r.id}:${r.status}`).sort()).toEqual(V1_RUNS);
    const a = store.getRun('xhbpwd');
    expect(a.name).toBe('mlp-digits');
    expect(a.config).toEqual({ lr: 0.01, epochs: 2 });
    expect(a.metrics.loss.values).toHaveLength(10);
    expect(a.metrics.loss.values[1]).toBe(1);
    expect(a.events).toHaveLength(1);
    expect(a.checkpoints.map((c) => c.step)).toEqual([5, 10]);
    expect(a.results).toEqual({ testAccuracy: 0.9 });
    expect(store.getRun('37ep4w').error).toBe('ShapeError: nope');
    // v2 fields: a distinct UUID job id per existing run, no tags or groups yet
    const jobs = runs.map((r) => r.jobId);
    for (const j of jobs) expect(j).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(jobs).size).toBe(2);
    expect(store.runIdOfJob(a.jobId)).toBe('xhbpwd');
    expect(a.tags).toEqual([]);
    expect(a.groups).toEqual([]);
    // and the v2 tables work on the migrated store
    store.addTags('xhbpwd', 'baseline');
    expect(store.listRuns({ tag: 'baseline' }).map((r) => r.id)).toEqual(['xhbpwd']);
    store.close();
    const after = inspect(file);
    expect(after.versions).toEqual([1, 2]);
    expect(after.tables).toEqual(
      [...V1_TABLES, 'artifacts', 'group_runs', 'groups', 'leases', 'tags'].sort(),
    );
    // opening again migrates nothing more
    RunStore.open(file).close();
    expect(inspect(file).versions).toEqual([1, 2]);
  });

  it('a read-only open of a v1 store is a StoreVersionError asking for a writable open', () => {
    const file = v1Copy();
    let err: unknown;
    try {
      RunStore.open(file, { readonly: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreVersionError);
    expect((err as StoreVersionError).found).toBe(1);
    expect((err as StoreVersionError).expected).toBe(SCHEMA_VERSION);
    expect((err as Error).message).toContain('must be migrated');
    expect(inspect(file).versions).toEqual([1]);
  });

  it('a migration that throws part-way leaves the v1 store exactly as it was', () => {
    const file = v1Copy();
    const db = new Database(file);
    const failing = [
      {
        to: 2,
        summary: 'v2, then a failure',
        up(d: Database.Database) {
          MIGRATIONS[0].up(d); // every v2 table is created...
          throw new Error('disk on fire'); // ...and then the step fails
        },
      },
    ];
    expect(() => ensureSchema(db, file, true, 'test', failing)).toThrow('disk on fire');
    db.close();
    expect(inspect(file)).toEqual({ versions: [1], tables: V1_TABLES, runs: V1_RUNS });
    // the real migration still works afterwards
    RunStore.open(file).close();
    expect(inspect(file).versions).toEqual([1, 2]);
  });

  it('a process SIGKILLed in the middle of a migration leaves the v1 store intact and migratable', () => {
    const file = v1Copy();
    const schemaUrl = pathToFileURL(distFile('src/store/schema.js')).href;
    const migUrl = pathToFileURL(distFile('src/store/migrations.js')).href;
    const child = `
      import Database from 'better-sqlite3';
      import { ensureSchema } from ${JSON.stringify(schemaUrl)};
      import { MIGRATIONS } from ${JSON.stringify(migUrl)};
      const db = new Database(process.argv[1]);
      db.pragma('journal_mode = WAL');
      ensureSchema(db, process.argv[1], true, 'test', [
        { to: 2, summary: 'crash', up(d) { MIGRATIONS[0].up(d); process.kill(process.pid, 'SIGKILL'); } },
      ]);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, file], {
      encoding: 'utf8',
      cwd: path.dirname(distFile('src/store/schema.js')),
      timeout: 20_000,
    });
    expect(r.signal).toBe('SIGKILL');
    expect(inspect(file)).toEqual({ versions: [1], tables: V1_TABLES, runs: V1_RUNS });
    const store = RunStore.open(file);
    expect(
      store
        .listRuns()
        .map((x) => x.id)
        .sort(),
    ).toEqual(['37ep4w', 'xhbpwd']);
    store.close();
    expect(inspect(file).versions).toEqual([1, 2]);
  });
});
