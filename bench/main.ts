// `npm run bench`: runs every system in its own child process, one after another, in rounds, and prints the table or JSON.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs, selectWorkloads, USAGE, type Options } from './lib/cli.js';
import { machine } from './lib/machine.js';
import { EPOCH_PROTOCOL, PROTOCOL, QUICK_PROTOCOL, type Protocol } from './lib/protocol.js';
import type { Status, SystemInfo, WorkloadResult } from './lib/result.js';
import { table } from './lib/report.js';
import {
  combineRatios,
  combineResults,
  familyGroups,
  loopLine,
  loopRatios,
  methodLine,
  perExampleRatios,
  roundOrder,
} from './lib/rounds.js';
import { childEnv, runSystem } from './lib/runner.js';
import type { Job } from './child.js';

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  if (o.help) {
    console.log(USAGE);
    return;
  }
  const workloads = selectWorkloads(o);
  const base: Protocol = o.quick ? QUICK_PROTOCOL : PROTOCOL;
  const epochCap = o.epochCapS ?? EPOCH_PROTOCOL.capS;
  const job: Job = {
    workloads,
    protocol: { ...base, reps: o.reps ?? base.reps },
    epochProtocol: {
      ...EPOCH_PROTOCOL,
      reps: o.reps ?? EPOCH_PROTOCOL.reps,
      warmup: o.quick ? 1 : EPOCH_PROTOCOL.warmup,
      capS: epochCap,
      // the projection can be off (the first batches run cold): leave room before killing
      hardS: Math.max(EPOCH_PROTOCOL.hardS, 2 * epochCap + 60),
    },
  };
  const log = (s: string) => process.stderr.write(s + '\n');
  const m = machine();
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}`);
  const { env, blasNote } = childEnv();
  log(blasNote);
  const infos = new Map<string, SystemInfo>();
  const status: Record<string, string> = {};
  // workload-major order: every system runs a workload close in time to the others (this machine is
  // shared, so its speed drifts); each (system, workload, round) gets a fresh child process, and the
  // rounds of a workload run back to back with the systems' order reversed every other round
  const rounds: WorkloadResult[][] = Array.from({ length: o.rounds }, () => []);
  const dead = new Map<string, { status: Status; reason?: string }>();
  // the loops of one family (mlp and mlp-tidy) share their rounds, so gradlab's plain ÷ tidy ratio is
  // taken from figures measured seconds apart too
  for (const group of familyGroups(workloads))
    for (let r = 0; r < o.rounds; r++)
      for (const spec of group) {
        if (o.rounds > 1) log(`${spec.id}: round ${r + 1} of ${o.rounds}`);
        for (const system of roundOrder(o.systems, r)) {
          const d = dead.get(system);
          if (d) {
            rounds[r].push({ system, workload: spec.id, unit: spec.unit, ...d });
            continue;
          }
          const run = await runSystem(system, { ...job, workloads: [spec] }, o, env, log);
          if (run.info && !infos.has(system)) infos.set(system, run.info);
          rounds[r].push(...run.results);
          if (!run.info && run.results[0])
            dead.set(system, { status: run.results[0].status, reason: run.results[0].reason });
        }
      }
  const results = combineResults(rounds);
  const ratioList = combineRatios(workloads, rounds);
  const loops = loopRatios(workloads, rounds);
  const methods = perExampleRatios(workloads, rounds);
  for (const s of o.systems)
    status[s] = infos.has(s) ? 'ran' : `${dead.get(s)?.status}: ${dead.get(s)?.reason}`;
  const loadEnd = Math.round(os.loadavg()[0] * 100) / 100;
  const doc = {
    machine: { ...m, loadAvgEnd: loadEnd },
    protocol: job.protocol,
    epochProtocol: job.epochProtocol,
    workloads,
    systems: Object.fromEntries(o.systems.map((s) => [s, infos.get(s) ?? { system: s, status: status[s] }])),
    results,
    rounds: o.rounds,
    ratios: ratioList,
    loopRatios: loops,
    perExampleRatios: methods,
  };
  if (o.out) writeFileSync(o.out, JSON.stringify(doc, null, 2) + '\n');
  if (o.json) {
    console.log(JSON.stringify(doc, null, 2));
    return;
  }
  const lines = [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, ${m.date}`,
    `load average (1 min) at start ${m.loadAvg}, at end ${loadEnd} (the machine is shared; above ~${m.cores} means contended figures)`,
    blasNote,
    `protocol: at least ${job.protocol.warmup} warm-up steps and ${job.protocol.warmupMinS} s of them, up to ${job.protocol.reps} timed reps (each >= ${job.protocol.minRepS} s, stop after ${job.protocol.capS} s), median quoted` +
      (o.rounds > 1 ? `; ${o.rounds} rounds per workload (systems in reversed order every other round)` : ''),
  ];
  for (const s of o.systems) {
    const i = infos.get(s);
    lines.push(
      i ? `  ${s}: ${i.version}; backend ${i.backend}; threads ${i.threads}` : `  ${s}: ${status[s]}`,
    );
    for (const n of i?.notes ?? []) lines.push(`      - ${n}`);
  }
  console.log(
    lines.join('\n') +
      '\n\n' +
      table(workloads, o.systems, results, infos, { ratios: ratioList }) +
      loops.map((l) => `\n${loopLine(l)}`).join('') +
      methods.map((l) => `\n${methodLine(l)}`).join(''),
  );
}

void main();
