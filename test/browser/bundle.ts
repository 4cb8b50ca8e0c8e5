// Bundles a browser page script from gradlab's TypeScript sources with esbuild, stubbing Node's built-in modules.
import { builtinModules } from 'node:module';
import { build, type Plugin } from 'esbuild';

/**
 * gradlab's main entry also exports Node-only parts (the native addon loader, file readers, dataset
 * loaders); they import `node:fs` and friends but only use them inside functions. In the browser bundle
 * each such import becomes a stub module with the same export names, every one a function that throws
 * a clear error if it is ever called, so the rest of the library works and a misuse is loud.
 */
export const nodeBuiltinsStub: Plugin = {
  name: 'gradlab-node-builtins-stub',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      if (!args.path.startsWith('node:') && !builtins.has(bare)) return undefined;
      return { path: bare, namespace: 'node-stub' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => {
      const real = (await import(/* @vite-ignore */ 'node:' + args.path)) as Record<string, unknown>;
      const names = Object.keys(real).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
      const lines = [
        `const __gradlabUnavailable = (name) => () => { throw new Error("gradlab: node:${args.path} " + name + " is Node-only and not available in the browser"); };`,
        ...names.map((k) => `export const ${k} = __gradlabUnavailable(${JSON.stringify(k)});`),
        `export default { ${names.join(', ')} };`,
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** The bundled script (ESM, for a `<script type="module">`) and the Node built-ins it stubbed. */
export async function bundlePage(entry: string): Promise<{ code: string; stubbed: string[] }> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [nodeBuiltinsStub],
  });
  const stubbed = Object.keys(r.metafile.inputs)
    .filter((p) => p.startsWith('node-stub:'))
    .map((p) => p.slice('node-stub:'.length));
  return { code: r.outputFiles[0].text, stubbed };
}
