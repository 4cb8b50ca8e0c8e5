// UsageError: a mistake on the command line; the CLI prints it in one line plus a hint and exits 2.
import { ArgumentError } from '../core/errors.js';

/** A command-line mistake (unknown option, missing or bad value); `command` names where to get help. */
export class UsageError extends ArgumentError {
  constructor(
    message: string,
    /** The command whose `--help` the hint points to, e.g. "gradlab runs show". */
    readonly command: string = 'gradlab',
  ) {
    super(message);
  }

  /** The line printed after the message. */
  get hint(): string {
    return `Run '${this.command} --help' for usage.`;
  }
}
