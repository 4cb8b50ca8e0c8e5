// File helpers shared by the readers and writers: named errors and atomic (write, fsync, rename) writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FileError, FileFormatError } from '../core/errors.js';

/** A Buffer as a plain Uint8Array view (so that slice() copies, as for every typed array). */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Reads a whole file; a missing or unreadable file is a FileError naming it. */
export function readFileBytes(file: string, who: string): Uint8Array {
  try {
    return plain(fs.readFileSync(file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw new FileError(`${who}: cannot read ${file}: ${why}`);
  }
}

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates gzip data; a corrupt or truncated stream is a FileFormatError naming the file. */
export function gunzipBytes(bytes: Uint8Array, file: string, who: string): Uint8Array {
  try {
    return plain(gunzipSync(bytes));
  } catch (e) {
    throw new FileFormatError(`${who}: ${file} is not a valid gzip stream (${(e as Error).message})`);
  }
}

/** Reads a file and inflates it when it is gzip-compressed (detected by its magic number). */
export function readMaybeGzip(file: string, who: string): Uint8Array {
  const raw = readFileBytes(file, who);
  return isGzip(raw) ? gunzipBytes(raw, file, who) : raw;
}

/**
 * Writes `chunks` to `file` atomically: a temporary file in the same directory is written, fsynced and
 * renamed over `file`, so a crash leaves either the old file or the complete new one.
 */
export function writeFileAtomic(file: string, chunks: readonly Uint8Array[], who: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx');
    for (const c of chunks) {
      let done = 0;
      while (done < c.length) done += fs.writeSync(fd, c, done, c.length - done);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? `directory ${dir} does not exist` : err.message;
    throw new FileError(`${who}: cannot write ${file}: ${why}`);
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Directory fsync is best-effort: some file systems refuse it; the rename itself is atomic.
  }
}

/**
 * Creates `dir` and its missing parents, one level at a time. (Node 20's `mkdirSync(dir, { recursive: true })`
 * never returns for paths under /proc, where mkdir fails with ENOENT although the parent exists.)
 * Throws the failing level's system error.
 * @example makeDirs('runs/checkpoints/exp1')
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) {
    missing.push(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      fs.mkdirSync(missing[i]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if (!fs.statSync(path.resolve(dir)).isDirectory()) {
    const err = new Error(`ENOTDIR: not a directory, ${dir}`) as NodeJS.ErrnoException;
    err.code = 'ENOTDIR';
    throw err;
  }
}
