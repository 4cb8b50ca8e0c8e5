// Per-example gradient throughput: gradlab's fast path, vmap path and a loop of single-example backward calls against
// PyTorch 1.13's functorch vmap(grad) and a loop, in one run, in interleaved rounds (node dist/bench/per-example.js).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as gl from '../src/index.js';
import { machine } from './lib/machine.js';
import { labels, param, uniform } from './lib/prng.js';
import { repoRoot } from './lib/paths.js';
import { childEnv, PYTHON, torchMissing } from './lib/runner.js';

/** The workload, shared with peers/per_example_torch.py through the command line. */
const SPEC = { sizes: [784, 128, 10], batch: 32, seed: 7 };
const SYSTEMS = ['gradlab-fast', 'gradlab-vmap', 'gradlab-loop', 'torch-vmap', 'torch-loop'] as const;
type System = (typeof SYSTEMS)[number];

/** One measurement: examples per second from the median step, and what the step computed (a check). */
interface Figure {
  examplesPerS: number;
  stepS: number;
  reps: number;
  check: number;
}

/** Warm-up (>= 2 steps and >= 1 s), then up to 5 repetitions of >= 0.25 s each; the median step time. */
function measure(step: () => number): Figure {
  let check = 0;
  const t0 = performance.now();
  for (let n = 0; n < 2 || performance.now() - t0 < 1000; n++) check = step();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 5 && (times.length === 0 || performance.now() - start < 3000)) {
    let steps = 0;
    const s = performance.now();
    while (steps === 0 || performance.now() - s < 250) {
      check = step();
      steps++;
    }
    times.push((performance.now() - s) / 1000 / steps);
  }
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)];
  return { examplesPerS: SPEC.batch / med, stepS: med, reps: times.length, check };
}

function gradlabChild(method: 'fast' | 'vmap' | 'loop'): Figure {
  const [i, h, o] = SPEC.sizes;
  const net = new gl.nn.Sequential(new gl.nn.Linear(i, h), new gl.nn.ReLU(), new gl.nn.Linear(h, o));
  const init = [
    param(SPEC.seed, 10, h * i, i),
    param(SPEC.seed, 11, h, i),
    param(SPEC.seed, 12, o * h, h),
    param(SPEC.seed, 13, o, h),
  ];
  gl.noGrad(() => net.parameters().forEach((p, k) => p.copy_(gl.tensor(init[k], { shape: p.shape }))));
  const x = gl.tensor(uniform(SPEC.seed, 0, SPEC.batch * i, 0, 1), { shape: [SPEC.batch, i] });
  const y = gl.tensor(labels(SPEC.seed, 1, SPEC.batch, o), { shape: [SPEC.batch], dtype: 'int32' });
  const loss = (out: gl.Tensor, t: gl.Tensor | null) => gl.crossEntropy(out, t!);
  const params = net.parameters();
  // the check: the summed squared norm of the per-example gradients of the first layer's weight
  const sq = (g: gl.Tensor) => g.mul(g).sum().item();
  if (method === 'loop')
    return measure(() => {
      const per: gl.Tensor[][] = params.map(() => []);
      for (let k = 0; k < SPEC.batch; k++) {
        net.zeroGrad();
        loss(net.forward(x.narrow(0, k, 1)), y.narrow(0, k, 1)).backward();
        params.forEach((p, j) => per[j].push(p.grad!.clone()));
      }
      return sq(gl.stack(per[0]));
    });
  return measure(() => sq(gl.perExampleGrads(net, loss, x, y, { method }).grads['0.weight']));
}

function runChild(system: System): Figure | string {
  const { env } = childEnv();
  const [lib, method] = system.split('-');
  const r =
    lib === 'gradlab'
      ? spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', method], {
          env,
          encoding: 'utf8',
          timeout: 300_000,
        })
      : spawnSync(PYTHON, [`${repoRoot()}/bench/peers/per_example_torch.py`, method, JSON.stringify(SPEC)], {
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
    console.log(JSON.stringify(gradlabChild(args[1] as 'fast' | 'vmap' | 'loop')));
    return;
  }
  const ri = args.indexOf('--rounds');
  const rounds = ri >= 0 ? Number(args[ri + 1]) : 3;
  const m = machine();
  const { blasNote } = childEnv();
  const missing = torchMissing();
  const systems = SYSTEMS.filter((s) => !missing || s.startsWith('gradlab'));
  console.log(
    `per-example gradients: MLP ${SPEC.sizes.join('-')} (ReLU, cross-entropy), batch ${SPEC.batch}, float32`,
  );
  console.log(
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}, ${m.date}, load ${m.loadAvg}`,
  );
  console.log(
    `gradlab backend: ${gl.getBackend()}; ${blasNote}${missing ? `; torch missing: ${missing}` : ''}`,
  );
  const figs = new Map<System, Figure[]>(systems.map((s) => [s, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? systems : [...systems].reverse();
    for (const s of order) {
      const f = runChild(s);
      if (typeof f === 'string') console.log(`round ${r + 1} ${s}: ${f}`);
      else figs.get(s)!.push(f);
    }
  }
  console.log(
    '\nsystem          examples/s (median of rounds)  rounds            check (sum of squared per-example grads, layer 1 weight)',
  );
  for (const [s, f] of figs)
    if (f.length)
      console.log(
        `${s.padEnd(15)} ${fmt(median(f.map((x) => x.examplesPerS))).padStart(10)}                     ${f
          .map((x) => fmt(x.examplesPerS))
          .join(', ')
          .padEnd(18)}${f[0].check.toPrecision(6)}`,
      );
  const pairs: [System, System][] = [
    ['gradlab-fast', 'torch-vmap'],
    ['gradlab-vmap', 'torch-vmap'],
    ['gradlab-loop', 'torch-loop'],
    ['gradlab-fast', 'gradlab-loop'],
    ['gradlab-vmap', 'gradlab-loop'],
    ['torch-vmap', 'torch-loop'],
  ];
  console.log('\nratio (throughput a / b per round; median [lowest-highest])');
  for (const [a, b] of pairs) {
    const fa = figs.get(a) ?? [];
    const fb = figs.get(b) ?? [];
    const n = Math.min(fa.length, fb.length);
    if (!n) continue;
    const per = Array.from({ length: n }, (_, k) => fa[k].examplesPerS / fb[k].examplesPerS);
    console.log(
      `${`${a} / ${b}`.padEnd(30)} ${median(per).toFixed(2)}x [${Math.min(...per).toFixed(2)}-${Math.max(...per).toFixed(2)}]`,
    );
  }
}

main();
