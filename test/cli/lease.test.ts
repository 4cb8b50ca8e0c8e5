// One process drives a run: `train --resume` is refused while another live process holds the run's lease,
// takes over a stale lease (its process gone) saying so, and refuses a resume with nothing left to train.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/index.js';
import { distFile } from '../helpers/dist.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { gradlab, TINY } from './spawn.js';

const tempDir = useTempDirs('gradlab-cli-lease-');

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

/** A finished one-epoch run in `dir`'s default store; returns its id. */
function trainedRun(dir: string): string {
  const r = gradlab(['train', '--epochs', '1', ...TINY, '--json'], dir);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { runId: string }).runId;
}

describe('train --resume and the run lease', () => {
  it('is refused while another live process holds the run, and takes over once that process is gone', () => {
    const dir = tempDir();
    const id = trainedRun(dir);

    // this test process (alive) drives the run
    const holder = RunStore.open(`${dir}/.gradlab`);
    holder.acquireLease(id);
    const refused = gradlab(['train', '--resume', id, '--epochs', '2'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(
      `gradlab train: RunLeaseError: run ${id} is being driven by another live process, pid ${process.pid} on host ${os.hostname()}`,
    );
    // the same through the checkpoint folder (the run id comes from the checkpoint): refused by reopenRun itself
    const viaPath = gradlab(['train', '--resume', `.gradlab/checkpoints/${id}`, '--epochs', '2'], dir);
    expect(viaPath.code).toBe(1);
    expect(viaPath.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(viaPath.stderr).toContain(
      `gradlab train: RunLeaseError: run ${id} is being driven by another live process`,
    );
    holder.close(); // releases the lease

    // a process that died holding the lease (as after SIGKILL): its lease is stale and taken over
    const dead = deadPid();
    const crashed = RunStore.open(`${dir}/.gradlab`, {
      leaseOwner: { pid: dead, hostname: os.hostname(), processStartedAt: Date.now() - 60_000 },
    });
    crashed.acquireLease(id); // never released: the instance is abandoned, not closed
    const resumed = gradlab(['train', '--resume', id, '--epochs', '2', '--json'], dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      `gradlab train: taking over run ${id} from pid ${dead} on host ${os.hostname()}`,
    );
    expect(resumed.stderr).toContain('that process is gone');
    expect(JSON.parse(resumed.stdout)).toMatchObject({ runId: id, epochs: 2, steps: 8 });
    const store = RunStore.open(`${dir}/.gradlab`, { readonly: true });
    const run = store.getRun(id);
    expect(run.status).toBe('completed');
    expect(run.events.find((e) => e.type === 'resume')?.data).toMatchObject({
      tookOverFrom: dead,
      reason: 'process-gone',
    });
    // the resumed run released its lease when it finished
    expect(store.getLease(id)).toBeNull();
    store.close();
  });

  it('a resume with nothing left to train is refused, saying how to extend the run', () => {
    const dir = tempDir();
    const id = trainedRun(dir);
    const r = gradlab(['train', '--resume', id], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--resume ${id}: the checkpoint has already trained 1 epoch (step 4) and the run asks for 1, so nothing is left to train; pass --epochs with more than 1 to continue it`,
    );
    const cos = gradlab(['train', '--epochs', '1', ...TINY, '--schedule', 'cosine', '--json'], dir);
    const cosId = (JSON.parse(cos.stdout) as { runId: string }).runId;
    const fixed = gradlab(['train', '--resume', cosId], dir);
    expect(fixed.code).toBe(2);
    expect(fixed.stderr).toContain("its 'cosine' schedule is fixed to 1 epochs and cannot be extended");
  });

  it('two real processes: a training run holds its lease; a resume is refused until the trainer dies', async () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.GRADLAB_STORE;
    delete env.GRADLAB_BACKEND;
    const trainer = spawn(
      process.execPath,
      [distFile('src/cli/main.js'), 'train', '--epochs', '500', ...TINY, '--quiet'],
      {
        cwd: dir,
        env,
        stdio: 'ignore',
      },
    );
    // wait (at most 60 s) until the trainer has a checkpoint and holds the run's lease
    let id: string | null = null;
    for (let i = 0; i < 600 && id === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const store = RunStore.open(`${dir}/.gradlab`, { readonly: true });
        const run = store.listRuns({ limit: 1 })[0];
        const lease = run === undefined ? null : store.getLease(run.id);
        if (
          run !== undefined &&
          store.getRun(run.id).checkpoints.length > 0 &&
          lease?.lease.owner.pid === trainer.pid
        )
          id = run.id;
        store.close();
      } catch {
        // not created yet
      }
    }
    try {
      expect(id).not.toBeNull();
      const refused = gradlab(['train', '--resume', id!, '--epochs', '600'], dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `RunLeaseError: run ${id} is being driven by another live process, pid ${trainer.pid}`,
      );
    } finally {
      trainer.kill('SIGKILL');
      await new Promise((r) => trainer.on('exit', r));
    }
    // the trainer is gone: its lease is stale; resuming takes it over and trains one more epoch
    const store = RunStore.open(`${dir}/.gradlab`, { readonly: true });
    const last = store.getRun(id!).checkpoints.at(-1)!;
    store.close();
    const epochs = Math.floor(last.step / 4) + 1;
    const resumed = gradlab(['train', '--resume', id!, '--epochs', String(epochs), '--json'], dir);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`taking over run ${id} from pid ${trainer.pid}`);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ runId: id, epochs });
  });
});
