// Parity benchmark driver: trains the MLP and CNN with gradlab and with PyTorch on Fashion-MNIST and compares test accuracy.
// Usage (npm run parity -- [options]):
//   --models mlp,cnn   --seeds 0,1,2   --mlp-epochs 5   --cnn-epochs 5   --out <dir for the .jsonl results>
//   --summarize a.jsonl b.jsonl ...   (only print the comparison of results already collected)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Row {
  system: 'gradlab' | 'pytorch';
  model: string;
  seed: number;
  epochs: number;
  testAcc: number;
  seconds: number;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..'); // dist/bench/parity -> repository root

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

/** Mean ± sample sd of test accuracy per model and system, and gradlab minus PyTorch, in points. */
export function summarize(rows: Row[]): string {
  const lines = ['model  epochs  seeds  gradlab (%)     pytorch (%)     difference'];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const pick = (s: Row['system']) => rows.filter((r) => r.model === model && r.system === s);
    const g = pick('gradlab');
    const t = pick('pytorch');
    const fmt = (rs: Row[]) => {
      if (rs.length === 0) return '-'.padEnd(15);
      const { mean, sd } = stats(rs.map((r) => 100 * r.testAcc));
      return `${mean.toFixed(2)} ± ${sd.toFixed(2)}`.padEnd(15);
    };
    const diff =
      g.length && t.length
        ? (stats(g.map((r) => 100 * r.testAcc)).mean - stats(t.map((r) => 100 * r.testAcc)).mean).toFixed(2)
        : '-';
    const epochs = [...new Set([...g, ...t].map((r) => r.epochs))].join('/');
    const seeds = Math.max(g.length, t.length);
    lines.push(
      `${model.padEnd(6)} ${epochs.padEnd(7)} ${String(seeds).padEnd(6)} ${fmt(g)} ${fmt(t)} ${diff}`,
    );
  }
  return lines.join('\n') + '\n';
}

function readRows(files: string[]): Row[] {
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim().startsWith('{'))
      .map((l) => JSON.parse(l) as Row),
  );
}

function run(cmd: string, args: string[], out: string): Row[] {
  process.stderr.write(`$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status}`);
  writeFileSync(out, r.stdout);
  process.stderr.write(r.stdout);
  return readRows([out]);
}

const at = process.argv.indexOf('--summarize');
if (at >= 0) {
  process.stdout.write(summarize(readRows(process.argv.slice(at + 1))));
} else {
  const seeds = arg('seeds', '0,1,2');
  const outDir = path.resolve(arg('out', path.join(ROOT, 'bench/parity/results')));
  mkdirSync(outDir, { recursive: true });
  const rows: Row[] = [];
  for (const model of arg('models', 'mlp,cnn').split(',')) {
    const epochs = arg(`${model}-epochs`, '5');
    const common = ['--model', model, '--seeds', seeds, '--epochs', epochs];
    rows.push(
      ...run(
        process.execPath,
        [path.join(HERE, 'gradlab.js'), ...common],
        path.join(outDir, `gradlab-${model}.jsonl`),
      ),
    );
    rows.push(
      ...run(
        '/usr/bin/python3',
        [path.join(ROOT, 'bench/parity/torch_parity.py'), ...common],
        path.join(outDir, `torch-${model}.jsonl`),
      ),
    );
  }
  process.stdout.write(summarize(rows));
}
