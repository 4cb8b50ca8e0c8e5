// The layering of src/ as a test: every import between top-level folders must be allowed by LAYERS, and
// value imports (type-only ones excepted) must form no cycle. Imports are parsed with the TypeScript compiler.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** The top-level units of src/ ('index' is src/index.ts, the package entry). */
type Unit =
  | 'core'
  | 'backends'
  | 'ops'
  | 'io'
  | 'store'
  | 'data'
  | 'nn'
  | 'optim'
  | 'testing'
  | 'envs'
  | 'distributions'
  | 'rules'
  | 'train'
  | 'lab'
  | 'recipes'
  | 'cli'
  | 'index';

/**
 * What each unit may import besides itself: core → backends/ops → nn/optim/data (with io, store,
 * testing beside them; envs beside them on core alone) → rules (learning rules) → train → lab/recipes → cli. The entry (index) assembles everything but the CLI.
 */
const LAYERS: { [U in Unit]: readonly Unit[] } = {
  core: [],
  backends: ['core'],
  ops: ['core'],
  io: ['core', 'ops'],
  store: ['core', 'io'],
  data: ['core', 'ops', 'io'],
  nn: ['core', 'ops'],
  optim: ['core', 'ops'],
  testing: ['core', 'ops'],
  envs: ['core'],
  distributions: ['core', 'ops'],
  rules: ['core', 'ops', 'io', 'data', 'nn', 'optim', 'envs', 'distributions'],
  train: ['core', 'ops', 'io', 'store', 'data', 'nn', 'optim', 'distributions', 'rules'],
  lab: ['core', 'ops', 'io', 'data', 'nn', 'optim', 'distributions', 'rules', 'train', 'envs'],
  recipes: ['core', 'ops', 'io', 'data', 'nn', 'optim', 'distributions', 'rules', 'train', 'lab', 'envs'],
  cli: [
    'core',
    'ops',
    'io',
    'store',
    'data',
    'nn',
    'optim',
    'testing',
    'envs',
    'distributions',
    'rules',
    'train',
    'lab',
    'recipes',
    'index',
  ],
  index: [
    'core',
    'backends',
    'ops',
    'io',
    'store',
    'data',
    'nn',
    'optim',
    'testing',
    'envs',
    'distributions',
    'rules',
    'train',
    'lab',
    'recipes',
  ],
};

interface Edge {
  from: string;
  to: string;
  /** Erased at compile time (import type, or every named binding marked type). */
  typeOnly: boolean;
  /** import() expression: loaded later, so it cannot take part in a load-time cycle. */
  dynamic: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

function unitOf(file: string): Unit {
  const rel = relative(SRC, file).split(/[\\/]/);
  const unit = (rel.length === 1 ? 'index' : rel[0]) as Unit;
  if (!(unit in LAYERS)) throw new Error(`${rel.join('/')}: src/${rel[0]} has no row in LAYERS`);
  return unit;
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null; // packages and node: built-ins
  return resolve(dirname(from), spec).replace(/\.js$/, '.ts');
}

function importsOf(file: string): Edge[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean, dynamic: boolean) => {
    if (!spec || !ts.isStringLiteral(spec)) return;
    const to = resolveImport(file, spec.text);
    if (to) edges.push({ from: file, to, typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : null;
      const typeOnly =
        !!c &&
        (c.isTypeOnly || (!c.name && named !== null && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly, false);
    } else if (ts.isExportDeclaration(node)) {
      const named =
        node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : null;
      const typeOnly =
        node.isTypeOnly || (named !== null && named.length > 0 && named.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const files = sourceFiles(SRC);
const edges = files.flatMap(importsOf);
const rel = (f: string) => relative(SRC, f);

/** The strongly connected components of more than one file (Tarjan), each sorted. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.map(rel).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) strong(v);
  return out;
}

describe('architecture of src/', () => {
  it('finds the imports (the parser sees multi-line, type-only and re-exports)', () => {
    expect(files.length).toBeGreaterThan(100);
    const engine = edges.filter((e) => rel(e.from) === 'core/engine.ts').map((e) => rel(e.to));
    expect(engine).toContain('core/tensor.ts');
    expect(edges.some((e) => e.typeOnly)).toBe(true);
  });

  it('imports only along the layering (LAYERS)', () => {
    const bad = edges
      .filter((e) => {
        const [a, b] = [unitOf(e.from), unitOf(e.to)];
        return a !== b && !LAYERS[a].includes(b);
      })
      .map(
        (e) =>
          `${rel(e.from)} imports ${rel(e.to)} (${unitOf(e.from)} may import ${LAYERS[unitOf(e.from)].join(', ') || 'nothing else'})`,
      );
    expect(bad).toEqual([]);
  });

  it('has no cycle of value imports (type-only and dynamic imports excepted)', () => {
    const graph = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const e of edges) if (!e.typeOnly && !e.dynamic) graph.get(e.from)?.push(e.to);
    expect(cycles(graph)).toEqual([]);
  });

  it('the cycle finder finds a cycle', () => {
    const g = new Map([
      [join(SRC, 'a.ts'), [join(SRC, 'b.ts')]],
      [join(SRC, 'b.ts'), [join(SRC, 'a.ts')]],
      [join(SRC, 'c.ts'), [join(SRC, 'a.ts')]],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts']]);
  });
});
