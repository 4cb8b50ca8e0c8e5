// Docs that run: every ```ts block of README.md and docs/**/*.md is type-checked against the built package and run.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR } from '../../src/data/datasets.js';
import { distFile, ROOT } from '../helpers/dist.js';
import { webgpuUnavailable } from '../helpers/backends.js';
import { extractBlocks, type DocBlock } from './blocks.js';

/** README.md and every Markdown file under docs/, relative to the repository root. */
function markdownFiles(): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out;
}

/** A block that runs longer than this fails (they take seconds). */
const BLOCK_TIMEOUT_MS = 120_000;

const blocks: DocBlock[] = markdownFiles().flatMap((f) =>
  extractBlocks(f, readFileSync(path.join(ROOT, f), 'utf8')),
);

/** One generated program: the source, and where each of its lines comes from in the Markdown. */
interface Program {
  block: DocBlock;
  name: string;
  source: string;
  /** origin[i] is the Markdown location of generated line i (0-based), or a label for generated lines. */
  origin: string[];
}

/** The code a block runs: the blocks it continues, then its setup comment, then its own lines. */
function segments(k: number): { text: string; origin: (i: number) => string }[] {
  const b = blocks[k];
  const own = [
    ...(b.setup
      ? [{ text: b.setup, origin: () => `${b.file}:${b.line} (setup comment before the block)` }]
      : []),
    { text: b.code, origin: (i: number) => `${b.file}:${b.line + 1 + i}` },
  ];
  if (!b.continues) return own;
  const prev = blocks[k - 1];
  if (!prev || prev.file !== b.file)
    throw new Error(`${b.file}:${b.line}: 'continues' but no block before it`);
  if (prev.fragment) throw new Error(`${b.file}:${b.line}: continues a fragment (${prev.file}:${prev.line})`);
  return [...segments(k - 1), ...own];
}

function buildProgram(k: number): Program {
  const b = blocks[k];
  const name = `${b.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${b.line}`;
  const lines: string[] = [];
  const origin: string[] = [];
  const segs = segments(k);
  const all = segs.map((s) => s.text).join('\n');
  const header = [`// ${b.file}:${b.line}`];
  if (!/from 'gradlab'/.test(all)) header.push("import * as gl from 'gradlab';");
  header.push('export {};');
  for (const h of header) {
    lines.push(h);
    origin.push('(generated header)');
  }
  for (const s of segs) {
    const text = s.text.replaceAll('$REPO', ROOT);
    text.split('\n').forEach((l, i) => {
      lines.push(l);
      origin.push(s.origin(i));
    });
  }
  return { block: b, name, source: lines.join('\n') + '\n', origin };
}

const programs = blocks.map((_, k) => buildProgram(k));

let work = '';
const diagnostics = new Map<string, string[]>();

beforeAll(() => {
  distFile('src/index.js'); // fails with a clear message when the build is missing
  work = mkdtempSync(path.join(os.tmpdir(), 'gradlab-docs-'));
  mkdirSync(path.join(work, 'src'));
  mkdirSync(path.join(work, 'node_modules'));
  // import 'gradlab' resolves to this checkout through its package.json exports, as for a dependent
  symlinkSync(ROOT, path.join(work, 'node_modules', 'gradlab'), 'dir');
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const files = programs.map((p) => {
    const f = path.join(work, 'src', p.name + '.ts');
    writeFileSync(f, p.source);
    return f;
  });
  const options: ts.CompilerOptions = {
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
  };
  const program = ts.createProgram(files, options);
  const all = ts.getPreEmitDiagnostics(program);
  program.emit();
  for (const d of all) {
    const file = d.file ? path.basename(d.file.fileName, '.ts') : '(global)';
    const p = programs.find((q) => q.name === file);
    let where = file;
    if (d.file && d.start !== undefined && p) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      where = p.origin[line] ?? file;
    }
    const msg = `${where}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    const key = p ? p.name : '(global)';
    diagnostics.set(key, [...(diagnostics.get(key) ?? []), msg]);
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Why an optional part a block needs is absent here, or null when it is present. */
async function missing(need: string): Promise<string | null> {
  if (need === 'webgpu') {
    const why = await webgpuUnavailable();
    return why === null ? null : `no WebGPU adapter (${why})`;
  }
  if (need === 'fashion-mnist')
    return existsSync(path.join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'))
      ? null
      : `Fashion-MNIST is not installed in ${FASHION_MNIST_DIR} (apt-get install dataset-fashion-mnist)`;
  throw new Error(`unknown need ${need}`);
}

/** The environment without $GRADLAB_STORE: a block that opens the default store opens it in its temp dir. */
function withoutStore(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.GRADLAB_STORE;
  return env;
}

/** Runs a compiled block with node in `cwd` (asynchronously: a long block must not stall the test worker). */
function run(
  file: string,
  cwd: string,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      cwd,
      env: withoutStore(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), BLOCK_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('docs code blocks', () => {
  it('exist and have unique locations', () => {
    expect(blocks.length).toBeGreaterThan(30);
    expect(new Set(programs.map((p) => p.name)).size).toBe(programs.length);
    expect(diagnostics.get('(global)') ?? []).toEqual([]);
  });

  for (const p of programs) {
    const b = p.block;
    it(`${b.file}:${b.line}`, { timeout: BLOCK_TIMEOUT_MS + 10_000 }, async (ctx) => {
      if (b.fragment) {
        console.info(`docs: ${b.file}:${b.line} is a fragment, not compiled: ${b.fragment}`);
        ctx.skip();
        return;
      }
      expect(diagnostics.get(p.name) ?? [], 'type errors').toEqual([]);
      if (b.noRun) {
        console.info(`docs: ${b.file}:${b.line} type-checked, not run: ${b.noRun}`);
        return;
      }
      for (const n of b.needs) {
        const why = await missing(n);
        if (why) {
          console.info(`docs: ${b.file}:${b.line} type-checked, not run: ${why}`);
          ctx.skip();
          return;
        }
      }
      const cwd = mkdtempSync(path.join(work, 'run-'));
      const r = await run(path.join(work, 'out', p.name + '.js'), cwd);
      const out = `${b.file}:${b.line} exited ${r.code}${r.signal ? ` (${r.signal})` : ''}\n${r.stderr}`;
      expect(r.code, out).toBe(0);
    });
  }
});
