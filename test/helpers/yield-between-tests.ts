// Setup for every test file: after a long synchronous test (spawnSync'd CLIs, big kernels) give the worker's event
// loop one turn, so vitest's pending RPC replies are read before the next test blocks again (otherwise several long
// synchronous tests in a row can exceed its 60 s RPC timeout: "Timeout calling onTaskUpdate").
import { afterEach, beforeEach } from 'vitest';

let startedAt = 0;

beforeEach(() => {
  startedAt = performance.now();
});

afterEach(async () => {
  if (performance.now() - startedAt > 1000) await new Promise((resolve) => setTimeout(resolve, 5));
});
