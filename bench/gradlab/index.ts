// gradlab as a benchmark system: picks the workload family's file and reports the backend that ran.
import * as gl from '../../src/index.js';
import type { BenchSystem } from '../lib/system.js';
import type { WorkloadSpec } from '../lib/workloads.js';
import type { Prepared } from '../lib/protocol.js';
import { prepareMatmul } from './matmul.js';
import { prepareOverhead } from './overhead.js';
import { prepareEpoch, prepareMlp } from './mlp.js';
import { prepareCnn } from './cnn.js';
import { preparePerExample } from './per-example.js';
import { gradlabVersion } from '../lib/paths.js';
// for the adapter's name in the header only (the workloads use the public API)
import { backendByName } from '../../src/core/backend-registry.js';
import type { WebGPUBackend } from '../../src/backends/webgpu/index.js';

/** WebGPU adapters that run on the CPU (SwiftShader, Mesa's llvmpipe/lavapipe). */
export const CPU_ADAPTER = /swiftshader|llvmpipe|lavapipe/i;

/** The gradlab side of one workload. */
export function prepareGradlab(spec: WorkloadSpec): Prepared {
  switch (spec.family) {
    case 'matmul':
      return prepareMatmul(spec);
    case 'overhead':
      return prepareOverhead(spec);
    case 'mlp':
      return prepareMlp(spec);
    case 'cnn':
      return prepareCnn(spec);
    case 'epoch':
      return prepareEpoch(spec);
    case 'per-example':
      return preparePerExample(spec);
  }
}

export const gradlabSystem: BenchSystem = {
  async setup() {
    const wanted = process.env.GRADLAB_BACKEND;
    if (wanted) await gl.setBackend(wanted as gl.BackendName);
    const backend = gl.getBackend();
    const info = gl.nativeInfo();
    if (backend === 'webgpu') {
      const adapter = (backendByName('webgpu') as WebGPUBackend).adapterInfo || 'unknown adapter';
      if (process.env.GRADLAB_BENCH_REQUIRE_GPU && CPU_ADAPTER.test(adapter))
        throw new Error(`webgpu adapter '${adapter}' is a CPU one, and a GPU was required (--require-gpu)`);
      return {
        system: 'gradlab',
        version: `gradlab ${gradlabVersion()}`,
        backend,
        threads: `GPU: ${adapter}`,
        notes: [
          `backend 'webgpu' (adapter: ${adapter})`,
          'loss and matmul corner read with await itemAsync(); the overhead step ends with one read',
        ],
      };
    }
    return {
      system: 'gradlab',
      version: `gradlab ${gradlabVersion()}`,
      backend,
      threads:
        backend === 'js'
          ? '1 (JavaScript main thread)'
          : info
            ? `${info.threads} (pool), BLAS ${info.blas.library} ${info.blas.core} ${info.blas.split ? `(medium GEMMs split over the pool, large ones on ${info.threads} BLAS threads)` : `x${info.blas.threads}`}`
            : 'backend default',
      notes: [`backend '${backend}'${wanted ? ' (requested with --backend)' : ' (the default)'}`],
    };
  },
  prepare: prepareGradlab,
};
