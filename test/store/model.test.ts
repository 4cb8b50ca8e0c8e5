// The v2 model: tags, groups (comparisons, sweeps), artifacts, job ids and run leases (acquire, renew, take over).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/core/errors.js';
import { RunLeaseError, RunNotFoundError, RunStore } from '../../src/store/index.js';
import type { LeaseOwner, StoreOptions } from '../../src/store/index.js';
import { currentProcess, processStartTime } from '../../src/store/leases.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { errorOf } from '../helpers/catch-error.js';

const tempDir = useTempDirs();

function open(file: string, options: StoreOptions = {}): RunStore {
  return RunStore.open(file, options);
}

function storeFile(): string {
  return path.join(tempDir(), 'runs.db');
}

/** The pid of a process that has exited (a child run to completion). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('tags', () => {
  it('adds, lists, filters and removes tags; bad tags are ArgumentErrors', () => {
    const store = open(storeFile());
    const a = store.createRun({ kind: 'train', config: {} });
    const b = store.createRun({ kind: 'train', config: {} });
    store.addTags(a, 'baseline', 'lr=1e-3', 'baseline');
    store.addTags(b, 'lr=1e-3');
    expect(store.getRun(a).tags).toEqual(['baseline', 'lr=1e-3']);
    expect(
      store
        .listRuns({ tag: 'lr=1e-3' })
        .map((r) => r.id)
        .sort(),
    ).toEqual([a, b].sort());
    expect(store.listRuns({ tag: 'baseline' }).map((r) => r.id)).toEqual([a]);
    store.removeTags(a, 'baseline', 'absent');
    expect(store.getRun(a).tags).toEqual(['lr=1e-3']);
    expect(errorOf(() => store.addTags(a, 'has space'))).toBeInstanceOf(ArgumentError);
    expect(errorOf(() => store.addTags(a, ''))).toBeInstanceOf(ArgumentError);
    expect(errorOf(() => store.addTags('zzzzzz', 'x'))).toBeInstanceOf(RunNotFoundError);
    store.close();
  });
});

describe('groups', () => {
  it('creates comparisons and sweeps with their config; runs belong to several groups', () => {
    const store = open(storeFile());
    const runs = [0, 1, 2].map(() => store.createRun({ kind: 'train', config: {} }));
    const sweep = store.createGroup({
      kind: 'sweep',
      name: 'lr',
      config: { grid: { lr: [1e-3, 1e-2, 1e-1] } },
    });
    const cmp = store.createGroup({ kind: 'comparison', config: { metric: 'valLoss' } });
    for (const r of runs) store.addToGroup(sweep, r);
    store.addToGroup(sweep, runs[0]); // twice: kept once
    store.addToGroup(cmp, runs[2]);
    const g = store.getGroup(sweep);
    expect(g).toMatchObject({
      id: sweep,
      kind: 'sweep',
      name: 'lr',
      config: { grid: { lr: [1e-3, 1e-2, 1e-1] } },
    });
    expect(g.runIds).toEqual(runs);
    expect(store.getRun(runs[2]).groups).toEqual([cmp, sweep].sort());
    expect(store.listRuns({ group: cmp }).map((r) => r.id)).toEqual([runs[2]]);
    expect(store.listGroups({ kind: 'sweep' }).map((x) => x.id)).toEqual([sweep]);
    expect(
      store
        .listGroups()
        .map((x) => x.id)
        .sort(),
    ).toEqual([cmp, sweep].sort());
    store.removeFromGroup(sweep, runs[1]);
    expect(store.getGroup(sweep).runIds).toEqual([runs[0], runs[2]]);
    store.deleteGroup(cmp);
    expect(errorOf(() => store.getGroup(cmp))).toBeInstanceOf(RunNotFoundError);
    expect(store.getRun(runs[2]).groups).toEqual([sweep]);
    expect(errorOf(() => store.createGroup({ kind: 'grid' as 'sweep', config: {} })).message).toContain(
      'comparison, sweep',
    );
    expect(errorOf(() => store.addToGroup('nogroup1', runs[0]))).toBeInstanceOf(RunNotFoundError);
    store.close();
  });
});

describe('artifacts', () => {
  it('registers files with kind, mime type, size and metadata; lists by kind; replaces by path', () => {
    const dir = tempDir();
    const store = open(path.join(dir, 'runs.db'));
    const id = store.createRun({ kind: 'recipe', config: {} });
    const svg = path.join(dir, 'fig.svg');
    writeFileSync(svg, '<svg/>');
    const a = store.addArtifact(id, {
      kind: 'plot',
      path: svg,
      mime: 'image/svg+xml',
      metadata: { figure: 2 },
    });
    expect(a).toMatchObject({
      runId: id,
      kind: 'plot',
      path: svg,
      mime: 'image/svg+xml',
      bytes: 6,
      metadata: { figure: 2 },
    });
    store.addArtifact(id, {
      kind: 'report',
      path: path.join(dir, 'r.md'),
      mime: 'text/markdown',
      bytes: 120,
    });
    expect(store.listArtifacts(id).map((x) => x.kind)).toEqual(['plot', 'report']);
    expect(store.listArtifacts(id, { kind: 'report' })[0].bytes).toBe(120);
    writeFileSync(svg, '<svg></svg>');
    const again = store.addArtifact(id, { kind: 'plot', path: svg, mime: 'image/svg+xml' });
    expect(again.id).toBe(a.id);
    expect(again.bytes).toBe(11);
    expect(store.listArtifacts(id)).toHaveLength(2);
    expect(store.removeArtifact(a.id)).toBe(true);
    expect(store.removeArtifact(a.id)).toBe(false);
    expect(store.listArtifacts(id).map((x) => x.kind)).toEqual(['report']);
    expect(
      errorOf(() =>
        store.addArtifact(id, { kind: 'plot', path: path.join(dir, 'none.png'), mime: 'image/png' }),
      ).message,
    ).toContain('none.png');
    expect(errorOf(() => store.addArtifact(id, { kind: 'plot', path: svg, mime: 'svg' })).message).toContain(
      'media type',
    );
    store.close();
  });
});

describe('run leases', () => {
  it('processStartTime agrees with this process uptime', () => {
    const t = processStartTime(process.pid);
    if (t === null) {
      console.log('skipped: no /proc on this platform, so process start times are unknown');
      return;
    }
    expect(Math.abs(t - (Date.now() - process.uptime() * 1000))).toBeLessThan(2000);
  });

  it('a new run holds its lease until finishRun; another process is refused while it lives', () => {
    const file = storeFile();
    const owner = open(file);
    const id = owner.createRun({ kind: 'train', config: {} });
    const l = owner.getLease(id)!;
    expect(l.live).toBe(true);
    expect(l.lease.owner).toEqual(currentProcess());
    const other: LeaseOwner = { pid: 999_999, hostname: os.hostname(), processStartedAt: 1 };
    const intruder = open(file, { leaseOwner: other });
    const e = errorOf(() => intruder.reopenRun(id));
    expect(e).toBeInstanceOf(RunLeaseError);
    expect(e.message).toContain(`run ${id} is being driven by another live process, pid ${process.pid}`);
    expect((e as RunLeaseError).holder?.owner.pid).toBe(process.pid);
    expect(errorOf(() => intruder.assertNotLeased(id))).toBeInstanceOf(RunLeaseError);
    expect(intruder.getRun(id).pid).toBe(process.pid); // the refused reopen changed nothing
    owner.finishRun(id, 'completed');
    expect(owner.getLease(id)).toBeNull();
    expect(intruder.reopenRun(id).tookOver).toBeNull();
    intruder.close(); // releases
    expect(owner.getLease(id)).toBeNull();
    owner.close();
  });

  it('a lease whose process is gone on this host is taken over, saying so', () => {
    const file = storeFile();
    const dead: LeaseOwner = { pid: deadPid(), hostname: os.hostname(), processStartedAt: 5 };
    const crashed = open(file, { leaseOwner: dead });
    const id = crashed.createRun({ kind: 'train', config: {} });
    // (the "crashed" instance is never closed: its lease stays in the file as after a SIGKILL)
    const next = open(file);
    const got = next.reopenRun(id);
    expect(got.tookOver?.reason).toBe('process-gone');
    expect(got.tookOver?.previous.owner).toEqual(dead);
    expect(got.lease.owner).toEqual(currentProcess());
    next.close();
  });

  it('a lease whose pid now belongs to a later process is taken over (start time differs)', () => {
    const now = processStartTime(process.pid);
    if (now === null) {
      console.log('skipped: no /proc on this platform, so pid reuse cannot be detected');
      return;
    }
    const file = storeFile();
    const earlier: LeaseOwner = {
      pid: process.pid,
      hostname: os.hostname(),
      processStartedAt: now - 3_600_000,
    };
    const old = open(file, { leaseOwner: earlier });
    const id = old.createRun({ kind: 'train', config: {} });
    const next = open(file);
    expect(next.reopenRun(id).tookOver?.reason).toBe('pid-reused');
    next.close();
  });

  it('an expired lease (any host) is taken over; the previous holder then fails its next commit', () => {
    const file = storeFile();
    const clock = { t: 1_800_000_000_000 };
    const far: LeaseOwner = { pid: 4242, hostname: 'another-host', processStartedAt: 7 };
    const remote = open(file, { leaseOwner: far, now: () => clock.t, leaseTtlMs: 60_000 });
    const id = remote.createRun({ kind: 'train', config: {} });
    remote.logMetrics(id, 0, { loss: 1 });
    remote.flush(); // renews: expires at t + 60 s
    const local = open(file, { now: () => clock.t, leaseTtlMs: 60_000, staleAfterMs: 1e12 });
    clock.t += 59_000;
    expect(errorOf(() => local.reopenRun(id))).toBeInstanceOf(RunLeaseError); // other host, not expired
    clock.t += 2_000;
    expect(local.reopenRun(id).tookOver?.reason).toBe('expired');
    // its next commit (here: logMetrics, whose flush interval has passed) fails
    const lost = errorOf(() => remote.logMetrics(id, 1, { loss: 0.5 }));
    expect(lost).toBeInstanceOf(RunLeaseError);
    expect(lost.message).toContain('no longer holds the run');
    local.close();
  });

  it('acquireLease / renewLease / releaseLease drive a lease without reopening the run', () => {
    const file = storeFile();
    const clock = { t: 1_800_000_000_000 };
    const s = open(file, { now: () => clock.t, leaseTtlMs: 1000 });
    const id = s.createRun({ kind: 'train', config: {} });
    s.finishRun(id, 'completed');
    const { lease } = s.acquireLease(id);
    expect(lease.expiresAt).toBe(clock.t + 1000);
    clock.t += 500;
    s.renewLease(id);
    expect(s.getLease(id)!.lease.expiresAt).toBe(clock.t + 1000);
    s.releaseLease(id);
    expect(s.getLease(id)).toBeNull();
    expect(s.getRun(id).status).toBe('completed');
    s.close();
  });
});
