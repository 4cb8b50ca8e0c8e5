// Test runner configuration: one forked process per file so --expose-gc applies to the leak tests.
import os from 'node:os';
import { defineConfig } from 'vitest/config';

// vitest's default is one fork fewer than the cores: a single fork on a 2-core machine, which leaves
// a core idle whenever a test waits (spawned CLIs, the GPU, npm). Two forks at least keep both busy.
const forks = Math.max(2, os.availableParallelism() - 1);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/yield-between-tests.ts'],
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--expose-gc'], maxForks: forks, minForks: 1 } },
    testTimeout: 60_000,
  },
});
