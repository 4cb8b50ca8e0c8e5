// Command and command-group types, and defineCommand, which types a command's run from its specs.
import type { CliContext } from './context.js';
import type { OptionSpecs, ParsedArgs, PositionalSpec } from './args.js';
import { ArgumentError } from '../core/errors.js';

/** The spec a command is written as; `run` gets options and positionals typed from the specs. */
export interface CommandSpec<O extends OptionSpecs, P extends readonly PositionalSpec[]> {
  /** One line for command lists. */
  summary: string;
  /** Paragraph(s) shown in the command's --help. */
  description?: string;
  options: O;
  positionals: P;
  examples?: readonly string[];
  /** Returns the exit code (0 success, 1 failure); throw UsageError for command-line mistakes. */
  run(args: ParsedArgs<O, P>, ctx: CliContext): number | Promise<number>;
}

/** A command after `defineCommand`: its specs erased to the general shape the dispatcher uses. */
export interface Command {
  kind: 'command';
  summary: string;
  description?: string;
  options: OptionSpecs;
  positionals: readonly PositionalSpec[];
  examples?: readonly string[];
  run(args: ParsedArgs<OptionSpecs, readonly PositionalSpec[]>, ctx: CliContext): number | Promise<number>;
}

/** A command with subcommands (`gradlab runs show`); `defaultSubcommand` runs when none is named. */
export interface CommandGroup {
  kind: 'group';
  summary: string;
  description?: string;
  subcommands: Readonly<Record<string, Command>>;
  defaultSubcommand?: string;
}

/** An entry of the command table. */
export type CommandEntry = Command | CommandGroup;

/**
 * Declares a command. `const` type parameters keep literal option specs, so
 * `{ format: { type: 'string', choices: ['csv', 'json'], default: 'csv' } }` arrives in `run`
 * as `options.format: 'csv' | 'json'`.
 *
 * @example
 * const hello = defineCommand({
 *   summary: 'say hello',
 *   options: { loud: { type: 'boolean', description: 'shout' } },
 *   positionals: [{ name: 'who', description: 'whom to greet' }],
 *   run({ options, positionals }, ctx) {
 *     ctx.stdout.write(`hello ${positionals.who}${options.loud ? '!' : ''}\n`);
 *     return 0;
 *   },
 * });
 */
export function defineCommand<const O extends OptionSpecs, const P extends readonly PositionalSpec[]>(
  spec: CommandSpec<O, P>,
): Command {
  return { kind: 'command', ...spec } as unknown as Command;
}

/** Declares a group of subcommands. */
export function defineGroup(group: Omit<CommandGroup, 'kind'>): CommandGroup {
  if (group.defaultSubcommand !== undefined && !(group.defaultSubcommand in group.subcommands)) {
    throw new ArgumentError(
      `defineGroup: default subcommand '${group.defaultSubcommand}' is not among the subcommands`,
    );
  }
  return { kind: 'group', ...group };
}
