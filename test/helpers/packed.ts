// The package as a dependent gets it: `npm pack` of this checkout, installed into an empty project.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { distFile, ROOT } from './dist.js';

/** An empty project with the packed gradlab installed (its dependencies from npm's cache when there). */
export interface PackedProject {
  /** The project folder (package.json, node_modules/gradlab, ...). */
  dir: string;
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** The files in the tarball, relative to the package root, sorted. */
  files: string[];
  /** Removes the project and the tarball. */
  remove(): Promise<void>;
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs npm asynchronously (a long synchronous call would stall the test worker's messages). */
async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(NPM, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    // the project must not inherit this checkout's npm settings (npm_config_* set by `npm test`)
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  });
  return stdout;
}

/**
 * How the tarball gets into the project: `npm` installs it with its dependencies; `extract` only
 * unpacks it to node_modules/gradlab (enough for a browser bundle, whose module graph has no
 * dependencies: a missing one would fail the bundle).
 */
export type InstallMode = 'npm' | 'extract';

/**
 * Packs this checkout (dist/ must be built: `npm test` builds first) and installs the tarball into a
 * fresh project with `npm install --prefer-offline --ignore-scripts`: the dependencies come from npm's
 * cache where `npm ci` left them, else from the registry. Install scripts are not run (the native build
 * takes minutes and better-sqlite3's fetches a prebuilt binary from GitHub), so the project runs on the
 * js backend and `gradlab/store` is checked for types only.
 */
export async function packedProject(mode: InstallMode = 'npm'): Promise<PackedProject> {
  distFile('src/index.js');
  distFile('src/browser.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlab-packed-'));
  const packDir = path.join(dir, 'pack');
  const proj = path.join(dir, 'project');
  mkdirSync(packDir);
  mkdirSync(proj);
  const out = JSON.parse(await npm(['pack', '--json', '--pack-destination', packDir], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = path.join(packDir, readdirSync(packDir)[0]);
  writeFileSync(
    path.join(proj, 'package.json'),
    JSON.stringify({ name: 'gradlab-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  if (mode === 'npm')
    await npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], proj);
  else {
    const to = path.join(proj, 'node_modules', 'gradlab');
    mkdirSync(to, { recursive: true });
    await promisify(execFile)('tar', ['-xzf', tarball, '-C', to, '--strip-components=1']);
  }
  return {
    dir: proj,
    tarball,
    files: out[0].files.map((f) => f.path).sort(),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
