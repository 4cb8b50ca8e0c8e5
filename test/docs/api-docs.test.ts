// The API reference: TypeDoc's validation over the public entry points, an @example on every public function, class and method, and examples that compile and run.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distFile, ROOT } from '../helpers/dist.js';
import {
  collect,
  parseAllowlist,
  type Example,
  type JsonReflection,
  type Required,
} from './tsdoc-examples.js';

// `npm run docs` writes the reference to dist/api from typedoc.json. Here TypeDoc converts and validates the
// same entry points once (no HTML) and must print no warning: every public export and member has TSDoc, every
// type the public API refers to is exported (or listed in typedoc.json's `intentionallyNotExported`), and every
// link resolves. The same run's JSON model gives the public functions, classes and methods, which need an
// `@example` (the rule is in tsdoc-examples.ts and docs/api.md), and every example, which is compiled against
// the built package by one TypeScript program and run in one Node process. `skipErrorChecking` leaves out
// TypeDoc's own type check of the whole program (about 40% of its CPU): `npm test` has just compiled the same
// tsconfig.json with tsc, which fails on any type error first.

/** Unfinished work: members without an example and examples that fail. It may only shrink. */
const ALLOWLIST_FILE = path.join(ROOT, 'test', 'docs', 'example-allowlist.txt');
/** The example runner is killed after this long (all examples together take seconds). */
const RUN_TIMEOUT_MS = 180_000;

/** TypeDoc's warnings, one line each: colours, source positions and code excerpts removed. */
function warnings(output: string): string[] {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const out: string[] = [];
  for (const line of plain.split('\n')) {
    const m = line.match(/^(?:(\S+?):\d+:\d+ - )?\[(warning|error)\] (.*)$/);
    if (!m) continue;
    if (/^Found \d+ errors? and \d+ warnings?$/.test(m[3])) continue;
    out.push(`${m[2]}: ${m[1] ? m[1].replace(/^\.\//, '') + ': ' : ''}${m[3]}`);
  }
  return [...new Set(out)].sort();
}

/** TypeDoc as its CLI runs it with typedoc.json, except that it writes the project's JSON model instead of HTML. */
const TYPEDOC_SCRIPT = `
import * as td from 'typedoc';
import { writeFileSync } from 'node:fs';
const app = await td.Application.bootstrapWithPlugins({ skipErrorChecking: true }, [
  new td.TypeDocReader(), new td.PackageJsonReader(), new td.TSConfigReader(),
]);
const project = await app.convert();
if (!project) process.exit(3);
app.validate(project);
writeFileSync(process.argv[1], JSON.stringify(app.serializer.projectToObject(project, process.cwd())));
process.exit(app.logger.hasErrors() ? 4 : 0);
`;

function spawnNode(
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Runs each compiled example in turn in one process, one JSON line per start and per result. */
const RUNNER = `
import { appendFileSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as gl from 'gradlab';
const [listFile, resultFile] = process.argv.slice(2);
const list = JSON.parse(readFileSync(listFile, 'utf8'));
let current = null;
const record = (o) => appendFileSync(resultFile, JSON.stringify(o) + '\\n');
const fail = (e) => { if (current) record({ name: current, ok: false, error: String(e && e.stack || e).slice(0, 800) }); current = null; };
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);
const backend = gl.getBackend();
for (const { name, file } of list) {
  current = name;
  record({ name, start: true });
  try {
    await import(pathToFileURL(file).href);
    if (current) record({ name, ok: true });
  } catch (e) { fail(e); }
  current = null;
  if (gl.getBackend() !== backend) await gl.setBackend(backend);
}
`;

let work = '';
let typedocRun: { code: number | null; output: string } = { code: null, output: '' };
let required: Required[] = [];
let examples: Example[] = [];
/** Type errors per example name. */
const typeErrors = new Map<string, string[]>();
/** Run result per example name: null = ran fine, a string = the error, undefined = not run. */
const runResults = new Map<string, string | null>();
let runOutput = '';

/** The import lines a program gets: gradlab as `gl`, and the value exports of gradlab/store by name. */
function header(ex: Example, storeValues: string[]): string[] {
  const lines: string[] = [];
  if (!/from 'gradlab'/.test(ex.code)) lines.push("import * as gl from 'gradlab';");
  if (ex.entry === 'store' && !/from 'gradlab\/store'/.test(ex.code))
    lines.push(`import { ${storeValues.join(', ')} } from 'gradlab/store';`);
  lines.push('export {};');
  return lines;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'gradlab-api-docs-'));
  const jsonFile = path.join(work, 'api.json');
  typedocRun = await spawnNode(['--input-type=module', '-e', TYPEDOC_SCRIPT, jsonFile], ROOT, 600_000);
  if (typedocRun.code !== 0) return;
  const project = JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonReflection;
  ({ required, examples } = collect(project));
  const store = project.children?.find((c) => c.name === 'store');
  const storeValues = (store?.children ?? [])
    .filter((c) => [8, 32, 64, 128].includes(c.kind))
    .map((c) => c.name);

  // one TypeScript program for every example that is not a fragment, against the built package
  distFile('src/index.js'); // fails with a clear message when the build is missing
  mkdirSync(path.join(work, 'src'));
  mkdirSync(path.join(work, 'node_modules'));
  symlinkSync(ROOT, path.join(work, 'node_modules', 'gradlab'), 'dir');
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const compiled = examples.filter((e) => !e.fragment);
  const fileOf = new Map<string, Example>();
  const headerLines = new Map<string, number>();
  const files = compiled.map((ex, i) => {
    const f = path.join(work, 'src', `ex${i}.ts`);
    const head = header(ex, storeValues);
    writeFileSync(f, [`// ${ex.name}`, ...head, ex.code].join('\n') + '\n');
    fileOf.set(`ex${i}`, ex);
    headerLines.set(ex.name, head.length + 1);
    return f;
  });
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
    strict: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    skipLibCheck: true,
    outDir: path.join(work, 'out'),
    rootDir: path.join(work, 'src'),
  });
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const ex = d.file ? fileOf.get(path.basename(d.file.fileName, '.ts')) : undefined;
    const key = ex?.name ?? '(global)';
    let where = '';
    if (d.file && d.start !== undefined && ex)
      where = `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1 - (headerLines.get(ex.name) ?? 0)}: `;
    const msg = `${where}TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    typeErrors.set(key, [...(typeErrors.get(key) ?? []), msg]);
  }
  program.emit();

  // run the ones that type-check and are not marked no-run, in one process
  const toRun = compiled
    .map((ex, i) => ({ ex, i }))
    .filter(({ ex }) => !ex.noRun && !typeErrors.has(ex.name))
    .map(({ ex, i }) => ({ name: ex.name, file: path.join(work, 'out', `ex${i}.js`) }));
  const listFile = path.join(work, 'run-list.json');
  const resultFile = path.join(work, 'run-results.jsonl');
  const runner = path.join(work, 'out', 'run-all.mjs');
  writeFileSync(listFile, JSON.stringify(toRun));
  writeFileSync(resultFile, '');
  writeFileSync(runner, RUNNER);
  const cwd = mkdtempSync(path.join(work, 'cwd-'));
  const env = { ...process.env };
  delete env.GRADLAB_STORE;
  const r = await spawnNode([runner, listFile, resultFile], cwd, RUN_TIMEOUT_MS, env);
  runOutput = `runner exited ${r.code}${r.signal ? ` (${r.signal})` : ''}\n${r.output.slice(-2000)}`;
  let last: string | null = null;
  for (const line of readFileSync(resultFile, 'utf8').split('\n').filter(Boolean)) {
    const o = JSON.parse(line) as { name: string; start?: boolean; ok?: boolean; error?: string };
    if (o.start) last = o.name;
    else {
      runResults.set(o.name, o.ok ? null : (o.error ?? 'failed'));
      last = null;
    }
  }
  if (last !== null) runResults.set(last, `the runner stopped in this example: ${runOutput}`);
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function allowlist() {
  return parseAllowlist(existsSync(ALLOWLIST_FILE) ? readFileSync(ALLOWLIST_FILE, 'utf8') : '');
}

describe('API reference (TypeDoc)', () => {
  it('documents every public export and member, with no TypeDoc warning', () => {
    const { code, output } = typedocRun;
    expect(code, output.slice(-3000)).toBe(0);
    const now = warnings(output);
    const undocumented = now.filter((w) => w.includes('does not have any documentation')).length;
    console.info(
      `api docs: ${now.length} TypeDoc warnings, ${undocumented} of them undocumented exports or members`,
    );
    expect(now, 'TypeDoc warnings: document these exports and members (TSDoc) or fix the links').toEqual([]);
  });

  it('has an @example on every public function, class and method (docs/api.md gives the rule)', () => {
    expect(typedocRun.code).toBe(0);
    expect(required.length).toBeGreaterThan(500);
    const allow = allowlist();
    const missing = required.filter((r) => !r.ok).map((r) => `${r.kind} ${r.name}`);
    const offenders = missing.filter((m) => !allow.missing.has(m));
    const present = new Set(missing);
    const stale = [...allow.missing].filter((m) => !present.has(m));
    console.info(
      `api docs: ${required.length} public functions, classes and methods; ${missing.length} without an example, ` +
        `all ${allow.missing.size - stale.length} of them in example-allowlist.txt`,
    );
    expect(offenders, 'add an @example (TSDoc) to these').toEqual([]);
    expect(stale, 'these have an example now (or are gone): remove them from example-allowlist.txt').toEqual(
      [],
    );
  });

  it('type-checks every @example that is not a fragment and runs those not marked no-run', () => {
    expect(typedocRun.code).toBe(0);
    expect(examples.length).toBeGreaterThan(300);
    expect(typeErrors.get('(global)') ?? []).toEqual([]);
    const allow = allowlist();
    const failures: string[] = [];
    const broken = new Set<string>();
    for (const ex of examples) {
      if (ex.fragment) continue;
      const errs = typeErrors.get(ex.name);
      const ran = runResults.get(ex.name);
      let why: string | null = null;
      if (errs) why = errs.join('\n  ');
      else if (!ex.noRun && ran === undefined) why = `was not run (${runOutput.split('\n')[0]})`;
      else if (ran) why = `threw: ${ran}`;
      if (why === null) continue;
      broken.add(ex.name);
      if (!allow.broken.has(ex.name))
        failures.push(`${ex.name}:\n  ${why}\n  ${ex.code.split('\n').join('\n  | ')}`);
    }
    const stale = [...allow.broken].filter((n) => !broken.has(n));
    const fragments = examples.filter((e) => e.fragment).length;
    const noRun = examples.filter((e) => !e.fragment && e.noRun).length;
    console.info(
      `api docs: ${examples.length} examples: ${fragments} fragments, ${noRun} type-checked only, ` +
        `${runResults.size} run; ${broken.size} failing, all ${allow.broken.size - stale.length} of them in example-allowlist.txt`,
    );
    expect(failures, 'fix these examples (or mark a fragment: // doc-test: fragment: why)').toEqual([]);
    expect(stale, 'these examples pass now (or are gone): remove them from example-allowlist.txt').toEqual(
      [],
    );
  });
});
