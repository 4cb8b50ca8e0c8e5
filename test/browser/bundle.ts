// Bundles a page script for the browser with esbuild, as a dependent's build would: no plugins, no stubs.
import { build, type Metafile } from 'esbuild';

/**
 * The page script bundled for `platform: 'browser'` (ESM, for a `<script type="module">`), resolving
 * imports from `workDir` (a dependent's project: 'gradlab' is its node_modules/gradlab, through the
 * package's `browser` export condition). A Node built-in anywhere in the graph fails the build.
 */
export async function bundlePage(
  entry: string,
  workDir: string,
): Promise<{ code: string; metafile: Metafile }> {
  const r = await build({
    entryPoints: [entry],
    absWorkingDir: workDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: r.outputFiles[0].text, metafile: r.metafile };
}
