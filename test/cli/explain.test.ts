// `gradlab explain`: attribution PNGs of a tiny trained run (in process), the summary, and its usage errors.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradlabInProcess as gradlab } from './spawn.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';

let dir = '';
let runId = '';

describe('gradlab explain', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gradlab-explain-'));
    const r = await gradlab(
      [
        'train',
        '--model',
        'cnn',
        '--epochs',
        '1',
        '--train-size',
        '64',
        '--batch-size',
        '32',
        '--json',
        '--backend',
        'js',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    runId =
      (JSON.parse(r.stdout) as { runId?: string; id?: string }).runId ??
      (JSON.parse(r.stdout) as { id: string }).id;
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one PNG per image and a grid, and prints the summary', async () => {
    const r = await gradlab(
      [
        'explain',
        runId,
        '--method',
        'ig',
        '--images',
        '2',
        '--steps',
        '8',
        '--out',
        'maps',
        '--backend',
        'js',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ig attributions of run .* on 2 test images/);
    for (const f of ['ig-0.png', 'ig-1.png', 'ig-grid.png'])
      expect(existsSync(path.join(dir, 'maps', f))).toBe(true);
    const png = decode(new Uint8Array(readFileSync(path.join(dir, 'maps', 'ig-0.png'))));
    // three 8x8 tiles with 1-pixel padding, enlarged 8x
    expect([png.width, png.height, png.channels]).toEqual([(3 * 8 + 4) * 8, (8 + 2) * 8, 3]);
  });

  it('--json, Grad-CAM on the last conv layer, and the label as target', async () => {
    const r = await gradlab(
      [
        'explain',
        runId,
        '--method',
        'gradcam',
        '--images',
        '3',
        '--target',
        'label',
        '--json',
        '--backend',
        'js',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      method: string;
      images: { label: number; target: number; file: string }[];
    };
    expect(doc.method).toBe('gradcam');
    expect(doc.images).toHaveLength(3);
    for (const im of doc.images) {
      expect(im.target).toBe(im.label);
      expect(existsSync(path.join(dir, im.file))).toBe(true);
    }
  });

  it('bad input: unknown run, unknown method, missing run id', async () => {
    const a = await gradlab(['explain', 'nosuch', '--backend', 'js'], dir);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/no run 'nosuch'/);
    const b = await gradlab(['explain', runId, '--method', 'lime'], dir);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--method/);
    const c = await gradlab(['explain'], dir);
    expect(c.code).toBe(2);
    const d = await gradlab(['explain', 'x'], mkdtempSync(path.join(os.tmpdir(), 'gradlab-explain-empty-')));
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/no run store at/);
  });
});
