// Command-line options of `npm run bench`.
import { allWorkloads, suite, type WorkloadSpec } from './workloads.js';

export const SYSTEMS = ['gradlab', 'tfjs-cpu', 'tfjs-wasm', 'jax-js', 'torch'] as const;
export type SystemName = (typeof SYSTEMS)[number];

export interface Options {
  json: boolean;
  /** Also write the JSON document to this file. */
  out?: string;
  quick: boolean;
  epoch: boolean;
  reps?: number;
  /** Rounds per workload: every system measures it this many times, alternating (default 3; --quick: 1). */
  rounds: number;
  /** Seconds an epoch may be projected to take before it is skipped (default EPOCH_PROTOCOL.capS). */
  epochCapS?: number;
  only: string[];
  backend?: 'js' | 'native' | 'webgpu';
  systems: SystemName[];
  help: boolean;
}

/** Rounds per workload unless --rounds or --quick says otherwise. */
export const DEFAULT_ROUNDS = 7;

/** The systems run unless --systems says otherwise: gradlab and PyTorch (the targets are set against it). */
export const DEFAULT_SYSTEMS: readonly SystemName[] = ['gradlab', 'torch'];

export const USAGE = `npm run bench -- [options]
  --json              print one JSON document (progress goes to stderr; use npm run -s)
  --out <file>        also write the JSON document to <file>
  --only <workload>   run only these workloads: an id (matmul-1024, overhead, mlp, mlp-tidy,
                      cnn, cnn-tidy, per-example-fast, per-example-vmap, per-example-loop, epoch)
                      or a family (matmul; mlp and cnn take both loops; per-example its three
                      methods); repeat or comma-separate
  --reps <N>          timed repetitions per workload (default 7; the epoch: 1)
  --rounds <N>        measure each workload N times per system, the systems alternating, and
                      quote medians over rounds (default ${DEFAULT_ROUNDS}; with --quick 1)
  --quick             smoke run: 1 warm-up step, 2 reps, tiny time caps; by default no large
                      matmuls, and a 1,280-image epoch
  --epoch             add the Fashion-MNIST epoch workload (minutes; off by default)
  --epoch-cap <s>     skip a system's epoch when warm-up projects it over <s> seconds (default 150)
  --backend <name>    gradlab backend: js, native or webgpu (default: gradlab's default backend)
  --systems <list>    systems to run (default ${DEFAULT_SYSTEMS.join(',')}), or 'all': ${SYSTEMS.join(',')}
  --help`;

/**
 * Parses argv (without node and script).
 * @example parseArgs(['--only', 'mlp', '--reps', '3'])
 */
/** The value after the flag at `argv[i]`; throws when it is missing or is another flag. */
export function flagValue(argv: readonly string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
  return v;
}

/** A positive integer option value, or an error naming the flag. */
export function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

export function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    json: false,
    quick: false,
    epoch: false,
    only: [],
    rounds: 0,
    systems: [...DEFAULT_SYSTEMS],
    help: false,
  };
  const value = (i: number, flag: string): string => flagValue(argv, i, flag);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') o.json = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--epoch') o.epoch = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--out') o.out = value(i++, a);
    else if (a === '--only') o.only.push(...value(i++, a).split(',').filter(Boolean));
    else if (a === '--reps') o.reps = positiveInt(value(i++, a), a);
    else if (a === '--rounds') o.rounds = positiveInt(value(i++, a), a);
    else if (a === '--epoch-cap') {
      const n = Number(value(i++, a));
      if (!(n > 0)) throw new Error(`--epoch-cap must be a positive number of seconds, got '${argv[i]}'`);
      o.epochCapS = n;
    } else if (a === '--backend') {
      const b = value(i++, a);
      if (b !== 'js' && b !== 'native' && b !== 'webgpu')
        throw new Error(`--backend must be js, native or webgpu, got '${b}'`);
      o.backend = b;
    } else if (a === '--systems') {
      const v = value(i++, a);
      const list = v === 'all' ? [...SYSTEMS] : v.split(',').filter(Boolean);
      for (const s of list)
        if (!(SYSTEMS as readonly string[]).includes(s))
          throw new Error(`--systems: unknown system '${s}' (known: ${SYSTEMS.join(', ')})`);
      o.systems = list as SystemName[];
    } else throw new Error(`unknown option '${a}'\n${USAGE}`);
  }
  if (o.rounds === 0) o.rounds = o.quick ? 1 : DEFAULT_ROUNDS;
  return o;
}

/** The workloads the options select: `--only` picks from every workload (the epoch included). */
export function selectWorkloads(o: Options): WorkloadSpec[] {
  if (o.only.length === 0) return suite({ epoch: o.epoch, quick: o.quick });
  const all = allWorkloads(o.quick);
  const known = new Set(all.flatMap((w) => [w.id, w.family]));
  for (const name of o.only)
    if (!known.has(name))
      throw new Error(`--only: unknown workload '${name}' (known: ${[...known].join(', ')})`);
  return all.filter((w) => o.only.includes(w.id) || o.only.includes(w.family));
}
