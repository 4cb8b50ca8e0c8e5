// A heartbeat from a worker thread: keeps a run's heartbeat and lease fresh while the main thread is busy in synchronous work.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { LeaseOwner } from './types.js';

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const hb = db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ? AND pid = ?');
const lease = db.prepare(
  'UPDATE leases SET renewed_at = ?, expires_at = ? WHERE run_id = ? AND pid = ? AND hostname = ? AND process_started_at = ?',
);
const o = workerData.owner;
const beat = db.transaction(() => {
  const now = Date.now();
  hb.run(now, workerData.runId, o.pid);
  lease.run(now, now + workerData.ttlMs, workerData.runId, o.pid, o.hostname, o.processStartedAt);
});
const timer = setInterval(() => { try { beat(); } catch { /* busy or closed: try again next time */ } }, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/** What `startKeepAlive` needs. */
export interface KeepAliveSpec {
  file: string;
  runId: string;
  owner: LeaseOwner;
  ttlMs: number;
  intervalMs: number;
}

/**
 * Starts a worker thread that refreshes the run's heartbeat (and this owner's lease) every
 * `intervalMs` with its own connection, so a run whose main thread computes synchronously for
 * minutes (a recipe) still shows as alive, and a SIGKILL leaves its real last-alive time. Returns
 * the function that stops it.
 */
export function startKeepAlive(spec: KeepAliveSpec): () => void {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { ...spec, sqlite } });
  worker.unref();
  worker.on('error', () => {
    /* a failed heartbeat thread only costs liveness information */
  });
  return () => worker.postMessage('stop');
}
