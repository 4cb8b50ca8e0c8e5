// RunStore: round trips, batched commits, filters, exports, validation and the named StoreErrors.
import { writeFileSync, readFileSync, truncateSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ArgumentError, StoreError } from '../../src/core/errors.js';
import { RunStore, SCHEMA_VERSION, resolveStorePath, storeCheckpointsDir } from '../../src/store/index.js';
import type { StoreOptions } from '../../src/store/index.js';
import { isInterrupted } from '../../src/store/liveness.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { errorOf } from '../helpers/catch-error.js';

const tempDir = useTempDirs();

/** A store in a fresh temp dir with a manual clock (ms) that tests advance. */
function fresh(options: StoreOptions = {}): { store: RunStore; file: string; clock: { t: number } } {
  const clock = { t: 1_700_000_000_000 };
  const file = path.join(tempDir(), 'runs.db');
  const store = RunStore.open(file, { now: () => clock.t, ...options });
  return { store, file, clock };
}

describe('RunStore round trip', () => {
  it('stores config, env, metrics, events, results and checkpoints of a run', () => {
    const { store, clock } = fresh();
    const id = store.createRun({
      kind: 'train',
      name: 'mlp',
      config: { lr: 0.001, layers: [784, 10] },
      env: { backend: 'js' },
    });
    expect(id).toMatch(/^[a-z2-9]{6}$/);
    for (let step = 0; step < 50; step++) {
      clock.t += 10;
      store.logMetrics(id, step, {
        loss: 1 / (step + 1),
        ...(step % 10 === 9 ? { valAcc: step / 100 } : {}),
      });
    }
    store.logEvent(id, 'epoch', { epoch: 1 }, 49);
    store.addCheckpoint(id, 49, 'ckpt/step-49.safetensors');
    store.setResult(id, { testAcc: 0.91 });
    store.finishRun(id, 'completed');

    const run = store.getRun(id);
    expect(run.kind).toBe('train');
    expect(run.name).toBe('mlp');
    expect(run.status).toBe('completed');
    expect(run.config).toEqual({ lr: 0.001, layers: [784, 10] });
    expect(run.env.backend).toBe('js');
    expect(run.env.node).toBe(process.version);
    expect(run.env.platform).toBe(process.platform);
    expect(typeof run.env.gradlab).toBe('string');
    expect(run.metrics.loss.steps).toEqual([...Array(50).keys()]);
    expect(run.metrics.loss.values[3]).toBe(0.25);
    expect(run.metrics.valAcc.steps).toEqual([9, 19, 29, 39, 49]);
    expect(run.lastMetrics).toEqual({ loss: 1 / 50, valAcc: 0.49 });
    expect(run.results).toEqual({ testAcc: 0.91 });
    expect(run.events).toEqual([{ time: clock.t, step: 49, type: 'epoch', data: { epoch: 1 } }]);
    expect(run.checkpoints).toHaveLength(1);
    expect(run.checkpoints[0].step).toBe(49);
    expect(path.isAbsolute(run.checkpoints[0].path)).toBe(true);
    expect(run.finishedAt).toBe(clock.t);
    expect(run.pid).toBeNull();
    store.close();
  });

  it('keeps NaN and Infinity metric values', () => {
    const { store } = fresh();
    const id = store.createRun({ kind: 'train', config: {} });
    store.logMetrics(id, 0, { loss: NaN, gradNorm: Infinity });
    store.finishRun(id, 'failed', 'diverged');
    const run = store.getRun(id);
    expect(run.metrics.loss.values[0]).toBeNaN();
    expect(run.metrics.gradNorm.values[0]).toBe(Infinity);
    expect(run.error).toBe('diverged');
    expect(run.status).toBe('failed');
    store.close();
  });

  it('replaces a value logged again at the same step (resume)', () => {
    const { store } = fresh();
    const id = store.createRun({ kind: 'train', config: {} });
    store.logMetrics(id, 5, { loss: 1 });
    store.finishRun(id, 'interrupted');
    store.reopenRun(id);
    store.logMetrics(id, 5, { loss: 2 });
    store.logMetrics(id, 6, { loss: 3 });
    store.finishRun(id, 'completed');
    expect(store.getRun(id).metrics.loss).toEqual({ steps: [5, 6], values: [2, 3] });
    store.close();
  });

  it('records a schema version', () => {
    const { store, file } = fresh();
    store.close();
    const db = new Database(file, { readonly: true });
    // a new store starts at version 1 and walks every migration, one row per version
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(
      Array.from({ length: SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});

describe('batched metric commits', () => {
  it('commits once flushEveryRows values are pending', () => {
    const { store, file } = fresh({ flushEveryRows: 6, flushIntervalMs: 1e9 });
    const id = store.createRun({ kind: 'train', config: {} });
    const reader = RunStore.open(file, { readonly: true });
    store.logMetrics(id, 0, { loss: 1, acc: 0 });
    store.logMetrics(id, 1, { loss: 1, acc: 0 });
    expect(store.pendingRows).toBe(4);
    expect(reader.getRun(id).metrics).toEqual({});
    store.logMetrics(id, 2, { loss: 1, acc: 0 });
    expect(store.pendingRows).toBe(0);
    expect(reader.getRun(id).metrics.loss.steps).toEqual([0, 1, 2]);
    reader.close();
    store.close();
  });

  it('commits when flushIntervalMs has passed since the last commit', () => {
    const { store, file, clock } = fresh({ flushEveryRows: 1000, flushIntervalMs: 500 });
    const id = store.createRun({ kind: 'train', config: {} });
    const reader = RunStore.open(file, { readonly: true });
    store.logMetrics(id, 0, { loss: 1 });
    clock.t += 499;
    store.logMetrics(id, 1, { loss: 1 });
    expect(reader.getRun(id).metrics).toEqual({});
    clock.t += 1;
    store.logMetrics(id, 2, { loss: 1 });
    expect(reader.getRun(id).metrics.loss.steps).toEqual([0, 1, 2]);
    reader.close();
    store.close();
  });

  it('every other write (event, result, checkpoint, finish, close) commits pending metrics first', () => {
    const writes: [string, (s: RunStore, id: string) => void][] = [
      ['logEvent', (s, id) => s.logEvent(id, 'note')],
      ['setResult', (s, id) => s.setResult(id, { a: 1 })],
      ['addCheckpoint', (s, id) => s.addCheckpoint(id, 1, 'x.safetensors')],
      ['finishRun', (s, id) => s.finishRun(id, 'completed')],
      ['close', (s) => s.close()],
    ];
    for (const [what, write] of writes) {
      const { store, file } = fresh({ flushEveryRows: 1000, flushIntervalMs: 1e9 });
      const id = store.createRun({ kind: 'train', config: {} });
      store.logMetrics(id, 0, { loss: 1 });
      const reader = RunStore.open(file, { readonly: true });
      expect(reader.getRun(id).metrics, what).toEqual({});
      write(store, id);
      expect(reader.getRun(id).metrics.loss?.steps, what).toEqual([0]);
      reader.close();
      store.close();
    }
  });
});

describe('listRuns, getRun by prefix', () => {
  it('lists most recent first and filters by kind, status, name and limit', () => {
    const { store, clock } = fresh();
    const ids: string[] = [];
    for (const [kind, name, status] of [
      ['train', 'a-mlp', 'completed'],
      ['recipe', 'b-recipe', 'completed'],
      ['train', 'c-cnn', 'failed'],
      ['train', 'd-mlp', null],
    ] as const) {
      clock.t += 1000;
      const id = store.createRun({ kind, name, config: {} });
      if (status !== null) store.finishRun(id, status);
      ids.push(id);
    }
    expect(store.listRuns().map((r) => r.name)).toEqual(['d-mlp', 'c-cnn', 'b-recipe', 'a-mlp']);
    expect(store.listRuns({ kind: 'train' }).map((r) => r.name)).toEqual(['d-mlp', 'c-cnn', 'a-mlp']);
    expect(store.listRuns({ status: 'completed' }).map((r) => r.name)).toEqual(['b-recipe', 'a-mlp']);
    expect(store.listRuns({ status: 'running' }).map((r) => r.id)).toEqual([ids[3]]);
    expect(store.listRuns({ name: 'mlp' }).map((r) => r.name)).toEqual(['d-mlp', 'a-mlp']);
    expect(store.listRuns({ limit: 2 }).map((r) => r.name)).toEqual(['d-mlp', 'c-cnn']);
    store.close();
  });

  it('resolves a unique id prefix and names unknown or ambiguous ids', () => {
    const { store, file } = fresh();
    // 40 runs over a 31-letter alphabet: at least two share their first letter.
    const ids = Array.from({ length: 40 }, () => store.createRun({ kind: 'train', config: {} }));
    const unique = ids.find((id) => ids.every((o) => o === id || !o.startsWith(id.slice(0, 4))))!;
    expect(store.getRun(unique.slice(0, 4)).id).toBe(unique);
    const shared = ids.find((id) => ids.some((o) => o !== id && o[0] === id[0]))!;
    const amb = errorOf(() => store.getRun(shared[0]));
    expect(amb).toBeInstanceOf(StoreError);
    expect(amb.message).toContain('ambiguous');
    const missing = errorOf(() => store.getRun('zzzzzzzz'));
    expect(missing).toBeInstanceOf(StoreError);
    expect(missing.message).toContain("no run 'zzzzzzzz'");
    expect(missing.message).toContain(file);
    expect(errorOf(() => store.getRun('DROP TABLE'))).toBeInstanceOf(StoreError);
    store.close();
  });
});

describe('exportRun', () => {
  it('writes a wide CSV with empty cells for metrics not logged at a step', () => {
    const { store } = fresh();
    const id = store.createRun({ kind: 'train', config: {} });
    store.logMetrics(id, 0, { loss: 2.5, 'top,1': 0.1 });
    store.logMetrics(id, 1, { loss: 2 });
    store.logMetrics(id, 10, { 'top,1': 0.5, loss: NaN });
    expect(store.exportRun(id, 'csv')).toBe('step,loss,"top,1"\n0,2.5,0.1\n1,2,\n10,NaN,0.5\n');
    store.close();
  });

  it('writes the whole run as JSON', () => {
    const { store } = fresh();
    const id = store.createRun({ kind: 'train', name: 'n', config: { lr: 1 } });
    store.logMetrics(id, 0, { loss: 2.5 });
    store.finishRun(id, 'completed');
    const json = JSON.parse(store.exportRun(id, 'json'));
    expect(json.id).toBe(id);
    expect(json.config).toEqual({ lr: 1 });
    expect(json.metrics).toEqual({ loss: { steps: [0], values: [2.5] } });
    expect(json.status).toBe('completed');
    expect(errorOf(() => store.exportRun(id, 'xml' as 'csv'))).toBeInstanceOf(ArgumentError);
    store.close();
  });
});

describe('validation', () => {
  it('rejects bad run specs, steps, values and unknown runs with ArgumentError', () => {
    const { store } = fresh();
    const cases: [string, () => unknown][] = [
      ['kind', () => store.createRun({ kind: 'Train Run', config: {} })],
      ['NaN', () => store.createRun({ kind: 'train', config: { lr: NaN } })],
      ['function', () => store.createRun({ kind: 'train', config: { f: (() => 1) as never } })],
      ['Date', () => store.createRun({ kind: 'train', config: { d: new Date() as never } })],
      ['JSON object', () => store.createRun({ kind: 'train', config: [] as never })],
    ];
    const id = store.createRun({ kind: 'train', config: {} });
    cases.push(
      ['non-negative integer', () => store.logMetrics(id, -1, { loss: 1 })],
      ['non-negative integer', () => store.logMetrics(id, 1.5, { loss: 1 })],
      ['must be a number', () => store.logMetrics(id, 0, { loss: '1' as never })],
      ['not open in this process', () => store.logMetrics('nope', 0, { loss: 1 })],
      ['status', () => store.finishRun(id, 'done' as never)],
    );
    for (const [text, fn] of cases) {
      const e = errorOf(fn);
      expect(e, text).toBeInstanceOf(ArgumentError);
      expect(e.message, text).toContain(text);
    }
    expect(
      errorOf(() => store.createRun({ kind: 'train', config: { x: { y: [1, NaN] } } })).message,
    ).toContain('config.x.y[1]');
    store.finishRun(id, 'completed');
    expect(errorOf(() => store.logMetrics(id, 0, { loss: 1 })).message).toContain('after finishRun');
    store.close();
    expect(errorOf(() => store.listRuns())).toBeInstanceOf(StoreError);
  });

  it('refuses writes on a read-only store', () => {
    const { store, file } = fresh();
    store.close();
    const ro = RunStore.open(file, { readonly: true });
    const e = errorOf(() => ro.createRun({ kind: 'train', config: {} }));
    expect(e).toBeInstanceOf(StoreError);
    expect(e.message).toContain('read-only');
    ro.close();
  });
});

describe('store location', () => {
  it('resolves explicit path, then $GRADLAB_STORE, then ./.gradlab; each names a directory holding runs.db', () => {
    const dir = tempDir();
    expect(resolveStorePath(undefined, {}, dir)).toBe(path.join(dir, '.gradlab', 'runs.db'));
    // a path that does not exist yet is the store directory, never the database file's own name
    expect(resolveStorePath(undefined, { GRADLAB_STORE: 'x/exp' }, dir)).toBe(
      path.join(dir, 'x', 'exp', 'runs.db'),
    );
    expect(resolveStorePath('exp', { GRADLAB_STORE: 'x/exp' }, dir)).toBe(path.join(dir, 'exp', 'runs.db'));
    // an existing directory holds runs.db; a path ending in runs.db names the file itself
    expect(resolveStorePath(dir, {}, '/')).toBe(path.join(dir, 'runs.db'));
    expect(resolveStorePath('y/runs.db', {}, dir)).toBe(path.join(dir, 'y', 'runs.db'));
    expect(storeCheckpointsDir(resolveStorePath('exp', {}, dir))).toBe(path.join(dir, 'exp', 'checkpoints'));
  });

  it('a store path that is an existing file (other than runs.db) is a StoreError naming it', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'notes.txt'), 'hi');
    for (const [explicit, env, from] of [
      ['notes.txt', {}, '--store'],
      [undefined, { GRADLAB_STORE: 'notes.txt' }, '$GRADLAB_STORE'],
    ] as const) {
      const e = errorOf(() => resolveStorePath(explicit, env, dir));
      expect(e).toBeInstanceOf(StoreError);
      expect(e.message).toContain(`run store ${path.join(dir, 'notes.txt')} (from ${from}) is a file`);
      expect(e.message).toContain('a run store is a directory');
    }
  });

  it('creates the folder of a new store', () => {
    const file = path.join(tempDir(), 'deep', 'er', 'runs.db');
    RunStore.open(file).close();
    expect(statSync(file).isFile()).toBe(true);
  });
});

describe('StoreError for files that are not a usable store', () => {
  function openErr(file: string, options: StoreOptions = {}, name = 'StoreError'): Error {
    const e = errorOf(() => RunStore.open(file, options));
    expect(e).toBeInstanceOf(StoreError);
    expect(e.name).toBe(name);
    expect(e.message).toContain(file);
    return e;
  }

  it('a text file', () => {
    const file = path.join(tempDir(), 'runs.db');
    writeFileSync(file, 'hello, this is not a database\n');
    const e = openErr(file);
    expect(e.message).toContain('not an SQLite database');
    expect(e.message).toContain('SQLite format 3');
    expect(e.message).toContain('"hello, this ...');
  });

  it('an SQLite database of another program', () => {
    const file = path.join(tempDir(), 'runs.db'); // another program's SQLite file where a store's runs.db belongs
    const db = new Database(file);
    db.exec('CREATE TABLE users (id INTEGER)');
    db.close();
    expect(openErr(file).message).toContain('not a gradlab run store (tables: users)');
  });

  it('a store with a newer schema version', () => {
    const { store, file } = fresh();
    store.close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_version VALUES (?, 'gradlab 9.0.0', 0)").run(SCHEMA_VERSION + 1);
    db.close();
    const e = openErr(file, {}, 'StoreVersionError');
    expect(e.message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(e.message).toContain('written by gradlab 9.0.0');
    expect(e.message).toContain(`up to ${SCHEMA_VERSION}`);
  });

  it('a corrupt database: right header, garbage after it', () => {
    const { store, file } = fresh();
    const id = store.createRun({ kind: 'train', config: {} });
    store.finishRun(id, 'completed');
    store.close();
    const bytes = readFileSync(file);
    for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    writeFileSync(file, bytes);
    expect(openErr(file).message).toMatch(/corrupt|not an SQLite database/);
  });

  it('a truncated database', () => {
    const { store, file } = fresh();
    for (let i = 0; i < 30; i++) store.createRun({ kind: 'train', config: { pad: 'x'.repeat(2000) } });
    store.close();
    truncateSync(file, 5000);
    expect(openErr(file).message).toMatch(/corrupt|SQLITE_/);
  });

  it('a missing store when create is false, and a folder that cannot be made', () => {
    const dir = tempDir();
    expect(openErr(path.join(dir, 'none.db'), { create: false }).message).toContain('no run store');
    writeFileSync(path.join(dir, 'file'), '');
    expect(openErr(path.join(dir, 'file', 'sub', 'runs.db')).message).toContain('cannot create');
  });
});

describe('interrupted runs', () => {
  it('a run whose heartbeat is stale is reported interrupted, and revives if its owner writes again', () => {
    const { store, file, clock } = fresh({ flushIntervalMs: 0 });
    const id = store.createRun({ kind: 'train', config: {} });
    store.logMetrics(id, 0, { loss: 1 });
    const t0 = clock.t;
    // Another store instance (as another process would) sees no heartbeat for 31 minutes.
    const other = RunStore.open(file, { now: () => t0 + 31 * 60_000 });
    const seen = other.listRuns()[0];
    expect(seen.status).toBe('interrupted');
    expect(seen.finishedAt).toBe(t0);
    other.close();
    // It was persisted: a store with the normal clock reads it back as interrupted.
    const ro = RunStore.open(file, { readonly: true, now: () => t0 });
    expect(ro.getRun(id).status).toBe('interrupted');
    // The owner was alive after all: its next commit makes the run running again.
    clock.t += 1;
    store.logMetrics(id, 1, { loss: 1 });
    expect(ro.getRun(id).status).toBe('running');
    expect(ro.getRun(id).finishedAt).toBeNull();
    ro.close();
    store.close();
  });

  it('isInterrupted: dead pid on this host, stale heartbeat on any host', () => {
    const host = os.hostname();
    const alive = (pid: number) => pid === 42;
    const stale = 1000;
    expect(isInterrupted({ pid: 42, hostname: host, heartbeatAt: 0 }, 10, stale, alive)).toBe(false);
    expect(isInterrupted({ pid: 43, hostname: host, heartbeatAt: 0 }, 10, stale, alive)).toBe(true);
    expect(isInterrupted({ pid: 43, hostname: 'elsewhere', heartbeatAt: 0 }, 10, stale, alive)).toBe(false);
    expect(isInterrupted({ pid: 42, hostname: host, heartbeatAt: 0 }, 1001, stale, alive)).toBe(true);
    expect(isInterrupted({ pid: 43, hostname: 'elsewhere', heartbeatAt: 0 }, 1001, stale, alive)).toBe(true);
  });
});
