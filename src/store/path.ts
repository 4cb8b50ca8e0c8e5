// Where the run store lives: a directory (runs.db + checkpoints/) given explicitly, else $GRADLAB_STORE, else ./.gradlab.
import { statSync } from 'node:fs';
import path from 'node:path';
import { StoreError } from '../core/errors.js';

/** File name of the SQLite database inside a store directory. */
export const STORE_FILE_NAME = 'runs.db';

/** Name of the environment variable that overrides the default store location. */
export const STORE_ENV_VAR = 'GRADLAB_STORE';

/**
 * Resolves the store's database file. A store is a directory holding `runs.db` and
 * `checkpoints/`: the path given (`explicit`, else `$GRADLAB_STORE`, else `<cwd>/.gradlab`) names
 * that directory, existing or not; a path whose last part is `runs.db` names the database file
 * itself. A path that is an existing file of another name is a StoreError naming it. Always
 * returns an absolute path.
 *
 * @example
 * resolveStorePath(); // '/home/me/project/.gradlab/runs.db'
 * resolveStorePath('/tmp/exp'); // '/tmp/exp/runs.db' (the folder is created with the store)
 * resolveStorePath('/tmp/exp/runs.db'); // '/tmp/exp/runs.db'
 */
export function resolveStorePath(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  const fromEnv = explicit === undefined || explicit === '';
  const given = fromEnv ? env[STORE_ENV_VAR] : explicit;
  if (given === undefined || given === '') return path.join(cwd, '.gradlab', STORE_FILE_NAME);
  const abs = path.resolve(cwd, given);
  if (path.basename(abs) === STORE_FILE_NAME) return abs;
  let isFile = false;
  try {
    isFile = !statSync(abs).isDirectory();
  } catch {
    // does not exist yet: the store directory is created with the store
  }
  if (isFile)
    throw new StoreError(
      `run store ${abs} (from ${fromEnv ? `$${STORE_ENV_VAR}` : '--store'}) is a file; a run store is a directory ` +
        `holding ${STORE_FILE_NAME} and checkpoints/ — pass a directory (new or existing), or the ${STORE_FILE_NAME} inside one`,
    );
  return path.join(abs, STORE_FILE_NAME);
}

/**
 * The directory of checkpoints of a store whose database is `storeFile` (its sibling `checkpoints/`).
 *
 * @example
 * storeCheckpointsDir('/tmp/exp/runs.db'); // '/tmp/exp/checkpoints'
 */
export function storeCheckpointsDir(storeFile: string): string {
  return path.join(path.dirname(storeFile), 'checkpoints');
}
