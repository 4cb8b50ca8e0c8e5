#!/usr/bin/env node
// The `gradlab` executable: runs the command line against the real process and sets the exit code.
import { processContext } from './context.js';
import { runCli } from './run.js';

// `gradlab runs | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await runCli(process.argv.slice(2), processContext());
