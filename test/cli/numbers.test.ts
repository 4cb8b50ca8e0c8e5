// Every number the CLI prints goes through format.ts: recipe verdict tables, durations and progress metrics agree.
import { describe, expect, it } from 'vitest';
import { formatRecipeResult } from '../../src/cli/commands/recipe.js';
import { formatDuration, formatMetrics, formatNumber } from '../../src/cli/format.js';
import * as progress from '../../src/cli/progress.js';
import { fileURLToPath } from 'node:url';
import { fmt, readResults } from '../../src/recipes/index.js';

describe('one formatter module', () => {
  it('a recipe result prints its numbers as REPRODUCTIONS.md does and its duration with formatDuration', () => {
    // a committed result file written by a full run (docs/recipes/results, see REPRODUCTIONS.md)
    const dir = fileURLToPath(new URL('../../docs/recipes/results', import.meta.url));
    const result = readResults(dir).find(
      (r) => r.recipe === 'checkpoint' && r.mode === 'full' && r.provenance.backend === 'native',
    )!;
    expect(result).toBeDefined();
    const text = formatRecipeResult(result);
    expect(result.assertions.length).toBeGreaterThan(0);
    for (const a of result.assertions) {
      const row = text.split('\n').find((l) => l.startsWith(`${a.id} `));
      expect(row, a.id).toBeDefined();
      expect(row).toContain(a.values.map(fmt).join(', '));
      expect(row).toContain(a.status);
    }
    expect(text).toContain(`took ${formatDuration(result.provenance.wallSeconds * 1000)} on native`);
    expect(formatNumber(1234567)).toBe('1.235e6');
    expect(formatDuration(83_250)).toBe('1m23s');
  });

  it('progress uses the same metric formatter (re-exported, not a second copy)', () => {
    expect(progress.formatMetrics).toBe(formatMetrics);
    expect(formatMetrics({ loss: 0.123456, acc: 1 })).toBe('loss 0.1235 acc 1');
  });
});
