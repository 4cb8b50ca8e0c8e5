// A model argument of the CLI: a built-in name, inline JSON, or the path of a JSON file, parsed into a model spec.
import fs from 'node:fs';
import path from 'node:path';
import * as gl from '../index.js';
import type { UsageError } from './errors.js';

/** How a command words the argument's errors. */
export interface ModelSpecArg {
  /** Names the argument in messages about an inline value, e.g. 'the --model value'. */
  source: string;
  /** Makes the command's usage error (exit 2). */
  usage: (message: string) => UsageError;
  /** The message when `text` is neither a built-in, JSON, nor an existing file at `file`. */
  missing: (text: string, file: string) => string;
}

/**
 * The model spec named by `text`: a key of `gl.train.BUILTIN_MODELS`, inline JSON, or a JSON file relative to
 * `cwd`. A missing file, invalid JSON or an invalid spec is the command's usage error; an unreadable file a FileError.
 * @example readModelSpec('mlp', process.cwd(), { source: 'the --model value', usage, missing: () => 'no such model' });
 */
export function readModelSpec(text: string, cwd: string, arg: ModelSpecArg): gl.train.ModelSpec {
  if (text in gl.train.BUILTIN_MODELS)
    return gl.train.BUILTIN_MODELS[text as keyof typeof gl.train.BUILTIN_MODELS];
  let json = text.trim();
  let source = arg.source;
  if (!json.startsWith('{') && !json.startsWith('[')) {
    const file = path.resolve(cwd, text);
    if (!fs.existsSync(file)) throw arg.usage(arg.missing(text, file));
    source = text;
    try {
      json = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new gl.FileError(`cannot read the model spec ${text}: ${(e as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw arg.usage(`${source} is not valid JSON (${(e as Error).message})`);
  }
  try {
    return gl.train.parseModelSpec(parsed);
  } catch (e) {
    if (e instanceof gl.ArgumentError) throw arg.usage(`${source}: ${e.message}`);
    throw e;
  }
}
