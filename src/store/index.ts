// The run store's public surface: RunStore, path resolution, environment capture, errors and types.
export { RunStore } from './run-store.js';
export type { StoreOptions, FinishStatus, ExportFormat } from './run-store.js';
export { resolveStorePath, storeCheckpointsDir, STORE_ENV_VAR, STORE_FILE_NAME } from './path.js';
export { collectEnv, gradlabVersion } from './env.js';
export { runToCsv, runToJson } from './export.js';
export { SCHEMA_VERSION } from './schema.js';
export { MIGRATIONS } from './migrations.js';
export type { Migration } from './migrations.js';
export { GROUP_KINDS } from './groups.js';
export { currentProcess, describeOwner, describeStale } from './leases.js';
export { StoreError } from '../core/errors.js';
export { RunLeaseError, RunNotFoundError, StoreVersionError } from './errors.js';
export type * from './types.js';
