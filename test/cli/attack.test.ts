// `gradlab attack`: a stored run's model attacked in process (tiny budgets): report, JSON, PNG files, bad input.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradlabInProcess, TINY } from './spawn.js';

let dir = '';
let id = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gradlab-cli-attack-'));
  const r = await gradlabInProcess(
    ['train', '--epochs', '2', ...TINY, '--data', 'digits', '--backend', 'js', '--json'],
    dir,
  );
  expect(r.code).toBe(0);
  id = (JSON.parse(r.stdout) as { runId: string }).runId;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gradlab attack', () => {
  it('reports robustness per ε as JSON and writes PNG grids and report.json', async () => {
    const r = await gradlabInProcess(
      [
        'attack',
        id,
        '--method',
        'fgsm',
        '--eps',
        '0,0.3',
        '--examples',
        '20',
        '--out',
        'adv',
        '--json',
        '--backend',
        'js',
      ],
      dir,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as {
      cleanAccuracy: number;
      examples: number;
      rows: { eps: number; robustAccuracy: number; successRate: number }[];
    };
    expect(rep.examples).toBe(20);
    expect(rep.rows.map((row) => row.eps)).toEqual([0, 0.3]);
    // ε = 0 changes nothing; ε = 0.3 (a third of the pixel range) fools a lightly trained MLP on most digits
    expect(rep.rows[0].robustAccuracy).toBe(rep.cleanAccuracy);
    expect(rep.rows[0].successRate).toBe(0);
    expect(rep.rows[1].robustAccuracy).toBeLessThan(rep.cleanAccuracy);
    for (const f of ['adversarial-0.png', 'adversarial-0.3.png', 'report.json'])
      expect(existsSync(path.join(dir, 'adv', f))).toBe(true);
    const png = decode(readFileSync(path.join(dir, 'adv', 'adversarial-0.3.png')));
    expect(png.channels).toBe(3);
    expect(png.width).toBe(3 * 64 + 4); // three 8×8 tiles scaled ×8, two 2-pixel gaps
  });

  it('prints a table by default', async () => {
    const r = await gradlabInProcess(
      [
        'attack',
        id,
        '--method',
        'pgd',
        '--eps',
        '0.1',
        '--steps',
        '2',
        '--examples',
        '10',
        '--backend',
        'js',
      ],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pgd on run \S+ \(digits, 10 test examples\): clean accuracy/);
    expect(r.stdout).toMatch(/EPS\s+ROBUST ACC\s+SUCCESS/);
  });

  it('bad input: a negative or malformed ε, an unknown method, an unknown run', async () => {
    for (const [args, msg] of [
      [['--eps', '-0.1'], /--eps expects comma-separated numbers >= 0.*got '-0.1'/],
      [['--eps', '0.1,x'], /got 'x' in '0.1,x'/],
      [['--method', 'magic'], /--method/],
    ] as const) {
      const r = await gradlabInProcess(['attack', id, ...args, '--backend', 'js'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const r = await gradlabInProcess(['attack', 'zzzzzz', '--backend', 'js'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no run 'zzzzzz'/);
  });
});
