// Reads TypeDoc's JSON model of the public API: which functions, classes and methods need an `@example`, and the examples.
/**
 * The rule (docs/api.md explains it for contributors). Public means reachable from a TypeDoc entry point
 * (typedoc.json: src/index.ts, src/store/index.ts). Needs its own `@example`:
 *
 * - every public function (on the declaration or any of its signatures);
 * - every public class (on the class comment);
 * - every method (static or not) declared in a public class, except
 *   - an inherited method that the class does not redeclare: it is checked where it is declared;
 *   - a method that the class's own `@example` calls (`.name(` appears in it), as `new gl.nn.Linear(4, 2)
 *     .forward(x)` does for `Linear.forward`, when it overrides or implements a base member;
 *   - an override or interface implementation (TypeDoc's `overwrites` / `implementationOf`) whose base member
 *     satisfies this rule (has an example, or is exempt itself through its own base or class example).
 *
 * Every fenced code block of an `@example` (```ts, ```typescript or an unfenced example, which TypeDoc
 * fences as ts) is a program that is type-checked and run, unless a line of it says otherwise:
 *
 *     // doc-test: fragment: why it cannot compile on its own    not compiled, the reason printed
 *     // doc-test: no-run: why it is not executed                type-checked only
 *     declare const x: gl.Tensor;                                a fragment whose context is declared:
 *                                                                type-checked only
 */

/** The slice of TypeDoc's serialized reflection that these checks read. */
export interface JsonReflection {
  id: number;
  name: string;
  kind: number;
  flags?: { isStatic?: boolean; isPrivate?: boolean; isProtected?: boolean };
  comment?: JsonComment;
  signatures?: JsonReflection[];
  getSignature?: JsonReflection;
  setSignature?: JsonReflection;
  children?: JsonReflection[];
  inheritedFrom?: { target: number; name: string };
  overwrites?: { target: number; name: string };
  implementationOf?: { target: number; name: string };
}

interface JsonComment {
  summary?: { kind: string; text: string }[];
  blockTags?: { tag: string; content: { kind: string; text: string }[] }[];
}

/** TypeDoc's ReflectionKind values used here. */
const KIND = { Module: 2, Namespace: 4, Function: 64, Class: 128, Method: 2048 } as const;

export type Need = 'function' | 'class' | 'method';

/** A public function, class or method and whether it has the example the rule asks for. */
export interface Required {
  kind: Need;
  /** Qualified name: `gl.nn.Linear.forward` (entry `index` is `gl`), `store.RunStore.open`. */
  name: string;
  ok: boolean;
}

/** One example program: the code blocks of one `@example` tag, joined. */
export interface Example {
  /** Qualified name of the documented reflection, with `#2`, `#3`... for its second, third example. */
  name: string;
  /** Entry point it belongs to: 'gl' (gradlab) or 'store' (gradlab/store). */
  entry: string;
  code: string;
  fragment?: string;
  noRun?: string;
}

function entryName(moduleName: string): string {
  return moduleName === 'index' ? 'gl' : moduleName.replace(/\/index$/, '');
}

/** The markdown texts of the `@example` tags of a reflection and its signatures and accessors. */
function exampleTexts(r: JsonReflection): string[] {
  const holders = [r, ...(r.signatures ?? []), r.getSignature, r.setSignature].filter(
    (x): x is JsonReflection => x !== undefined,
  );
  const out: string[] = [];
  for (const h of holders)
    for (const t of h.comment?.blockTags ?? [])
      if (t.tag === '@example') out.push(t.content.map((c) => c.text).join(''));
  return out;
}

/** The fenced TypeScript blocks of one `@example` (markdown), joined into one program. */
export function exampleCode(markdown: string): string | null {
  const blocks: string[] = [];
  const re = /```([^\n`]*)\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(markdown))) {
    const lang = m[1].trim().split(/\s+/)[0];
    if (['ts', 'typescript', 'js', 'javascript', ''].includes(lang)) blocks.push(m[2]);
  }
  return blocks.length ? blocks.join('\n') : null;
}

/** The `// doc-test:` markers of an example's code. */
export function markers(code: string, where: string): Pick<Example, 'fragment' | 'noRun'> {
  const out: Pick<Example, 'fragment' | 'noRun'> = {};
  for (const line of code.split('\n')) {
    const m = line.match(/^\s*\/\/\s*doc-test:\s*(.*)$/);
    if (m) {
      const d = m[1].match(/^(fragment|no-run):\s*(\S.*)$/);
      if (!d) throw new Error(`${where}: unknown doc-test marker '${m[1]}' (fragment: why | no-run: why)`);
      if (d[1] === 'fragment') out.fragment = d[2];
      else out.noRun = d[2];
    } else if (/^\s*declare\s/.test(line) && !out.noRun) out.noRun = 'declares its context (a fragment)';
  }
  return out;
}

/** Walks TypeDoc's project JSON: what needs an example, and every example of the public API. */
export function collect(project: JsonReflection): { required: Required[]; examples: Example[] } {
  const byId = new Map<number, JsonReflection>();
  const index = (r: JsonReflection) => {
    byId.set(r.id, r);
    for (const s of r.signatures ?? []) byId.set(s.id, s);
    for (const c of r.children ?? []) index(c);
  };
  index(project);
  const required: Required[] = [];
  const examples: Example[] = [];
  const hasExample = (r: JsonReflection | undefined): boolean => !!r && exampleTexts(r).length > 0;
  const parentOf = new Map<number, JsonReflection>();
  const link = (r: JsonReflection) => {
    for (const c of r.children ?? []) {
      parentOf.set(c.id, r);
      link(c);
    }
  };
  link(project);
  /** A method's own example, or one that its base member has (or is exempt through), or its class's call of it. */
  const methodOk = (r: JsonReflection, owner: JsonReflection | undefined, depth = 0): boolean => {
    if (hasExample(r)) return true;
    const base = r.overwrites ?? r.implementationOf;
    if (!base || depth > 20) return false;
    if (owner && exampleTexts(owner).some((t) => t.includes(`.${r.name}(`))) return true;
    let target = byId.get(base.target);
    if (target?.kind === 4096)
      target = [...byId.values()].find((m) => m.signatures?.some((x) => x.id === base.target));
    if (!target) return false;
    return methodOk(target, parentOf.get(target.id), depth + 1);
  };

  const visit = (r: JsonReflection, path: string, entry: string, parent: JsonReflection | null) => {
    const name = path;
    // an inherited member, or an override whose comment TypeDoc copied from its base, repeats the base's examples
    const base = r.overwrites ?? r.implementationOf;
    const baseTexts = base ? exampleTexts(byId.get(base.target) ?? r).join('\n') : null;
    if (!r.inheritedFrom && exampleTexts(r).join('\n') !== baseTexts) {
      exampleTexts(r).forEach((text, i) => {
        const exName = i === 0 ? name : `${name}#${i + 1}`;
        const code = exampleCode(text);
        if (code === null) return;
        examples.push({ name: exName, entry, code, ...markers(code, exName) });
      });
    }
    if (r.kind === KIND.Function) required.push({ kind: 'function', name, ok: hasExample(r) });
    else if (r.kind === KIND.Class) required.push({ kind: 'class', name, ok: hasExample(r) });
    else if (r.kind === KIND.Method && parent?.kind === KIND.Class && !r.inheritedFrom)
      required.push({ kind: 'method', name, ok: methodOk(r, parent) });
    for (const c of r.children ?? []) visit(c, `${path}.${c.name}`, entry, r);
  };
  for (const mod of project.children ?? []) {
    const entry = entryName(mod.name);
    for (const c of mod.children ?? []) visit(c, `${entry}.${c.name}`, entry, mod);
  }
  return { required, examples };
}

/** The allowlist: unfinished work the test tolerates, which may only shrink. */
export interface Allowlist {
  /** `function gl.x`, `class gl.nn.Y`, `method gl.nn.Y.z`: public members still without an example. */
  missing: Set<string>;
  /** Example names whose program does not type-check or does not run yet. */
  broken: Set<string>;
}

/** Parses test/docs/example-allowlist.txt: `missing <kind> <name>` and `broken <example name>` lines; `#` starts a comment line. */
export function parseAllowlist(text: string): Allowlist {
  const out: Allowlist = { missing: new Set(), broken: new Set() };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = line.match(/^missing (function|class|method) (\S+)$/) ?? line.match(/^(broken) (\S+)$/);
    if (!m) throw new Error(`example-allowlist.txt:${i + 1}: cannot parse '${raw}'`);
    if (m[1] === 'broken') out.broken.add(m[2]);
    else out.missing.add(`${m[1]} ${m[2]}`);
  });
  return out;
}
