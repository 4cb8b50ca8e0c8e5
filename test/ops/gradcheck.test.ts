// Finite-difference gradient checks of every op (see gradcheck.cases.ts), on every backend that loads here.
import { beforeAll, describe } from 'vitest';
import { testBackends, useBackend } from '../helpers/backends.js';
import { gradcheckSuite } from './gradcheck.cases.js';

for (const backend of testBackends()) {
  describe(`gradcheck on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    gradcheckSuite();
  });
}
