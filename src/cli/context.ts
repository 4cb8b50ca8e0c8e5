// What commands see of the outside world (streams, env, cwd, clock), injectable for tests.

/** A stream commands write to; process.stdout and test buffers both fit. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The environment a command runs in. */
export interface CliContext {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Epoch milliseconds. */
  now: () => number;
}

/** The real process's context. */
export function processContext(): CliContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    now: Date.now,
  };
}

/** A context writing into strings, for tests: read `out.text` and `err.text` afterwards. */
export function bufferContext(overrides: Partial<CliContext> = {}): CliContext & {
  out: { text: string };
  err: { text: string };
} {
  const out = { text: '' };
  const err = { text: '' };
  return {
    stdout: { write: (s: string) => (out.text += s) },
    stderr: { write: (s: string) => (err.text += s) },
    env: {},
    cwd: process.cwd(),
    now: Date.now,
    ...overrides,
    out,
    err,
  };
}
