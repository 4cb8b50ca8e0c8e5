// Finite-difference gradient checks of every op (see gradcheck.cases.ts), on every backend that loads here;
// on webgpu (float32 only) the same cases' gradients are compared with the float64 js backend's.
import { beforeAll, describe } from 'vitest';
import { testBackends, useBackend, webgpuUnavailable } from '../helpers/backends.js';
import { gradcheckSuite, registeredCases } from './gradcheck.cases.js';
import { gradcheckWebgpuSuite } from './gradcheck-webgpu.js';

for (const backend of testBackends()) {
  describe(`gradcheck on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    gradcheckSuite();
  });
}

const gpuMissing = await webgpuUnavailable();
if (gpuMissing === null)
  describe('gradients on webgpu (float32) against js (float64)', () => {
    gradcheckWebgpuSuite(registeredCases());
  });
else console.info(`gradcheck on webgpu skipped: ${gpuMissing}`);
