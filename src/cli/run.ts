// The dispatcher: finds the command in argv, parses its options, runs it, and maps errors to exit codes.
import { GradlabError } from '../core/errors.js';
import { gradlabVersion } from '../store/env.js';
import { RunNotFoundError } from '../store/errors.js';
import { closest, finishParse, flagName, GLOBAL_OPTIONS, parseOptions } from './args.js';
import type { GlobalOptions, OptionSpecs, ParsedArgs, PositionalSpec } from './args.js';
import type { Command, CommandEntry } from './command.js';
import { COMMANDS } from './commands.js';
import type { CliContext } from './context.js';
import { UsageError } from './errors.js';
import { commandHelp, groupHelp, topLevelHelp } from './help.js';

/**
 * Exit codes, documented once in docs/cli.md: success; the work failed (data, store, files,
 * another process); the command line is wrong (including a value naming a file, run or recipe
 * that does not exist); a bug in gradlab; stopped by Ctrl-C / SIGTERM (after saving what it can).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, internal: 70, interrupted: 130 } as const;

/**
 * Runs the gradlab command line `argv` (without "node main.js") and returns the exit code.
 * Never throws: user mistakes print one line plus a hint (exit 2), failures one line (exit 1).
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processContext());
 */
export async function runCli(
  argv: readonly string[],
  ctx: CliContext,
  table: Readonly<Record<string, CommandEntry>> = COMMANDS,
): Promise<number> {
  let where = 'gradlab';
  try {
    const end = argv.indexOf('--');
    const head = end >= 0 ? argv.slice(0, end) : argv;
    const wantsHelp = head.includes('--help') || head.includes('-h');
    if (head.includes('--version') || head.includes('-V')) {
      ctx.stdout.write(`gradlab ${gradlabVersion()}\n`);
      return EXIT.ok;
    }

    // Global options may come before the command name; skip them (and their values) to find it.
    const before: string[] = [];
    let i = 0;
    for (; i < argv.length; i++) {
      const tok = argv[i];
      if (!tok.startsWith('-') || tok === '--') break;
      before.push(tok);
      const key = Object.keys(GLOBAL_OPTIONS).find((k) => flagName(k) === tok);
      if (key !== undefined && GLOBAL_OPTIONS[key as keyof typeof GLOBAL_OPTIONS].type !== 'boolean')
        before.push(argv[++i] ?? '');
    }
    const name = argv[i] === '--' ? undefined : argv[i];
    if (name === 'help') {
      // `gradlab help [command [subcommand]]` is `gradlab [command [subcommand]] --help`
      const topics = argv.slice(i + 1).filter((t) => !t.startsWith('-'));
      if (topics.length === 0) {
        ctx.stdout.write(topLevelHelp(table, gradlabVersion()));
        return EXIT.ok;
      }
      return await runCli([...topics, '--help'], ctx, table);
    }
    if (name === undefined) {
      if (argv.length === 0 || wantsHelp) {
        ctx.stdout.write(topLevelHelp(table, gradlabVersion()));
        return EXIT.ok;
      }
      parseOptions(before, GLOBAL_OPTIONS, where); // reports unknown options first
      throw new UsageError('gradlab: missing command (one of: ' + Object.keys(table).join(', ') + ')');
    }
    const entry = Object.hasOwn(table, name) ? table[name] : undefined;
    if (entry === undefined) {
      const guess = closest(name, Object.keys(table));
      throw new UsageError(
        `gradlab: unknown command '${name}'${guess !== undefined ? ` (did you mean '${guess}'?)` : ''}`,
      );
    }
    where = `gradlab ${name}`;
    let rest = argv.slice(i + 1);
    let cmd: Command;
    if (entry.kind === 'group') {
      const sub = rest[0];
      if (sub !== undefined && !sub.startsWith('-') && Object.hasOwn(entry.subcommands, sub)) {
        cmd = entry.subcommands[sub];
        where = `${where} ${sub}`;
        rest = rest.slice(1);
      } else if (wantsHelp && (sub === undefined || sub.startsWith('-'))) {
        ctx.stdout.write(groupHelp(where, entry));
        return EXIT.ok;
      } else if (sub !== undefined && !sub.startsWith('-')) {
        const names = Object.keys(entry.subcommands);
        const guess = closest(sub, names);
        throw new UsageError(
          `${where}: unknown subcommand '${sub}'${guess !== undefined ? ` (did you mean '${guess}'?)` : ''}; ` +
            `expected one of ${names.join(', ')}`,
          where,
        );
      } else if (entry.defaultSubcommand !== undefined) {
        cmd = entry.subcommands[entry.defaultSubcommand];
      } else {
        throw new UsageError(
          `${where}: missing subcommand (one of ${Object.keys(entry.subcommands).join(', ')})`,
          where,
        );
      }
    } else {
      cmd = entry;
    }
    if (wantsHelp) {
      ctx.stdout.write(commandHelp(where, cmd));
      return EXIT.ok;
    }

    const specs: OptionSpecs = { ...cmd.options, ...GLOBAL_OPTIONS };
    const raw = parseOptions([...before, ...rest], specs, where);
    const done = finishParse(raw, specs, cmd.positionals, where);
    const options: Record<string, unknown> = {};
    const global: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(done.options)) (k in GLOBAL_OPTIONS ? global : options)[k] = v;
    const args = { options, positionals: done.positionals, global: global as GlobalOptions };
    return await cmd.run(args as ParsedArgs<OptionSpecs, readonly PositionalSpec[]>, ctx);
  } catch (e) {
    return report(e, where, ctx);
  }
}

/** Prints an error the way its kind deserves and returns the exit code. */
function report(e: unknown, where: string, ctx: CliContext): number {
  if (e instanceof UsageError) {
    ctx.stderr.write(`${e.message}\n${e.hint}\n`);
    return EXIT.usage;
  }
  if (e instanceof RunNotFoundError) {
    // an id on the command line that names no run: a command-line mistake
    ctx.stderr.write(`${where}: ${e.name}: ${oneLine(e.message)}\nRun 'gradlab runs' to list the runs.\n`);
    return EXIT.usage;
  }
  if (e instanceof GradlabError) {
    ctx.stderr.write(`${where}: ${e.name}: ${oneLine(e.message)}\n`);
    return EXIT.failure;
  }
  const errno = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof errno.code === 'string' && typeof errno.syscall === 'string') {
    ctx.stderr.write(`${where}: ${oneLine(e.message)}\n`);
    return EXIT.failure;
  }
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  ctx.stderr.write(`${where}: internal error (a bug in gradlab; please report it):\n${detail}\n`);
  return EXIT.internal;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
