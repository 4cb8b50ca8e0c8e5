// Every number the CLI prints goes through format.ts: recipe verdict tables, durations and progress metrics agree.
import { describe, expect, it } from 'vitest';
import { formatRecipeResult } from '../../src/cli/commands/recipe.js';
import { formatDuration, formatMetrics, formatNumber } from '../../src/cli/format.js';
import * as progress from '../../src/cli/progress.js';
import type { RecipeResult } from '../../src/recipes/index.js';

describe('one formatter module', () => {
  it('a recipe result prints measured values with formatNumber and its duration with formatDuration', () => {
    const result = {
      recipe: 'demo',
      claim: { text: 'bytes fall', source: 'Table 1' },
      options: { quick: false, seeds: 2 },
      durationSeconds: 83.25,
      environment: { backend: 'js', node: 'v20', platform: 'linux' },
      assertions: [
        {
          id: 'a',
          kind: 'mechanism',
          value: 1234567,
          compare: '>',
          threshold: 1,
          checked: true,
          passed: true,
        },
        {
          id: 'b',
          kind: 'claim',
          value: 0.123456,
          compare: '<',
          threshold: 0.5,
          checked: true,
          passed: true,
        },
        { id: 'c', kind: 'claim', value: NaN, compare: '<', threshold: 0.5, checked: true, passed: false },
      ],
      verdict: 'partial',
      summary: 'ok',
      command: 'gradlab recipe run demo',
    } as unknown as RecipeResult;
    const text = formatRecipeResult(result);
    expect(text).toMatch(new RegExp(`a\\s+mechanism\\s+${formatNumber(1234567)}\\s`));
    expect(text).toMatch(new RegExp(`b\\s+claim\\s+${formatNumber(0.123456)}\\s`));
    expect(text).toMatch(/c\s+claim\s+NaN\s/);
    expect(text).toContain(`took ${formatDuration(83_250)} on js`);
    expect(formatNumber(1234567)).toBe('1.235e6');
    expect(formatDuration(83_250)).toBe('1m23s');
  });

  it('progress uses the same metric formatter (re-exported, not a second copy)', () => {
    expect(progress.formatMetrics).toBe(formatMetrics);
    expect(formatMetrics({ loss: 0.123456, acc: 1 })).toBe('loss 0.1235 acc 1');
  });
});
