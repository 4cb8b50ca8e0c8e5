// Run leases: one process at a time drives a run; a lease is renewed at every commit and can be taken over once stale.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type Database from 'better-sqlite3';
import { RunLeaseError } from './errors.js';
import { pidAlive } from './liveness.js';
import type { LeaseAcquired, LeaseOwner, RunLease, StaleReason } from './types.js';

/** Two start times of one process read at different moments differ by less than this (ms). */
const START_TOLERANCE_MS = 1500;

/**
 * When process `pid` started (epoch ms), read from /proc on Linux; null elsewhere or when unknown.
 * Used to tell a live lease holder from an unrelated process that reused its pid.
 */
export function processStartTime(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]); // field 22 of stat(5), counted from field 3 (state)
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'latin1'));
    if (!Number.isFinite(ticks) || btime === null) return null;
    return Math.round((Number(btime[1]) + ticks / 100) * 1000); // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * This process as a lease owner.
 * @example currentProcess().pid === process.pid; // true
 */
export function currentProcess(): LeaseOwner {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    processStartedAt: processStartTime(process.pid) ?? Math.round(Date.now() - process.uptime() * 1000),
  };
}

/** Whether two owners are the same process. */
export function sameOwner(a: LeaseOwner, b: LeaseOwner): boolean {
  return a.pid === b.pid && a.hostname === b.hostname && a.processStartedAt === b.processStartedAt;
}

/**
 * Why a lease held by another owner may be taken over, or null while it is live: expired (any
 * host), or on this host its process is gone or its pid now belongs to a later process.
 */
export function staleReason(
  lease: RunLease,
  now: number,
  alive: (pid: number) => boolean = pidAlive,
  startOf: (pid: number) => number | null = processStartTime,
): StaleReason | null {
  if (now > lease.expiresAt) return 'expired';
  if (lease.owner.hostname !== os.hostname()) return null;
  if (!alive(lease.owner.pid)) return 'process-gone';
  const started = startOf(lease.owner.pid);
  if (started !== null && Math.abs(started - lease.owner.processStartedAt) > START_TOLERANCE_MS)
    return 'pid-reused';
  return null;
}

/**
 * "pid 4242 on host lab1 (started 2026-12-07T17:58:01Z)".
 * @example describeOwner(currentProcess()); // 'pid 4242 on host lab1 (started 2026-12-07T17:58:01.000Z)'
 */
export function describeOwner(o: LeaseOwner): string {
  return `pid ${o.pid} on host ${o.hostname} (started ${new Date(o.processStartedAt).toISOString()})`;
}

const REASON_TEXT: Record<StaleReason, string> = {
  expired: 'its lease expired',
  'process-gone': 'that process is gone',
  'pid-reused': 'that pid now belongs to another process',
};

/**
 * "that process is gone" etc., for messages about a takeover.
 * @example describeStale('process-gone'); // a phrase for the takeover message
 */
export function describeStale(reason: StaleReason): string {
  return REASON_TEXT[reason];
}

interface LeaseRow {
  run_id: string;
  pid: number;
  hostname: string;
  process_started_at: number;
  acquired_at: number;
  renewed_at: number;
  expires_at: number;
}

function fromRow(r: LeaseRow): RunLease {
  return {
    runId: r.run_id,
    owner: { pid: r.pid, hostname: r.hostname, processStartedAt: r.process_started_at },
    acquiredAt: r.acquired_at,
    renewedAt: r.renewed_at,
    expiresAt: r.expires_at,
  };
}

/** The leases table of one store, seen from one owner; the caller wraps calls in its transactions. */
export class LeaseTable {
  private readonly get: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly renewStmt: Database.Statement;
  private readonly releaseStmt: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly owner: LeaseOwner,
    private readonly ttlMs: number,
    private readonly alive: (pid: number) => boolean = pidAlive,
  ) {
    this.get = db.prepare('SELECT * FROM leases WHERE run_id = ?');
    this.upsert = db.prepare(
      `INSERT INTO leases (run_id, pid, hostname, process_started_at, acquired_at, renewed_at, expires_at)
       VALUES (@runId, @pid, @hostname, @started, @now, @now, @expires)
       ON CONFLICT (run_id) DO UPDATE SET pid = @pid, hostname = @hostname, process_started_at = @started,
         acquired_at = @now, renewed_at = @now, expires_at = @expires`,
    );
    this.renewStmt = db.prepare(
      `UPDATE leases SET renewed_at = @now, expires_at = @expires
       WHERE run_id = @runId AND pid = @pid AND hostname = @hostname AND process_started_at = @started`,
    );
    this.releaseStmt = db.prepare(
      `DELETE FROM leases WHERE run_id = @runId AND pid = @pid AND hostname = @hostname
         AND process_started_at = @started`,
    );
  }

  /** The run's lease row, held or stale; null if none. */
  lease(runId: string): RunLease | null {
    const row = this.get.get(runId) as LeaseRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  /** Whether the lease belongs to this table's owner. */
  mine(lease: RunLease): boolean {
    return sameOwner(lease.owner, this.owner);
  }

  /** Why `lease` may be taken over now, or null while its holder is live (or it is this owner's). */
  stale(lease: RunLease, now: number): StaleReason | null {
    return this.mine(lease) ? null : staleReason(lease, now, this.alive);
  }

  /** Takes the lease: refused with RunLeaseError while another live owner holds it. */
  acquire(runId: string, now: number): LeaseAcquired {
    const previous = this.lease(runId);
    let tookOver: LeaseAcquired['tookOver'] = null;
    if (previous !== null && !this.mine(previous)) {
      const reason = this.stale(previous, now);
      if (reason === null) throw heldError(previous, now);
      tookOver = { previous, reason };
    }
    this.upsert.run({ ...this.params(runId, now) });
    return { lease: this.lease(runId)!, tookOver };
  }

  /** Extends the lease by the ttl; RunLeaseError if this owner no longer holds it (it was taken over). */
  renew(runId: string, now: number): void {
    if (this.renewStmt.run(this.params(runId, now)).changes === 1) return;
    const current = this.lease(runId);
    throw new RunLeaseError(
      `run ${runId}: this process (${describeOwner(this.owner)}) no longer holds the run's lease` +
        (current === null
          ? ' (it was released)'
          : `; ${describeOwner(current.owner)} took it over — stop here, the run is driven elsewhere`),
      current,
    );
  }

  /** Gives the lease up if this owner holds it. */
  release(runId: string, now: number): void {
    this.releaseStmt.run(this.params(runId, now));
  }

  private params(runId: string, now: number) {
    return {
      runId,
      pid: this.owner.pid,
      hostname: this.owner.hostname,
      started: this.owner.processStartedAt,
      now,
      expires: now + this.ttlMs,
    };
  }
}

/** The refusal: who holds the run and until when. */
export function heldError(lease: RunLease, now: number): RunLeaseError {
  const ago = Math.max(0, Math.round((now - lease.renewedAt) / 1000));
  const left = Math.max(0, Math.round((lease.expiresAt - now) / 1000));
  return new RunLeaseError(
    `run ${lease.runId} is being driven by another live process, ${describeOwner(lease.owner)}: ` +
      `its lease was renewed ${ago} s ago and expires in ${left} s unless renewed. ` +
      `Wait for that process to finish or stop it (its lease is then released or taken over), then try again`,
    lease,
  );
}
