// Whether the process that owns a running run is still alive (same host: pid probe; else heartbeat).
import os from 'node:os';

/** True if a process with this pid exists on this machine (signal 0 probes without signalling). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What `isInterrupted` needs to know about a run marked `running`. */
export interface LivenessInfo {
  pid: number | null;
  hostname: string | null;
  heartbeatAt: number;
}

/**
 * Whether a run still marked `running` has lost its process: on this host its pid is gone; on any
 * host its heartbeat is older than `staleAfterMs` (pids can be reused, hosts can differ).
 */
export function isInterrupted(
  run: LivenessInfo,
  now: number,
  staleAfterMs: number,
  alive: (pid: number) => boolean = pidAlive,
): boolean {
  if (now - run.heartbeatAt > staleAfterMs) return true;
  if (run.hostname === os.hostname() && run.pid !== null) return !alive(run.pid);
  return false;
}
