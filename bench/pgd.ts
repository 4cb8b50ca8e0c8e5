// PGD attack throughput (attack iterations per second) of gradlab's gl.attacks.pgd against a PyTorch 1.13 PGD with
// torchattacks' definition, on the same Fashion-MNIST-sized CNN and inputs, in one run, in alternating rounds
// (node dist/bench/pgd.js [--rounds 3]).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as gl from '../src/index.js';
import { machine } from './lib/machine.js';
import { labels, param, uniform } from './lib/prng.js';
import { repoRoot } from './lib/paths.js';
import { childEnv, PYTHON, torchMissing } from './lib/runner.js';

/** The workload, shared with peers/pgd_torch.py through the command line. */
export const PGD_SPEC = {
  /** conv 3×3 c0 – ReLU – maxpool 2 – conv 3×3 c1 – ReLU – maxpool 2 – FC hidden – ReLU – FC 10, input 1×28×28. */
  channels: [16, 32],
  hidden: 64,
  batch: 64,
  eps: 0.1,
  alpha: 0.01,
  steps: 10,
  seed: 7,
};
const SYSTEMS = ['gradlab', 'torch'] as const;
type System = (typeof SYSTEMS)[number];

/** One measurement: attack iterations (forward + input gradient + projection on the batch) per second. */
interface Figure {
  itersPerS: number;
  attackS: number;
  reps: number;
  check: number;
}

/** Warm-up (>= 1 attack and >= 1 s), then up to 5 repetitions of >= 0.5 s each; the median attack time. */
function measure(attack: () => number): Figure {
  let check = 0;
  const t0 = performance.now();
  for (let n = 0; n < 1 || performance.now() - t0 < 1000; n++) check = attack();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 5 && (times.length === 0 || performance.now() - start < 4000)) {
    let runs = 0;
    const s = performance.now();
    while (runs === 0 || performance.now() - s < 500) {
      check = attack();
      runs++;
    }
    times.push((performance.now() - s) / 1000 / runs);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  return { itersPerS: PGD_SPEC.steps / med, attackS: med, reps: times.length, check };
}

/** The bench CNN with the shared seeded parameters (streams 10.. in layer order, weight then bias). */
function benchModel(): gl.nn.Sequential {
  const [c0, c1] = PGD_SPEC.channels;
  const flat = c1 * 7 * 7;
  const net = new gl.nn.Sequential(
    new gl.nn.Conv2d(1, c0, 3, { padding: 1 }),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    new gl.nn.Conv2d(c0, c1, 3, { padding: 1 }),
    new gl.nn.ReLU(),
    new gl.nn.MaxPool2d(2),
    new gl.nn.Flatten(),
    new gl.nn.Linear(flat, PGD_SPEC.hidden),
    new gl.nn.ReLU(),
    new gl.nn.Linear(PGD_SPEC.hidden, 10),
  );
  const fanIns = [9, 9, c0 * 9, c0 * 9, flat, flat, PGD_SPEC.hidden, PGD_SPEC.hidden];
  gl.noGrad(() =>
    net
      .parameters()
      .forEach((p, k) =>
        p.copy_(gl.tensor(param(PGD_SPEC.seed, 10 + k, p.numel, fanIns[k]), { shape: p.shape })),
      ),
  );
  return net;
}

function gradlabChild(): Figure {
  const net = benchModel();
  const B = PGD_SPEC.batch;
  const x = gl.tensor(uniform(PGD_SPEC.seed, 0, B * 784, 0, 1), { shape: [B, 1, 28, 28] });
  const y = gl.tensor(labels(PGD_SPEC.seed, 1, B, 10), { shape: [B], dtype: 'int32' });
  const { eps, alpha, steps } = PGD_SPEC;
  // the check: the summed |x_adv − x| (no random start, so both systems compute the same attack)
  return measure(() =>
    gl.tidy(() =>
      gl.attacks.pgd(net, x, y, { eps, alpha, steps, randomStart: false }).sub(x).abs().sum().item(),
    ),
  );
}

function runChild(system: System): Figure | string {
  const { env } = childEnv();
  const r =
    system === 'gradlab'
      ? spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], {
          env,
          encoding: 'utf8',
          timeout: 300_000,
        })
      : spawnSync(PYTHON, [`${repoRoot()}/bench/peers/pgd_torch.py`, JSON.stringify(PGD_SPEC)], {
          env,
          encoding: 'utf8',
          timeout: 300_000,
        });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Figure;
  } catch {
    return `failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? r.status}`;
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    console.log(JSON.stringify(gradlabChild()));
    return;
  }
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
  const m = machine();
  const { blasNote } = childEnv();
  const missing = torchMissing();
  const systems = SYSTEMS.filter((s) => !missing || s === 'gradlab');
  const s = PGD_SPEC;
  console.log(
    `PGD throughput: L∞ PGD (no random start, ε ${s.eps}, α ${s.alpha}, ${s.steps} steps) on a CNN conv${s.channels[0]}-pool-conv${s.channels[1]}-pool-fc${s.hidden}-fc10, input 1×28×28, batch ${s.batch}, float32, eval mode`,
  );
  console.log(
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}, ${m.date}, load ${m.loadAvg}`,
  );
  console.log(
    `gradlab backend: ${gl.getBackend()}; ${blasNote}${missing ? `; torch missing: ${missing}` : ''}`,
  );
  const figs = new Map<System, Figure[]>(systems.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? systems : [...systems].reverse();
    for (const k of order) {
      const f = runChild(k);
      if (typeof f === 'string') console.log(`round ${r + 1} ${k}: ${f}`);
      else figs.get(k)!.push(f);
    }
  }
  console.log(
    `\nsystem    iterations/s (median)  example-iterations/s  rounds              check (Σ|x_adv − x|)`,
  );
  for (const [k, f] of figs)
    if (f.length) {
      const it = median(f.map((x) => x.itersPerS));
      console.log(
        `${k.padEnd(9)} ${fmt(it).padStart(10)}             ${fmt(it * s.batch).padStart(10)}            ${f
          .map((x) => fmt(x.itersPerS))
          .join(', ')
          .padEnd(20)}${f[0].check.toPrecision(6)}`,
      );
    }
  const fa = figs.get('gradlab') ?? [];
  const fb = figs.get('torch') ?? [];
  const n = Math.min(fa.length, fb.length);
  if (n) {
    const per = Array.from({ length: n }, (_, k) => fa[k].itersPerS / fb[k].itersPerS);
    console.log(
      `\nratio gradlab / torch (throughput per round; median [lowest-highest]): ${median(per).toFixed(2)}x [${Math.min(...per).toFixed(2)}-${Math.max(...per).toFixed(2)}]`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
