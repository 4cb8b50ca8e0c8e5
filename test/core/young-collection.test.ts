// A tensor nobody references is freed by V8's young-generation collection, not only by a full one: the
// memory accounting's finalizers must not keep storages alive. Runs the built package (dist/, made by
// `npm test`'s build) in a fresh `node --expose-gc`, where a minor collection is exactly that.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const entry = join(root, 'dist', 'src', 'index.js');

const script = `
const gl = await import(${JSON.stringify(entry)});
const tick = () => new Promise((r) => setTimeout(r, 20));
const mib = () => process.memoryUsage().arrayBuffers / 2 ** 20;
const churn = () => { gl.zeros([1 << 20]).add(1); };  // two 4 MiB tensors, dropped
churn();
for (let i = 0; i < 3; i++) { gc(); await tick(); }
const base = gl.memory().storages;
churn();
const allocated = mib();
gc({ type: 'minor' }); await tick(); gc({ type: 'minor' }); await tick();
const afterMinor = mib();
for (let i = 0; i < 3; i++) { gc(); await tick(); }
console.log(JSON.stringify({ allocated, afterMinor, base, storages: gl.memory().storages }));
`;

it.skipIf(!existsSync(entry))(
  'a dropped tensor is freed by a minor collection (needs dist/: npm run build)',
  () => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    // the 8 MiB are gone (a storage registered with a FinalizationRegistry survives until a major GC)
    expect(m.afterMinor).toBeLessThan(m.allocated - 6);
    // the counts follow after a full collection
    expect(m.storages).toBe(m.base);
  },
);
