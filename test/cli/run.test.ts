// The dispatcher in-process: typed command entries, groups, help, and the exit code of each error kind.
import { describe, expect, it } from 'vitest';
import { GLOBAL_OPTIONS } from '../../src/cli/args.js';
import { defineCommand, defineGroup } from '../../src/cli/command.js';
import type { CommandEntry } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { bufferContext } from '../../src/cli/context.js';
import { EXIT, runCli } from '../../src/cli/run.js';
import { StoreError } from '../../src/core/errors.js';

const seen: unknown[] = [];
const greet = defineCommand({
  summary: 'greet someone',
  options: {
    times: { type: 'number', integer: true, min: 1, default: 1, description: 'how often' },
    style: { type: 'string', choices: ['plain', 'loud'], default: 'plain', description: 'style' },
  },
  positionals: [
    { name: 'who', description: 'whom' },
    { name: 'greeting', description: 'word', optional: true },
  ],
  run({ options, positionals, global }, ctx) {
    // Compile-time checks: these assignments only type-check if the specs were inferred.
    const times: number = options.times;
    const style: 'plain' | 'loud' = options.style;
    const who: string = positionals.who;
    const greeting: string | undefined = positionals.greeting;
    seen.push({ times, style, who, greeting, store: global.store });
    ctx.stdout.write(`${greeting ?? 'hello'} ${who}\n`.repeat(times));
    return 0;
  },
});
const fail = (e: unknown) =>
  defineCommand({
    summary: 'throws',
    options: {},
    positionals: [],
    run() {
      throw e;
    },
  });
const table: Record<string, CommandEntry> = {
  greet,
  tools: defineGroup({
    summary: 'a group',
    subcommands: {
      greet,
      store: fail(new StoreError('no run store at /x')),
      fs: fail(
        Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: 'EACCES', syscall: 'open' }),
      ),
      bug: fail(new TypeError('undefined is not a function')),
    },
    defaultSubcommand: 'greet',
  }),
};

describe('runCli', () => {
  it('passes typed options, positionals and global options to the command', async () => {
    const ctx = bufferContext();
    seen.length = 0;
    expect(
      await runCli(['--store', 's.db', 'greet', 'ada', 'hi', '--times', '2', '--style=loud'], ctx, table),
    ).toBe(0);
    expect(ctx.out.text).toBe('hi ada\nhi ada\n');
    expect(seen).toEqual([{ times: 2, style: 'loud', who: 'ada', greeting: 'hi', store: 's.db' }]);
  });

  it('runs the default subcommand of a group; a named one otherwise', async () => {
    const ctx = bufferContext();
    expect(await runCli(['tools', '--times', '1'], ctx, table)).toBe(EXIT.usage);
    expect(ctx.err.text).toContain('gradlab tools: missing argument <who>');
    const dflt = bufferContext();
    expect(await runCli(['tools', '--times', '1', '--', '-bob'], dflt, table)).toBe(0);
    expect(dflt.out.text).toBe('hello -bob\n');
    const ok = bufferContext();
    expect(await runCli(['tools', 'greet', 'bob'], ok, table)).toBe(0);
    expect(ok.out.text).toBe('hello bob\n');
  });

  it('help: top level, group, command; no command at all prints the top-level help', async () => {
    for (const [argv, text] of [
      [[], 'Usage: gradlab <command>'],
      [['--help'], 'Usage: gradlab <command>'],
      [['tools', '-h'], 'Subcommands:'],
      [['tools', 'greet', '--help', '--bogus'], 'Usage: gradlab tools greet [options] <who> [greeting]'],
    ] as const) {
      const ctx = bufferContext();
      expect(await runCli(argv, ctx, table), argv.join(' ')).toBe(0);
      expect(ctx.out.text).toContain(text);
    }
  });

  it('maps error kinds to exit codes: store error 1, system error 1, bug 70 with its stack', async () => {
    const store = bufferContext();
    expect(await runCli(['tools', 'store'], store, table)).toBe(EXIT.failure);
    expect(store.err.text).toBe('gradlab tools store: StoreError: no run store at /x\n');
    const fs = bufferContext();
    expect(await runCli(['tools', 'fs'], fs, table)).toBe(EXIT.failure);
    expect(fs.err.text).toBe("gradlab tools fs: EACCES: permission denied, open '/x'\n");
    const bug = bufferContext();
    expect(await runCli(['tools', 'bug'], bug, table)).toBe(EXIT.internal);
    expect(bug.err.text).toContain('internal error');
    expect(bug.err.text).toContain('TypeError: undefined is not a function\n    at ');
  });

  it('global options before the command are checked too', async () => {
    const ctx = bufferContext();
    expect(await runCli(['--bogus'], ctx, table)).toBe(EXIT.usage);
    expect(ctx.err.text).toContain("gradlab: unknown option '--bogus'");
  });
});

describe('the real command table', () => {
  it('no command option shadows a global option', () => {
    const commands = Object.values(COMMANDS).flatMap((e) =>
      e.kind === 'group' ? Object.values(e.subcommands) : [e],
    );
    for (const c of commands) {
      for (const key of Object.keys(c.options)) expect(Object.keys(GLOBAL_OPTIONS)).not.toContain(key);
    }
  });
});
