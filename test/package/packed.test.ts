// The packed package as a dependent uses it: its files, its types under strict TypeScript, a training step in Node.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/dist.js';
import { packedProject, type PackedProject } from '../helpers/packed.js';

/** This checkout's TypeScript compiler (a tool, not part of what is tested), run on the dependent's project. */
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Runs node with `args` in `cwd`; resolves to its exit code and output (never rejects). */
async function node(
  args: string[],
  cwd: string,
  env = process.env,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, {
      cwd,
      env,
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? String(err),
    };
  }
}

/** A Node dependent: strict, declaration files checked, every entry point used. */
const NODE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    outDir: 'out',
    types: ['node'],
  },
  include: ['main.ts'],
};

/** A browser dependent with a bundler: the `browser` condition, DOM types, no Node types at all. */
const BROWSER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    customConditions: ['browser'],
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
  },
  include: ['page.ts'],
};

/** The dependent's program: 30 SGD steps of a linear classifier; prints the losses as JSON. */
const MAIN_TS = `import * as gl from 'gradlab';
import type { RunStore } from 'gradlab/store';
import * as browserEntry from 'gradlab/browser';

let store: RunStore | undefined;
gl.manualSeed(0);
const x = gl.randn([64, 4]);
const y = gl.gt(x.select(1, 0), 0).to('int32');
const model = new gl.nn.Linear(4, 2);
const opt = new gl.optim.SGD(model.parameters(), { lr: 0.5 });
const losses: number[] = [];
for (let step = 0; step < 30; step++) {
  opt.zeroGrad();
  const loss = gl.crossEntropy(model.forward(x), y);
  loss.backward();
  opt.step();
  losses.push(loss.item());
}
const same = browserEntry.Tensor === gl.Tensor;
console.log(JSON.stringify({ backend: gl.getBackend(), losses, same, store: store === undefined }));
`;

/** A browser dependent's page: the main entry under the browser condition, with gl.data and webgpu. */
const PAGE_TS = `import * as gl from 'gradlab';
await gl.setBackend('webgpu');
const loader = new gl.data.DataLoader(new gl.data.TensorDataset(gl.zeros([4, 2]), gl.zeros([4])), { batchSize: 2 });
const model = new gl.nn.Sequential(new gl.nn.Linear(2, 2));
export const shapes: number[][] = [...loader].map((b) => model.forward(b.data[0]).shape);
`;

describe('the packed package, installed into an empty project', () => {
  let pkg: PackedProject;
  beforeAll(async () => {
    pkg = await packedProject();
    writeFileSync(path.join(pkg.dir, 'tsconfig.json'), JSON.stringify(NODE_TSCONFIG, null, 2));
    writeFileSync(path.join(pkg.dir, 'tsconfig.browser.json'), JSON.stringify(BROWSER_TSCONFIG, null, 2));
    writeFileSync(path.join(pkg.dir, 'main.ts'), MAIN_TS);
    writeFileSync(path.join(pkg.dir, 'page.ts'), PAGE_TS);
  }, 300_000);
  afterAll(() => pkg?.remove(), 120_000);

  it('holds the built entries with their declarations and the native sources, and no tests', () => {
    for (const f of [
      'package.json',
      'README.md',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/browser.js',
      'dist/src/browser.d.ts',
      'dist/src/store/index.d.ts',
      'dist/src/cli/main.js',
      'native/binding.gyp',
      'scripts/build-native.mjs',
    ])
      expect(pkg.files).toContain(f);
    expect(pkg.files.some((f) => f.startsWith('native/src/') && f.endsWith('.cc'))).toBe(true);
    expect(pkg.files.filter((f) => /^(test|dist\/test|dist\/bench)\//.test(f))).toEqual([]);
  });

  it('type-checks in a strict Node project with skipLibCheck: false (gradlab, gradlab/store, gradlab/browser)', async () => {
    // (also emits out/main.js, which the training test runs)
    const r = await node([TSC, '-p', 'tsconfig.json'], pkg.dir);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 300_000);

  it('type-checks in a browser project (bundler resolution, browser condition, DOM lib, no @types/node)', async () => {
    const r = await node([TSC, '-p', 'tsconfig.browser.json'], pkg.dir);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 300_000);

  it('runs a training step: 30 SGD steps of a linear classifier lower the loss', async () => {
    const env = { ...process.env };
    delete env.GRADLAB_BACKEND;
    const r = await node([path.join('out', 'main.js')], pkg.dir, env);
    // install scripts did not run, so the native addon is not built: gradlab says so in one line
    expect(r.stderr).toMatch(
      /^gradlab: backend 'native' unavailable \(native addon not built: .*\); using 'js'\n$/,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { backend: string; losses: number[]; same: boolean; store: boolean };
    expect(out.backend).toBe('js');
    expect(out.losses).toHaveLength(30);
    expect(out.losses.every(Number.isFinite)).toBe(true);
    // a linearly separable target (the sign of the first feature): the loss should at least halve
    expect(out.losses[29]).toBeLessThan(0.5 * out.losses[0]);
    // gradlab/browser is the same module graph as the main entry's portable part, not a copy
    expect(out.same).toBe(true);
    expect(out.store).toBe(true);
    // the import resolved to the installed package, not to this checkout
    const resolved = await node(
      ['--input-type=module', '-e', "console.log(import.meta.resolve('gradlab'))"],
      pkg.dir,
    );
    expect(resolved.stdout.trim()).toBe(
      'file://' + path.join(pkg.dir, 'node_modules', 'gradlab', 'dist', 'src', 'index.js'),
    );
  });
});
