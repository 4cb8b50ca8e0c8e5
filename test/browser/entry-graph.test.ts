// The browser entry's module graph reaches no Node built-in and no package: esbuild bundles it for the browser as is.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/dist.js';

/** Bundles a source entry for the browser, no plugins; the inputs it read, or the error esbuild gave. */
async function browserBundle(entry: string): Promise<{ inputs: string[] } | { error: string }> {
  try {
    const r = await build({
      entryPoints: [path.join(ROOT, entry)],
      absWorkingDir: ROOT,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return { inputs: Object.keys(r.metafile.inputs) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('the browser entry (src/browser.ts)', () => {
  it('bundles for the browser with no Node built-in and no package in its graph', async () => {
    const r = await browserBundle('src/browser.ts');
    expect('error' in r ? r.error : '').toBe('');
    const inputs = 'inputs' in r ? r.inputs : [];
    expect(inputs).toContain('src/browser.ts');
    expect(inputs.filter((f) => !f.startsWith('src/'))).toEqual([]);
    // the Node-only modules of the main entry stay out
    const nodeOnly =
      /^src\/(backends\/native|store|train|recipes|cli|io\/files|data\/datasets|data\/readers)/;
    expect(inputs.filter((f) => nodeOnly.test(f))).toEqual([]);
  });

  it('(control) the main entry does reach Node built-ins, and the same bundle fails on them', async () => {
    const r = await browserBundle('src/index.ts');
    expect('error' in r).toBe(true);
    const error = 'error' in r ? r.error : '';
    const named = builtinModules.filter((m) => error.includes(`"node:${m}"`) || error.includes(`"${m}"`));
    expect(named).toEqual(expect.arrayContaining(['fs']));
  });
});
