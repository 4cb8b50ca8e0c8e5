// The argument parser: typed values, defaults, strict numbers, choices and one-line usage errors.
import { describe, expect, it } from 'vitest';
import { closest, finishParse, flagName, parseOptions } from '../../src/cli/args.js';
import type { OptionSpecs } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/errors.js';

const specs = {
  batchSize: { type: 'number', integer: true, min: 1, default: 32, description: 'batch' },
  lr: { type: 'number', description: 'learning rate' },
  format: { type: 'string', choices: ['csv', 'json'], description: 'format' },
  out: { type: 'string', short: 'o', description: 'file' },
  quiet: { type: 'boolean', short: 'q', description: 'quiet' },
} as const satisfies OptionSpecs;

function usageError(argv: string[]): UsageError {
  try {
    parseOptions(argv, specs, 'gradlab x');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('parseOptions', () => {
  it('parses flags, values, --k=v, short options, negative numbers and positionals', () => {
    const r = parseOptions(
      ['a', '--batch-size', '64', '--lr=-1e-3', '-o', 'f.csv', '-q', 'b', '--', '--not-an-option'],
      specs,
      'gradlab x',
    );
    expect(r.options).toEqual({ batchSize: 64, lr: -0.001, out: 'f.csv', quiet: true });
    expect(r.positionals).toEqual(['a', 'b', '--not-an-option']);
  });

  it('fills defaults and types', () => {
    const done = finishParse(parseOptions(['--format', 'json'], specs, 'w'), specs, [], 'w');
    expect(done.options).toEqual({
      batchSize: 32,
      lr: undefined,
      format: 'json',
      out: undefined,
      quiet: false,
    });
  });

  it('names unknown options with a suggestion', () => {
    const e = usageError(['--batch-szie', '3']);
    expect(e.message).toBe("gradlab x: unknown option '--batch-szie' (did you mean '--batch-size'?)");
    expect(e.hint).toBe("Run 'gradlab x --help' for usage.");
    expect(usageError(['--zzzzzzzz']).message).toBe("gradlab x: unknown option '--zzzzzzzz'");
  });

  it('reports missing values, including when the next token is another option', () => {
    expect(usageError(['--out']).message).toContain("option '--out' needs a value (<text>)");
    expect(usageError(['--format', '--quiet']).message).toContain(
      "option '--format' needs a value (csv|json)",
    );
    expect(usageError(['--lr', '-q']).message).toContain("'--lr' needs a value (a number)");
  });

  it('rejects bad numbers, non-integers, out-of-range values and bad choices', () => {
    expect(usageError(['--lr', '1e-3x']).message).toContain("option '--lr' expects a number, got '1e-3x'");
    expect(usageError(['--lr', '']).message).toContain('expects a number');
    expect(usageError(['--lr', '0x10']).message).toContain('expects a number');
    expect(usageError(['--batch-size', '3.5']).message).toContain("expects an integer, got '3.5'");
    expect(usageError(['--batch-size', '0']).message).toContain('must be at least 1, got 0');
    expect(usageError(['--format', 'xml']).message).toContain("must be one of csv, json; got 'xml'");
    expect(usageError(['--quiet=yes']).message).toContain("'--quiet' takes no value");
  });

  it('checks positionals: missing required, unexpected extra', () => {
    const pos = [{ name: 'id', description: 'run id' }] as const;
    expect(() => finishParse({ options: {}, positionals: [] }, {}, pos, 'gradlab runs show')).toThrow(
      'gradlab runs show: missing argument <id> (run id)',
    );
    expect(() => finishParse({ options: {}, positionals: ['a', 'b'] }, {}, pos, 'w')).toThrow(
      "w: unexpected argument 'b'",
    );
    expect(finishParse({ options: {}, positionals: ['a'] }, {}, pos, 'w').positionals).toEqual({ id: 'a' });
  });
});

describe('helpers', () => {
  it('flagName kebab-cases keys', () => {
    expect(flagName('batchSize')).toBe('--batch-size');
    expect(flagName('logY')).toBe('--log-y');
  });

  it('closest suggests near misses only', () => {
    expect(closest('trian', ['train', 'recipe', 'runs'])).toBe('train');
    expect(closest('xyzzy', ['train', 'recipe', 'runs'])).toBeUndefined();
  });
});
