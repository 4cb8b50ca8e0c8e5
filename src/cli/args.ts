// Typed command specs and the argument parser: options, positionals, per-command help, usage errors.
import { UsageError } from './errors.js';

/** A `--name <text>` option; `choices` restricts the value (and types it as their union). */
export interface StringOption {
  type: 'string';
  description: string;
  valueName?: string;
  default?: string;
  choices?: readonly string[];
  short?: string;
}

/** A `--name <n>` option parsed strictly as a number (`integer`, `min`, `max` checked). */
export interface NumberOption {
  type: 'number';
  description: string;
  valueName?: string;
  default?: number;
  integer?: boolean;
  min?: number;
  max?: number;
  short?: string;
}

/** A `--name` flag; false unless given. */
export interface BooleanOption {
  type: 'boolean';
  description: string;
  short?: string;
}

/** Any option; the key in an `OptionSpecs` record is camelCase, the flag is its kebab-case form. */
export type OptionSpec = StringOption | NumberOption | BooleanOption;

/** Options of a command by camelCase key (`batchSize` is given as `--batch-size`). */
export type OptionSpecs = Record<string, OptionSpec>;

/** A positional argument; required unless `optional` (optional ones must come last). */
export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** The parsed value type of one option spec. */
export type OptionValue<S extends OptionSpec> = S extends BooleanOption
  ? boolean
  : S extends NumberOption
    ? S extends { default: number }
      ? number
      : number | undefined
    : S extends { choices: readonly (infer C)[] }
      ? S extends { default: string }
        ? C
        : C | undefined
      : S extends { default: string }
        ? string
        : string | undefined;

/** Parsed options of a command, typed from its specs. */
export type ParsedOptions<O extends OptionSpecs> = { -readonly [K in keyof O]: OptionValue<O[K]> };

/** Parsed positionals of a command by name, typed from its specs. */
export type ParsedPositionals<P extends readonly PositionalSpec[]> = {
  [S in P[number] as S['name']]: S extends { optional: true } ? string | undefined : string;
};

/** Backends `--backend` (and $GRADLAB_BACKEND) accept. */
export const BACKEND_NAMES = ['js', 'native', 'webgpu'] as const;

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  store: {
    type: 'string',
    valueName: 'dir',
    description:
      'run store: a directory holding runs.db and checkpoints/, created when missing (default: $GRADLAB_STORE, else ./.gradlab)',
  },
  backend: {
    type: 'string',
    choices: BACKEND_NAMES,
    description:
      'compute backend of commands that compute (default: $GRADLAB_BACKEND, else native where it loads, else js)',
  },
  help: { type: 'boolean', short: 'h', description: 'show help for the command and exit' },
  version: { type: 'boolean', short: 'V', description: "print gradlab's version and exit" },
} as const satisfies OptionSpecs;

/** Parsed global options. */
export type GlobalOptions = ParsedOptions<typeof GLOBAL_OPTIONS>;

/** What a command's `run` receives. */
export interface ParsedArgs<O extends OptionSpecs, P extends readonly PositionalSpec[]> {
  options: ParsedOptions<O>;
  positionals: ParsedPositionals<P>;
  global: GlobalOptions;
}

/** Converts a camelCase key to its flag: `batchSize` → `--batch-size`. */
export function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** Options and positionals as parsed, before a command types them. */
export interface RawParse {
  options: Record<string, string | number | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` against `specs` (which include the global options). `where` names the command
 * in errors ("gradlab runs show"). Throws UsageError for unknown options, missing or bad values.
 *
 * @example
 * parseOptions(['--limit', '5', 'x'], { limit: { type: 'number', integer: true, description: '' } }, 'gradlab runs');
 * // { options: { limit: 5 }, positionals: ['x'] }
 */
export function parseOptions(argv: readonly string[], specs: OptionSpecs, where: string): RawParse {
  const byFlag = new Map<string, [string, OptionSpec]>();
  for (const [key, spec] of Object.entries(specs)) {
    byFlag.set(flagName(key), [key, spec]);
    if (spec.short !== undefined) byFlag.set('-' + spec.short, [key, spec]);
  }
  const options: RawParse['options'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i];
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!tok.startsWith('-') || tok === '-' || /^-\d/.test(tok)) {
      positionals.push(tok);
      continue;
    }
    const eq = tok.startsWith('--') ? tok.indexOf('=') : -1;
    const flag = eq >= 0 ? tok.slice(0, eq) : tok;
    const found = byFlag.get(flag);
    if (found === undefined) {
      const guess = closest(
        flag,
        [...byFlag.keys()].filter((f) => f.startsWith('--')),
      );
      throw new UsageError(
        `${where}: unknown option '${flag}'${guess !== undefined ? ` (did you mean '${guess}'?)` : ''}`,
        where,
      );
    }
    const [key, spec] = found;
    if (spec.type === 'boolean') {
      if (eq >= 0)
        throw new UsageError(`${where}: option '${flag}' takes no value, got '${tok.slice(eq + 1)}'`, where);
      options[key] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) {
      value = tok.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--') || byFlag.has(next)) {
        throw new UsageError(`${where}: option '${flag}' needs a value (${describeValue(spec)})`, where);
      }
      value = next;
      i++;
    }
    options[key] =
      spec.type === 'number' ? parseNumber(value, flag, spec, where) : parseString(value, flag, spec, where);
  }
  return { options, positionals };
}

/** Fills defaults and checks positionals; returns the typed shape a command's run receives. */
export function finishParse(
  raw: RawParse,
  specs: OptionSpecs,
  positionalSpecs: readonly PositionalSpec[],
  where: string,
): { options: Record<string, unknown>; positionals: Record<string, string | undefined> } {
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const v = raw.options[key];
    options[key] = v !== undefined ? v : spec.type === 'boolean' ? false : spec.default;
  }
  const positionals: Record<string, string | undefined> = {};
  positionalSpecs.forEach((p, i) => {
    const v = raw.positionals[i];
    if (v === undefined && p.optional !== true) {
      throw new UsageError(`${where}: missing argument <${p.name}> (${p.description})`, where);
    }
    positionals[p.name] = v;
  });
  if (raw.positionals.length > positionalSpecs.length) {
    const extra = raw.positionals[positionalSpecs.length];
    throw new UsageError(`${where}: unexpected argument '${extra}'`, where);
  }
  return { options, positionals };
}

function describeValue(spec: StringOption | NumberOption): string {
  if (spec.type === 'string') {
    return spec.choices !== undefined ? spec.choices.join('|') : `<${spec.valueName ?? 'text'}>`;
  }
  return spec.integer === true ? 'an integer' : 'a number';
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string, flag: string, spec: NumberOption, where: string): number {
  const kind = spec.integer === true ? 'an integer' : 'a number';
  const v = NUMBER_RE.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(v) || (spec.integer === true && !Number.isSafeInteger(v))) {
    throw new UsageError(`${where}: option '${flag}' expects ${kind}, got '${text}'`, where);
  }
  if (spec.min !== undefined && v < spec.min) {
    throw new UsageError(`${where}: option '${flag}' must be at least ${spec.min}, got ${text}`, where);
  }
  if (spec.max !== undefined && v > spec.max) {
    throw new UsageError(`${where}: option '${flag}' must be at most ${spec.max}, got ${text}`, where);
  }
  return v;
}

function parseString(text: string, flag: string, spec: StringOption, where: string): string {
  if (spec.choices !== undefined && !spec.choices.includes(text)) {
    throw new UsageError(
      `${where}: option '${flag}' must be one of ${spec.choices.join(', ')}; got '${text}'`,
      where,
    );
  }
  if (text === '') throw new UsageError(`${where}: option '${flag}' needs a non-empty value`, where);
  return text;
}

/** The candidate nearest to `word` by edit distance, if close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
