// Temporary `train` and `recipe` entries: they answer --help and say they are not available yet.
// The trainer's author replaces each with a real defineCommand(...) in commands.ts.
import { defineCommand } from '../command.js';
import type { Command } from '../command.js';

/** A command that exists in the table but only prints that it is not available in this build. */
export function notYetAvailable(name: string, summary: string): Command {
  return defineCommand({
    summary: `${summary} (not yet available)`,
    description: `'gradlab ${name}' is not available in this build of gradlab yet.`,
    options: {},
    positionals: [],
    run(_args, ctx) {
      ctx.stderr.write(`gradlab ${name}: not yet available in this build of gradlab\n`);
      return 1;
    },
  });
}
