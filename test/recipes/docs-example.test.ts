// docs/recipes.md's worked example runs as written (its `gradlab` import pointed at the sources).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

describe('docs/recipes.md worked example', () => {
  it('defines, runs and judges a recipe', async () => {
    const md = fs.readFileSync(path.join(ROOT, 'docs/recipes.md'), 'utf8');
    const section = md.slice(md.indexOf('## Worked example'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
    expect(code).toContain("import * as gl from 'gradlab';");
    const src = code.replace(
      "from 'gradlab'",
      `from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src/index.ts')).href)}`,
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gl-doc-')), 'example.ts');
    fs.writeFileSync(file, src + '\nexport {};\n');
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      await import(/* @vite-ignore */ pathToFileURL(file).href);
    } finally {
      console.log = log;
    }
    expect(lines[0]).toMatch(/^loss-ratio (\d\.\d{3} ){3}.* holds$/);
    expect(lines[1]).toMatch(/^mechanism checked/);
  });
});
