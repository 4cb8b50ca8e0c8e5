// `gradlab diagram`: table and SVG of a built-in model, JSON totals equal the library's, safetensors + spec, refusals.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gl from '../../src/index.js';
import { bufferContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs('gradlab-cli-diagram-');

async function cli(args: string[], cwd: string) {
  const ctx = bufferContext({ cwd });
  const code = await runCli(['diagram', ...args], ctx);
  return { code, stdout: ctx.out.text, stderr: ctx.err.text };
}

const SPEC = {
  layers: [
    { type: 'flatten' },
    { type: 'linear', out: 6 },
    { type: 'relu' },
    { type: 'linear', out: 'classes' },
  ],
};

describe('gradlab diagram', () => {
  it('prints the per-op table and writes an SVG with one box per op', async () => {
    const dir = tempDir();
    const r = await cli(['mlp', '--batch', '4', '--out', 'm.svg'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/matmulEpilogue\*\s+1\s+\[batch 4, 256\]/);
    expect(r.stdout).toContain('wrote m.svg');
    const svg = readFileSync(path.join(dir, 'm.svg'), 'utf8');
    expect(svg.match(/<g class="op"/g)).toHaveLength(3);
  });

  it('--json totals equal gl.lab.diagram of the same model and batch', async () => {
    const dir = tempDir();
    const r = await cli(['linear', '--batch', '3', '--input-shape', '5', '--classes', '2', '--json'], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      totals: { forwardFlops: number; backwardFlops: number; savedBytes: number };
    };
    // linear: flatten + Linear(5, 2) on [3, 5]: 2·3·5·2 + 3·2 forward, the weight's and bias's gradients backward
    expect(doc.totals.forwardFlops).toBe(2 * 3 * 5 * 2 + 3 * 2);
    expect(doc.totals.backwardFlops).toBe(2 * 3 * 5 * 2 + 3 * 2);
    expect(doc.totals.savedBytes).toBe(3 * 5 * 4);
  });

  it('loads .safetensors weights into the --spec model, and refuses weights that do not fit', async () => {
    const dir = tempDir();
    gl.manualSeed(1);
    const model = gl.train.buildModel(gl.train.parseModelSpec(SPEC), [8], 3);
    gl.saveSafetensors(path.join(dir, 'w.safetensors'), model.stateDict());
    writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(SPEC));
    const ok = await cli(
      ['w.safetensors', '--spec', 'spec.json', '--input-shape', '8', '--classes', '3', '--out', 'w.svg'],
      dir,
    );
    expect(ok.code).toBe(0);
    expect(existsSync(path.join(dir, 'w.svg'))).toBe(true);
    const bad = await cli(
      ['w.safetensors', '--spec', 'spec.json', '--input-shape', '9', '--classes', '3'],
      dir,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/weights in w\.safetensors do not fit the spec/);
  });

  it('refuses bad input with the reason', async () => {
    const dir = tempDir();
    const cases: [string[], RegExp][] = [
      [['nosuch'], /'nosuch' is none of these/],
      [['w.safetensors'], /needs --spec/],
      [['mlp', '--spec', 'x.json'], /--spec goes with a \.safetensors model/],
      [['mlp', '--input-shape', '0,2'], /--input-shape must be positive integers/],
      [['cnn', '--input-shape', '64'], /does not fit examples of shape \[64\]/],
      [['mlp', '--axis-names', 'a,b'], /--axis-names must name 4 axes/],
      [['{"layers": [{"type": "nope"}]}'], /unknown type "nope"/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
  });
});
