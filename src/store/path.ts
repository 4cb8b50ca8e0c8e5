// Where the run store lives: an explicit path, else $GRADLAB_STORE, else ./.gradlab/runs.db.
import { statSync } from 'node:fs';
import path from 'node:path';

/** File name of the store inside a `.gradlab/` folder (or any folder given as the store path). */
export const STORE_FILE_NAME = 'runs.db';

/** Name of the environment variable that overrides the default store location. */
export const STORE_ENV_VAR = 'GRADLAB_STORE';

/**
 * Resolves the store file: `explicit` (a file, or a directory that then holds `runs.db`), else
 * `$GRADLAB_STORE`, else `<cwd>/.gradlab/runs.db`. Always returns an absolute path.
 *
 * @example
 * resolveStorePath(); // '/home/me/project/.gradlab/runs.db'
 * resolveStorePath('/tmp/exp'); // '/tmp/exp/runs.db' when /tmp/exp is a directory
 */
export function resolveStorePath(
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  const given = explicit !== undefined && explicit !== '' ? explicit : env[STORE_ENV_VAR];
  if (given === undefined || given === '') return path.join(cwd, '.gradlab', STORE_FILE_NAME);
  const abs = path.resolve(cwd, given);
  try {
    if (statSync(abs).isDirectory()) return path.join(abs, STORE_FILE_NAME);
  } catch {
    // does not exist yet: it names the file
  }
  return abs;
}
