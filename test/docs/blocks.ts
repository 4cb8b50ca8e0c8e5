// Extracts the ```ts blocks of a Markdown file together with the doc-test directives written before them.
/**
 * A TypeScript block of the docs. Every ```ts block is a program that the docs test type-checks and runs,
 * unless an HTML comment right before it (blank lines allowed in between) says otherwise:
 *
 *     <!-- doc-test: fragment: why it cannot be compiled on its own -->   skipped, the reason printed
 *     <!-- doc-test: no-run: why it is not executed -->                    type-checked only
 *     <!-- doc-test: needs: webgpu, fashion-mnist -->                      run only where those exist
 *     <!-- doc-test: continues -->                                         runs after the previous block
 *     <!-- doc-test: setup:
 *     const model = new gl.nn.Linear(4, 2);                                hidden context, compiled
 *     -->                                                                  and run before the block
 *
 * One comment may hold several of these lines; `setup:` must come last (the rest of the comment is code).
 * A block that does not import 'gradlab' itself gets `import * as gl from 'gradlab';` in front.
 */
export interface DocBlock {
  /** Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  fragment?: string;
  noRun?: string;
  needs: string[];
  continues: boolean;
  setup: string;
}

/** Optional parts a block may need: `needs: webgpu` and so on. */
export const KNOWN_NEEDS = ['webgpu', 'fashion-mnist'] as const;

const FENCE = /^```(\S*)(.*)$/;

/** Parses the directives of one `<!-- doc-test: ... -->` comment body (without the comment markers). */
function parseDirective(body: string, where: string): Omit<DocBlock, 'file' | 'line' | 'code'> {
  const out: Omit<DocBlock, 'file' | 'line' | 'code'> = { needs: [], continues: false, setup: '' };
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '') continue;
    let m: RegExpMatchArray | null;
    if ((m = l.match(/^fragment:\s*(.+)$/))) out.fragment = m[1];
    else if ((m = l.match(/^no-run:\s*(.+)$/))) out.noRun = m[1];
    else if ((m = l.match(/^needs:\s*(.+)$/))) {
      out.needs = m[1].split(',').map((s) => s.trim());
      for (const n of out.needs)
        if (!(KNOWN_NEEDS as readonly string[]).includes(n))
          throw new Error(`${where}: unknown doc-test need '${n}' (known: ${KNOWN_NEEDS.join(', ')})`);
    } else if (l === 'continues') out.continues = true;
    else if ((m = l.match(/^setup:\s*(.*)$/))) {
      out.setup = [m[1], ...lines.slice(i + 1)].join('\n').trim();
      break;
    } else throw new Error(`${where}: unknown doc-test directive '${l}'`);
  }
  return out;
}

/** The ```ts blocks of `text` (the Markdown source of `file`), in order, with their directives. */
export function extractBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split('\n');
  const blocks: DocBlock[] = [];
  let pending: { body: string; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const open = line.match(FENCE);
    if (open) {
      const start = i;
      let end = i + 1;
      while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
      if (end >= lines.length) throw new Error(`${file}:${start + 1}: code block is never closed`);
      const lang = open[1];
      if (lang === 'ts' || lang === 'typescript') {
        const where = `${file}:${start + 1}`;
        const d = pending ? parseDirective(pending.body, where) : { needs: [], continues: false, setup: '' };
        blocks.push({ file, line: start + 1, code: lines.slice(start + 1, end).join('\n'), ...d });
      } else if (pending) {
        throw new Error(`${file}:${pending.line}: a doc-test comment stands before a '${lang}' block`);
      }
      pending = null;
      i = end;
      continue;
    }
    const c = line.match(/^<!--\s*doc-test:?(.*)$/);
    if (c) {
      const from = i;
      const body: string[] = [];
      let rest = c[1];
      while (!rest.includes('-->')) {
        body.push(rest);
        i++;
        if (i >= lines.length) throw new Error(`${file}:${from + 1}: doc-test comment is never closed`);
        rest = lines[i];
      }
      body.push(rest.slice(0, rest.indexOf('-->')));
      pending = { body: body.join('\n'), line: from + 1 };
      continue;
    }
    if (line.trim() !== '' && pending)
      throw new Error(`${file}:${pending.line}: a doc-test comment must stand right before a code block`);
  }
  return blocks;
}
