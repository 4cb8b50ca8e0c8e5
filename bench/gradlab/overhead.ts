// gradlab: per-op overhead — a loop of small additions with autograd on (one input requires grad), each result disposed.
// On an async-only backend (webgpu) the step also waits for the device (reads the last sum), as torch-cuda synchronizes.
import * as gl from '../../src/index.js';
import type { Prepared } from '../lib/protocol.js';
import { STREAM, uniform } from '../lib/prng.js';
import type { OverheadSpec } from '../lib/workloads.js';

export function prepareOverhead(spec: OverheadSpec): Prepared {
  const a = gl.tensor(uniform(spec.seed, STREAM.a, spec.size, -1, 1), { requiresGrad: true });
  const b = gl.tensor(uniform(spec.seed, STREAM.b, spec.size, -1, 1));
  let recorded = false;
  return {
    step: () => {
      for (let i = 0; i < spec.opsPerStep - 1; i++) {
        const c = gl.add(a, b);
        recorded = c.gradFn !== null;
        c.dispose();
      }
      const last = gl.add(a, b);
      recorded = last.gradFn !== null;
      if (last.storage.backend.capabilities.syncRead) return last.dispose();
      // a GPU runs the adds asynchronously: the step ends when the device has done them (read the last)
      return last.data().then(() => last.dispose());
    },
    check: () => `result on the tape: ${recorded}`,
  };
}
