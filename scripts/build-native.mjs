// npm install step: builds the native addon with node-gyp; on failure records why and lets install succeed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const failureFile = join(nativeDir, 'build-failure.txt');

function nodeGyp() {
  // npm tells lifecycle scripts where its bundled node-gyp lives; fall back to the copy beside npm
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((p) => p && existsSync(p));
}

function fail(reason) {
  mkdirSync(nativeDir, { recursive: true });
  writeFileSync(failureFile, reason + '\n');
  console.warn(`gradlab: native backend not built (${reason}); the js backend will be used`);
  process.exit(0);
}

if (process.env.GRADLAB_SKIP_NATIVE === '1') fail('GRADLAB_SKIP_NATIVE=1');
const gyp = nodeGyp();
if (!gyp) fail('node-gyp not found');
rmSync(failureFile, { force: true });
// build against the headers of the running Node (npm passes its nodedir; Debian's node keeps them in /usr/include/node)
const besideNode = join(dirname(process.execPath), '..');
const nodedir =
  process.env.npm_config_nodedir ??
  (existsSync(join(besideNode, 'include', 'node', 'node_api.h')) ? besideNode : undefined);
const args = [gyp, 'rebuild', '--release', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const res = spawnSync(process.execPath, args, {
  cwd: nativeDir,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
if (res.status !== 0) {
  const text = `${res.stdout ?? ''}\n${res.stderr ?? ''}`;
  const lines = text.split('\n');
  const line =
    lines.find((l) => l.includes('gradlab native:')) ??
    lines.find((l) => /: (fatal )?error:/.test(l)) ??
    lines.find((l) => /gyp ERR! stack Error/.test(l)) ??
    `node-gyp exited with ${res.status}`;
  fail(line.trim().slice(0, 300));
}
console.log('gradlab: native backend built');
