// Help text rendered from the command specs: top level, groups, and each command's --help.
import { flagName, GLOBAL_OPTIONS } from './args.js';
import type { OptionSpec, OptionSpecs } from './args.js';
import type { Command, CommandEntry, CommandGroup } from './command.js';

function optionLines(specs: OptionSpecs): string[][] {
  return Object.entries(specs).map(([key, spec]) => {
    const short = spec.short !== undefined ? `-${spec.short}, ` : '    ';
    const value = spec.type === 'boolean' ? '' : ` <${valueName(spec)}>`;
    return [`  ${short}${flagName(key)}${value}`, describe(spec)];
  });
}

function valueName(spec: Exclude<OptionSpec, { type: 'boolean' }>): string {
  if (spec.type === 'string' && spec.choices !== undefined) return spec.choices.join('|');
  return spec.valueName ?? (spec.type === 'number' ? 'n' : 'text');
}

function describe(spec: OptionSpec): string {
  if (spec.type !== 'boolean' && spec.default !== undefined)
    return `${spec.description} (default: ${spec.default})`;
  return spec.description;
}

function columns(rows: string[][]): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `${a.padEnd(w)}  ${b}`.trimEnd()).join('\n');
}

/** `gradlab --help`: the commands and the global options. */
export function topLevelHelp(table: Readonly<Record<string, CommandEntry>>, version: string): string {
  const rows: string[][] = [];
  for (const [name, entry] of Object.entries(table)) {
    rows.push([`  ${name}`, entry.summary]);
    if (entry.kind === 'group') {
      for (const [sub, cmd] of Object.entries(entry.subcommands))
        rows.push([`  ${name} ${sub}`, cmd.summary]);
    }
  }
  return [
    `gradlab ${version} — train models and keep track of runs`,
    '',
    'Usage: gradlab <command> [options]',
    '',
    'Commands:',
    columns(rows),
    '',
    'Global options:',
    columns(optionLines(GLOBAL_OPTIONS)),
    '',
    "Run 'gradlab help <command>' (or 'gradlab <command> --help') for a command's options;",
    'exit codes: 0 ok, 1 failed, 2 command-line mistake, 70 gradlab bug, 130 interrupted (docs/cli.md).',
    '',
  ].join('\n');
}

/** `gradlab runs --help` for a group: its subcommands, then its default subcommand's help. */
export function groupHelp(path: string, group: CommandGroup): string {
  const rows = Object.entries(group.subcommands).map(([sub, cmd]) => [
    `  ${path} ${sub}`,
    cmd.summary + (sub === group.defaultSubcommand ? ` (also: ${path})` : ''),
  ]);
  const out = [`${path} — ${group.summary}`, ''];
  if (group.description !== undefined) out.push(group.description, '');
  out.push('Subcommands:', columns(rows), '', `Run '${path} <subcommand> --help' for its options.`, '');
  const dflt = group.defaultSubcommand !== undefined ? group.subcommands[group.defaultSubcommand] : undefined;
  if (dflt === undefined) return out.join('\n');
  return out.join('\n') + '\n' + commandHelp(path, dflt);
}

/** A command's --help: usage, arguments, options, global options, examples. */
export function commandHelp(path: string, cmd: Command): string {
  const args = cmd.positionals.map((p) => (p.optional === true ? `[${p.name}]` : `<${p.name}>`)).join(' ');
  const out = [`${path} — ${cmd.summary}`, '', `Usage: ${path} [options]${args ? ' ' + args : ''}`, ''];
  if (cmd.description !== undefined) out.push(cmd.description, '');
  if (cmd.positionals.length > 0) {
    out.push('Arguments:', columns(cmd.positionals.map((p) => [`  ${p.name}`, p.description])), '');
  }
  if (Object.keys(cmd.options).length > 0) out.push('Options:', columns(optionLines(cmd.options)), '');
  out.push('Global options:', columns(optionLines(GLOBAL_OPTIONS)), '');
  if (cmd.examples !== undefined && cmd.examples.length > 0) {
    out.push('Examples:', ...cmd.examples.map((e) => `  ${e}`), '');
  }
  return out.join('\n');
}
